import { BehaviorSubject, EMPTY, Observable, Subject, Subscription, concat, concatMap, defer, map, of, switchMap, takeWhile } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { EnqueueError } from '../errors/EnqueueError.js';
import { bindFieldTable } from './bindFieldTable.js';
import type { EnqueueBatchResult } from '../schemas/queue.js';
import { type RunStage, cancelUnfinished } from './cancelUnfinished.js';
import { enqueueRun, socketOrTimeout } from './enqueueRun.js';
import { followItems } from './followItems.js';
import { type Deadline, dueDeadlines } from './phaseDeadlines.js';
import { pollItems } from './pollItems.js';
import { prepareBatch } from './prepareBatch.js';
import { queuedEvents } from './queuedEvents.js';
import { RunTracker } from './RunTracker.js';
import { type Signal, runSignals } from './runSignals.js';
import { type RunInput, type RunWorkflowOptions, runSettings } from './runWorkflowOptions.js';
import type { RunEvent } from './types.js';

export {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_POLL_INTERVAL,
  DEFAULT_POLL_INTERVAL_WITHOUT_SOCKET,
  type RunInput,
  type RunWorkflowOptions,
} from './runWorkflowOptions.js';

/**
 * Runs a workflow (or a prebuilt batch) on the server's queue and reports it as it happens: the
 * one place a workflow runs. Cold: nothing is sent until subscribed.
 *
 * ```
 * subscribe ─ socket ─ POST enqueue ─ enqueued ─ queued ─ started ─ progress… ─ completed|
 *                                     GET /i/{id} every pollInterval (the truth) ──┘
 * unsubscribe / error / timeout ──▶ PUT /i/{id}/cancel (one item) | cancel_by_batch_ids (several)
 * ```
 *
 * - Socket events are subscribed **before** the enqueue request and buffered until the item ids
 *   are known, so a job that finishes before the HTTP response is still seen.
 * - Completion is the first terminal signal, from a `queue_item_status_changed` event or the
 *   poll; a terminal event is confirmed by fetching the item, and the result is read from it.
 *   `queue_items_canceled` / `queue_cleared` (which carry no per-item events) are confirmed the
 *   same way; an item that is gone (404) ends as `QueueItemCanceledError`.
 * - After a reconnect the items are re-read at once; an item never completes twice, and stale
 *   or repeated statuses (`status_sequence`) are ignored.
 * - `failed` → `QueueItemFailedError` (server's `error_type`, `error_message`,
 *   `error_traceback`, failing workflow node); `canceled` → `QueueItemCanceledError`.
 * - Unsubscribing before completion, an error or a timeout cancels the run's unfinished items
 *   (sent even though the run's own subscriptions are gone). Unsubscribing while the enqueue
 *   request is in flight lets it finish, then cancels the batch by id.
 * - `started` is emitted when the run sees the item start; a job that a poll sees only once it
 *   has ended has no `started` (and `timings.startedAt` is null).
 * - A workflow without a field table is first bound to `buildOptions.fieldTable`, else to the
 *   server's own (`client.app.fieldTable()`, one `GET /openapi.json` per client): kinds, labels
 *   and output schemas are the server's, and a value the server's table rejects errors the run
 *   with `InputValueError` before anything is enqueued.
 *
 * ## Example
 * ```ts
 * import { parseWorkflow, runWorkflow } from 'invokeai-rx';
 * runWorkflow(client, parseWorkflow(json).with({ 1: 'a red fox' }), { timeouts: { total: 120_000 } })
 *   .subscribe((e) => console.log(e.type)); // enqueued, queued, started, progress, …, completed
 * ```
 *
 * @param client The server connection.
 * @param input A workflow, or `{ batch }` (optionally with the workflow it came from).
 * @param options See {@link RunWorkflowOptions}.
 * @return An Observable of {@link RunEvent}s that completes once every queue item is resolved.
 */
