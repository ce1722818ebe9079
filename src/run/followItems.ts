import { EMPTY, type Observable, catchError, concat, concatMap, defer, from, map, of, throwError } from 'rxjs';
import type { QueueApi } from '../client/types.js';
import type { SessionQueueItem } from '../schemas/queue.js';
import type { Workflow } from '../workflow/Workflow.js';
import { deadlineError, isDue } from './phaseDeadlines.js';
import { isNotFound } from './pollItems.js';
import { type ItemOutcome, type RunTracker, isTerminalStatus } from './RunTracker.js';
import type { Signal } from './runSignals.js';
import type { RunEvent } from './types.js';

export interface FollowContext {
  queue: QueueApi;
  tracker: RunTracker;
  /** Maps the outputs of a completed item by form. */
  workflow: Workflow | undefined;
  /** `'throw'`: a failed or canceled item errors the run; `'emit'`: it becomes a `failed` event. */
  itemErrors: 'throw' | 'emit';
  now: () => number;
}

/** A signal about the run's items (everything but the enqueue answer). */
export type ItemSignal = Exclude<Signal, { kind: 'enqueued' }>;

/**
 * Follows the run's items: turns one signal into the {@link RunEvent}s it causes. Events are
 * hints and the queue item is the truth: a terminal status event, a bulk cancel or a queue clear
 * is confirmed by fetching the item (a 404 means it is gone), and only the fetched item (or a
 * polled one) resolves it. A `deadline` signal errors if the tracker's next deadline has passed.
 */
export function followItems(ctx: FollowContext): (signal: ItemSignal) => Observable<RunEvent> {
  const { queue, tracker, workflow, itemErrors, now } = ctx;

  const outcomeEvents = (outcome: ItemOutcome, itemId: number): RunEvent[] => {
    if (outcome.type === 'completed') return [outcome.event];
    if (outcome.type === 'pending') return [];
    if (itemErrors === 'emit') return [{ type: 'failed', item_id: itemId, error: outcome.error }];
    throw outcome.error;
  };

  // Fetches an item to confirm a terminal hint; 404 means the server no longer has it.
  const fetchItem = (itemId: number): Observable<ItemOutcome> =>
    queue.getItem(itemId).pipe(
      map((item) => tracker.resolve(item, workflow)),
      catchError((error) => (isNotFound(error) ? of(tracker.resolveMissing(itemId)) : throwError(() => error))),
    );

  const confirm = (itemIds: readonly number[]): Observable<RunEvent> =>
    from(itemIds).pipe(concatMap((id) => fetchItem(id).pipe(concatMap((o) => outcomeEvents(o, id)))));

  // A polled item is the truth already: a terminal one resolves without another fetch.
  const polledEvents = (item: SessionQueueItem): RunEvent[] => {
    const { events, terminal } = tracker.onStatus(item.item_id, item.status, item.status_sequence);
    if (terminal || (isTerminalStatus(item.status) && tracker.activeIds().includes(item.item_id))) {
      events.push(...outcomeEvents(tracker.resolve(item, workflow), item.item_id));
    }
    return events;
  };

  return (signal) => {
    switch (signal.kind) {
      case 'status': {
        const { item_id, status, status_sequence } = signal.payload;
        const { events, terminal } = tracker.onStatus(item_id, status, status_sequence);
        return concat(from(events), terminal ? confirm([item_id]) : EMPTY);
      }
      case 'invocation':
        return from(tracker.onInvocation(signal.payload.item_id, signal.name, signal.payload));
      case 'canceled':
        return confirm(signal.item_ids.filter((id) => tracker.activeIds().includes(id)));
      case 'cleared':
        return confirm(tracker.activeIds());
      case 'polled':
        // Item by item, as the events go out: the run ends with the event that resolves its last
        // item, so a poll that sees several items finished must not resolve them all up front.
        return concat(
          from(signal.items).pipe(concatMap((item) => defer(() => polledEvents(item)))),
          from(signal.missing).pipe(concatMap((id) => defer(() => outcomeEvents(tracker.resolveMissing(id), id)))),
        );
      case 'deadline': {
        const due = tracker.nextDeadline();
        if (isDue(due, now())) throw deadlineError(due);
        return EMPTY;
      }
    }
  };
}
