import { type Observable, filter, map, merge, tap } from 'rxjs';
import type { EventsApi } from '../client/types.js';
import type { InvokeEventMap } from '../schemas/events.js';
import type { EnqueueBatchResult } from '../schemas/queue.js';
import { batchEvents } from './batchEvents.js';
import type { Polled } from './pollItems.js';
import type { JournalEntry } from './runJournal.js';

type InvocationEventName = 'invocation_started' | 'invocation_progress' | 'invocation_complete' | 'invocation_error';

/** Everything a run reacts to, handled one at a time in arrival order. */
export type Signal =
  | { kind: 'enqueued'; result: EnqueueBatchResult; /** durable runs: the items were found, not enqueued */ found?: JournalEntry[] | null }
  | { kind: 'status'; payload: InvokeEventMap['queue_item_status_changed'] }
  | { kind: 'invocation'; name: InvocationEventName; payload: InvokeEventMap[InvocationEventName] }
  | { kind: 'canceled'; item_ids: number[] }
  | { kind: 'cleared' }
  | ({ kind: 'polled' } & Polled)
  | { kind: 'deadline' };

/** Whom a run's events are for: its batch id, and its origin when the run made that origin up (so it is unique). */
export interface BatchKey {
  /** null while a durable run is still looking its batch up (its origin routes the events). */
  batchId: string | null;
  origin: string | null;
}

/**
 * The socket events that concern one run, as signals: its items' status and invocation events
 * (routed by batch id, or origin), and the queue-wide bulk cancels and clears, which carry no
 * per-item event. Hot, like the socket: subscribe before enqueueing.
 *
 * `onInvocationError` sees each `invocation_error` as it arrives, not in turn: it follows the
 * `failed` status that the run is already confirming.
 */
export function runSignals(events: EventsApi, key: BatchKey, onInvocationError: (itemId: number, sourceNodeId: string) => void): Observable<Signal> {
  const ours = (e: { batch_id: string; origin?: string | null }) => e.batch_id === key.batchId || (key.origin !== null && e.origin === key.origin);
  const itemSignals$ = batchEvents(events, key.batchId, key.origin).pipe(
    map((e): Extract<Signal, { kind: 'status' | 'invocation' }> =>
      e.name === 'queue_item_status_changed' ? { kind: 'status', payload: e.payload } : { kind: 'invocation', name: e.name, payload: e.payload },
    ),
    filter((s) => ours(s.payload)),
    tap((s) => {
      if (s.kind === 'invocation' && s.name === 'invocation_error') onInvocationError(s.payload.item_id, s.payload.invocation_source_id);
    }),
  );
  return merge(
    itemSignals$,
    events.on('queue_items_canceled').pipe(map((e): Signal => ({ kind: 'canceled', item_ids: e.canceled_item_ids }))),
    events.on('queue_cleared').pipe(map((): Signal => ({ kind: 'cleared' }))),
  );
}