export function runWorkflow(client: InvokeAIClient, input: RunInput, options: RunWorkflowOptions = {}): Observable<RunEvent> {
  const settings = runSettings(options);
  const { scheduler } = settings;
  const unbound = 'batch' in input ? input.workflow : input;
  if (unbound && !unbound.fieldTable) {
    return bindFieldTable(client, unbound, options.buildOptions?.fieldTable).pipe(
      switchMap((bound) => runWorkflow(client, 'batch' in input ? { ...input, workflow: bound } : bound, options)),
    );
  }

  return new Observable<RunEvent>((subscriber) => {
    const now = () => scheduler.now();
    const { batch, batchId, workflow, generatedOrigin } = prepareBatch(input, options);
    const tracker = new RunTracker({ now, timeouts: options.timeouts });
    const follow = followItems({ queue: client.queue, tracker, workflow, itemErrors: settings.itemErrors, now });
    const subscriptions = new Subscription();
    const signals = new Subject<Signal>();
    // Events that arrive before the enqueue answer wait for the item ids.
    const early: Signal[] = [];
    const deadline$ = new BehaviorSubject<Deadline | null>(tracker.nextDeadline());
    let enqueue$: Observable<EnqueueBatchResult> | undefined;
    let enqueueError: unknown = undefined;
    let errored = false;
    const fail = (error: unknown) => {
      errored = true;
      subscriber.error(error);
    };

    const startTracking = (result: EnqueueBatchResult): Observable<RunEvent> => {
      const itemIds = [...result.item_ids].sort((a, b) => a - b);
      tracker.setEnqueued(itemIds);
      // Nothing was queued: there is nothing to cancel either.
      if (itemIds.length === 0) throw new EnqueueError({ batch_id: batchId, requested: result.requested, enqueued: result.enqueued });
      for (const s of early.splice(0)) signals.next(s);
      const cadence = { interval: settings.pollInterval, intervalWithoutSocket: settings.pollIntervalWithoutSocket, scheduler };
      subscriptions.add(
        pollItems(client.queue, client.events.connected$, () => tracker.activeIds(), cadence)
          .pipe(map((polled): Signal => ({ kind: 'polled', ...polled })))
          .subscribe({ next: (s) => signals.next(s), error: fail }),
      );
      const enqueued: RunEvent = { type: 'enqueued', batch_id: batchId, item_ids: itemIds, at: now() };
      const queuedOptions = { askPosition: options.queuePosition !== false, prepend: options.prepend, timeout: settings.pollInterval, scheduler };
      return concat(of(enqueued), queuedEvents(client.queue, itemIds, queuedOptions));
    };

    // 1. Events first: nothing is sent before the run listens.
    const key = { batchId, origin: generatedOrigin ? (batch.origin ?? null) : null };
    subscriptions.add(
      runSignals(client.events, key, (itemId, node) => tracker.noteInvocationError(itemId, node)).subscribe((s) =>
        tracker.enqueued ? signals.next(s) : early.push(s),
      ),
    );

    // 2. Signals are handled one at a time, in arrival order; each may move the next deadline.
    subscriptions.add(
      signals
        .pipe(
          concatMap((signal) =>
            concat(
              defer(() => (signal.kind === 'enqueued' ? startTracking(signal.result) : follow(signal))),
              defer(() => {
                deadline$.next(tracker.nextDeadline());
                return EMPTY;
              }),
            ),
          ),
          takeWhile(() => !tracker.done, true),
        )
        .subscribe({ next: (e) => subscriber.next(e), error: fail, complete: () => subscriber.complete() }),
    );

    // 3. Timeouts: a due deadline is checked in turn, against the tracker's state by then.
    subscriptions.add(deadline$.pipe(dueDeadlines(scheduler)).subscribe(() => signals.next({ kind: 'deadline' })));

    // 4. Wait (briefly) for the socket, then enqueue.
    subscriptions.add(
      socketOrTimeout(client.events.connected$, settings.connectTimeout, scheduler).subscribe(() => {
        const result$ = enqueueRun(client.queue, batch, options.prepend);
        enqueue$ = result$;
        subscriptions.add(
          result$.subscribe({
            next: (result) => signals.next({ kind: 'enqueued', result }),
            error: (error) => {
              enqueueError = error;
              fail(error);
            },
          }),
        );
      }),
    );

    const reached = (): RunStage =>
      tracker.enqueued
        ? { stage: 'tracking', active: tracker.activeIds() }
        : enqueue$
          ? { stage: 'enqueuing', enqueue$, error: enqueueError }
          : { stage: 'connecting' };

    return () => {
      subscriptions.unsubscribe();
      deadline$.complete();
      if (tracker.done || (!errored && options.cancelOnUnsubscribe === false)) return;
      cancelUnfinished(client.queue, batchId, reached());
    };
  });
}
