import { BehaviorSubject, EMPTY, Observable, Subject, Subscription, concat, concatMap, defer, map, of, takeWhile, tap } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { warningsOf } from '../client/warnings.js';
import { EnqueueError } from '../errors/EnqueueError.js';
import type { EnqueueBatchResult } from '../schemas/queue.js';
import type { Workflow } from '../workflow/Workflow.js';
import { type RunStage, cancelUnfinished } from './cancelUnfinished.js';
import { socketOrTimeout } from './enqueueRun.js';
import { followItems } from './followItems.js';
import { type Deadline, dueDeadlines } from './phaseDeadlines.js';
import { pollItems, readItems } from './pollItems.js';
import { queuedEvents } from './queuedEvents.js';
import type { JournalEntry } from './runJournal.js';
import { RunTracker, isTerminalStatus } from './RunTracker.js';
import { type Signal, runSignals } from './runSignals.js';
import type { RunSettings, RunWorkflowOptions } from './runWorkflowOptions.js';
import type { RunEvent } from './types.js';

/** How a run gets its items: what `runWorkflow` (enqueue or look-up) and `attach` (look-up) differ in. */
export interface RunPlan {
  /** The batch id when known before the start (routes events and cancels). */
  batchId: string | null;
  /** An origin unique to this work, to route events by before the batch id is known. */
  origin: string | null;
  /** Maps the outputs of completed items by form. */
  workflow: Workflow | undefined;
  /**
   * Enqueues or finds the items, once the socket is up (or given up on). Calls `onEnqueue` when
   * an enqueue request is sent, so that a run torn down before its answer can cancel the batch.
   * `found` items were on the server already: followed, with no `queued` events.
   */
  start(ctx: {
    now: () => number;
    onEnqueue: (batchId: string, enqueue$: Observable<EnqueueBatchResult>) => void;
  }): Observable<{ batchId: string; result: EnqueueBatchResult; found: JournalEntry[] | null }>;
  /** Called at teardown after an error or a cancel. */
  stale?: () => void;
}

/**
 * The machinery of a run (see `runWorkflow` for its guarantees): events subscribed before the
 * start, signals handled one at a time, timeouts, polls, and the cancel of unfinished items at
 * teardown. `plan` is called on each subscription.
 */
export function runCore(
  client: InvokeAIClient,
  settings: RunSettings,
  options: Pick<RunWorkflowOptions, 'timeouts' | 'queuePosition' | 'prepend' | 'cancelOnUnsubscribe'>,
  plan: () => RunPlan,
): Observable<RunEvent> {
  const { scheduler } = settings;
  return new Observable<RunEvent>((subscriber) => {
    const now = () => scheduler.now();
    const planned = plan();
    const { workflow, origin, start, stale } = planned;
    let batchId: string | null = planned.batchId;
    const tracker = new RunTracker({ now, timeouts: options.timeouts, warn: warningsOf(client) });
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
    const cadence = { interval: settings.pollInterval, intervalWithoutSocket: settings.pollIntervalWithoutSocket, scheduler };

    const startTracking = (result: EnqueueBatchResult, found: JournalEntry[] | null | undefined): Observable<RunEvent> => {
      const itemIds = [...result.item_ids].sort((a, b) => a - b);
      tracker.setEnqueued(itemIds);
      // Nothing was queued: there is nothing to cancel either.
      if (itemIds.length === 0) throw new EnqueueError({ batch_id: batchId!, requested: result.requested, enqueued: result.enqueued });
      for (const s of early.splice(0)) signals.next(s);
      subscriptions.add(
        pollItems(client.queue, client.events.connected$, () => tracker.activeIds(), cadence)
          .pipe(map((polled): Signal => ({ kind: 'polled', ...polled })))
          .subscribe({ next: (s) => signals.next(s), error: fail }),
      );
      if (found) {
        // Found work: finished items resolve from the listing, the others are read now.
        const known = found.every((e) => e.item !== null && isTerminalStatus(e.status));
        const read$ = known ? of({ items: found.map((e) => e.item!), missing: [] }) : readItems(client.queue, itemIds);
        subscriptions.add(read$.subscribe({ next: (p) => signals.next({ kind: 'polled', ...p }), error: fail }));
        return of<RunEvent>({ type: 'enqueued', batch_id: batchId!, item_ids: itemIds, at: now(), resumed: true });
      }
      const enqueued: RunEvent = { type: 'enqueued', batch_id: batchId!, item_ids: itemIds, at: now() };
      const queuedOptions = { askPosition: options.queuePosition !== false, prepend: options.prepend, timeout: settings.pollInterval, scheduler };
      return concat(of(enqueued), queuedEvents(client.queue, itemIds, queuedOptions));
    };

    // 1. Events first: nothing is sent before the run listens.
    const key = { batchId, origin };
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
              defer(() => (signal.kind === 'enqueued' ? startTracking(signal.result, signal.found) : follow(signal))),
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

    // 4. Wait (briefly) for the socket, then start (enqueue, or look the work up).
    subscriptions.add(
      socketOrTimeout(client.events.connected$, settings.connectTimeout, scheduler).subscribe(() => {
        const start$ = start({
          now,
          onEnqueue: (id, sent$) => {
            batchId = id;
            enqueue$ = sent$;
          },
        }).pipe(tap((started) => (batchId = started.batchId)));
        subscriptions.add(
          start$.subscribe({
            next: ({ result, found }) => signals.next({ kind: 'enqueued', result, found }),
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
      // An error (a canceled or failed item) or a cancel of ours makes this process's listing of the run stale.
      const cancels = !tracker.done && (errored || options.cancelOnUnsubscribe !== false) && batchId !== null;
      if (errored || cancels) stale?.();
      if (!cancels) return;
      cancelUnfinished(client.queue, batchId!, reached());
    };
  });
}
