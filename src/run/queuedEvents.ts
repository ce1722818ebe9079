import { type Observable, type SchedulerLike, catchError, concatMap, defer, of, timeout } from 'rxjs';
import type { QueueApi } from '../client/types.js';
import type { RunEvent } from './types.js';

export interface QueuedEventsOptions {
  /** Ask the queue status for the position; false reports `position: null` without a request. */
  askPosition: boolean;
  /** The batch was put at the front of the queue. */
  prepend: boolean | undefined;
  /** How long the status answer may take before the position is reported as unknown. */
  timeout: number;
  scheduler: SchedulerLike;
}

/**
 * One `queued` event per enqueued item, with its position when the queue status tells it: FIFO
 * within a priority, so every other pending item is ahead (none when prepended). A slow or
 * failing status request only makes the position unknown.
 */
export function queuedEvents(queue: QueueApi, itemIds: readonly number[], options: QueuedEventsOptions): Observable<RunEvent> {
  const status$ = options.askPosition
    ? defer(() => queue.getStatus()).pipe(
        timeout({ first: options.timeout, scheduler: options.scheduler }),
        catchError(() => of(null)),
      )
    : of(null);
  return status$.pipe(
    concatMap((status) => {
      const others = status ? Math.max(0, status.queue.pending - itemIds.length) : null;
      return itemIds.map(
        (item_id, i): RunEvent => ({
          type: 'queued',
          item_id,
          position: others === null ? null : (options.prepend ? 0 : others) + i,
        }),
      );
    }),
  );
}
