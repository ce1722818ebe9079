import { type Observable, ReplaySubject, type SchedulerLike, defer, first, of, timeout } from 'rxjs';
import type { QueueApi } from '../client/types.js';
import type { Batch } from '../schemas/graph.js';
import type { EnqueueBatchResult } from '../schemas/queue.js';

/**
 * Waits for the socket before enqueueing, so that the run's events flow from the start, but
 * never for longer than `connectTimeout`: without a socket the run polls. Emits once, either way.
 */
export function socketOrTimeout(connected$: Observable<boolean>, connectTimeout: number, scheduler: SchedulerLike): Observable<boolean> {
  return connected$.pipe(
    first((connected) => connected, false),
    timeout({ first: connectTimeout, with: () => of(false), scheduler }),
  );
}

/**
 * Sends `POST enqueue_batch` at once, detached from the caller's subscriptions: a request in
 * flight is let finish, so that a run torn down meanwhile can still cancel what it queued. The
 * answer (or error) is replayed to every subscriber.
 */
export function enqueueRun(queue: QueueApi, batch: Batch, prepend: boolean | undefined): Observable<EnqueueBatchResult> {
  const result$ = new ReplaySubject<EnqueueBatchResult>(1);
  defer(() => queue.enqueueBatch(batch, prepend ? { prepend: true } : undefined)).subscribe(result$);
  return result$;
}
