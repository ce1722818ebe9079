import {
  BehaviorSubject,
  EMPTY,
  Observable,
  ReplaySubject,
  type SchedulerLike,
  Subject,
  Subscription,
  asyncScheduler,
  catchError,
  concat,
  concatMap,
  defer,
  distinctUntilChanged,
  exhaustMap,
  first,
  from,
  map,
  merge,
  of,
  switchMap,
  take,
  takeWhile,
  throwError,
  timeout,
  timer,
} from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { EnqueueError } from '../errors/EnqueueError.js';
import { RunTimeoutError } from '../errors/RunTimeoutError.js';
import { isHttpError } from '../errors/guards.js';
import type { InvokeEventMap } from '../schemas/events.js';
import type { Batch, BatchDatum } from '../schemas/graph.js';
import type { EnqueueBatchResult, SessionQueueItem } from '../schemas/queue.js';
import { type BuildBatchOptions, buildBatch } from '../workflow/buildBatch.js';
import type { Workflow } from '../workflow/Workflow.js';
import { batchEvents } from './batchEvents.js';
import { type Deadline, type ItemOutcome, RunTracker, isTerminalStatus } from './RunTracker.js';
import type { RunEvent, RunTimeouts } from './types.js';

/** Poll cadence while the socket is connected: a safety net for lost events. @default 1000 ms */
export const DEFAULT_POLL_INTERVAL = 1_000;
/** Poll cadence while the socket is down or disabled: polling is then the only signal. @default 250 ms */
export const DEFAULT_POLL_INTERVAL_WITHOUT_SOCKET = 250;
/** How long a run waits for the socket before enqueueing anyway. @default 2000 ms */
export const DEFAULT_CONNECT_TIMEOUT = 2_000;

/** What to run: a workflow, or a prebuilt batch (with its workflow, to map outputs by form). */
export type RunInput = Workflow | { batch: Batch; workflow?: Workflow };

export interface RunWorkflowOptions {
  /** Per-phase limits; on expiry the run's items are canceled and the run errors with `RunTimeoutError`. @default none */
  timeouts?: RunTimeouts;
  /**
   * Poll cadence (ms) of `GET /i/{id}` while the socket is connected. Events are only hints (a
   * socket can silently stop delivering), so the queue item is re-read on this cadence anyway.
   * @default 1000
   */
  pollInterval?: number;
  /**
   * Poll cadence (ms) while the socket is down, still connecting, or disabled: the poll is then the
   * only way to see progress, so it runs faster (one small request per in-flight run).
   * @default 250
   */
  pollIntervalWithoutSocket?: number;
  /**
   * How long (ms) to wait for the socket before enqueueing. The run never waits forever: without a
   * socket it polls (events that arrive once it connects are still used).
   * @default 2000
   */
  connectTimeout?: number;
  /** Put the batch at the front of the queue. @default false */
  prepend?: boolean;
  /** How many times the batch runs (one queue item each). @default 1 (or the batch's own `runs`) */
  runs?: number;
  /** Batch sweeps, appended after those of the workflow's batch nodes. @default none */
  data?: BatchDatum[][];
  /** `batch.origin`. @default a unique `invokeai-rx:<uuid>` */
  origin?: string;
  /** `batch.destination`. @default 'gallery' for a workflow; the batch's own for a prebuilt batch */
  destination?: string | null;
  /**
   * `batch.batch_id`; the run always chooses it so that it can match events before the enqueue
   * response arrives and cancel by batch id even if that response never does. A reused id also
   * returns the batch's old items. @default a fresh uuid (a prebuilt batch's own id when it has one)
   */
  batchId?: string;
  /**
   * Cancel the run's unfinished queue items when the subscriber unsubscribes. Errors and timeouts
   * always cancel them. @default true
   */
  cancelOnUnsubscribe?: boolean;
  /**
   * `'throw'`: a failed or canceled item errors the run (and cancels its other items).
   * `'emit'`: it becomes a `{ type: 'failed' }` event and the run goes on with the other items.
   * @default 'throw'
   */
  itemErrors?: 'throw' | 'emit';
  /** Ask the queue status once after enqueueing, for `queued` events' `position`. @default true */
  queuePosition?: boolean;
  /** Passed to `buildBatch` (graph building options, `includeWorkflow`, …). @default {} */
  buildOptions?: Omit<BuildBatchOptions, 'runs' | 'data' | 'origin' | 'destination' | 'batch_id'>;
  /** Scheduler for timers (polls, timeouts, timestamps). @default asyncScheduler */
  scheduler?: SchedulerLike;
}

type Signal =
  | { kind: 'enqueued'; result: EnqueueBatchResult }
  | { kind: 'status'; payload: InvokeEventMap['queue_item_status_changed'] }
  | {
      kind: 'invocation';
      name: 'invocation_started' | 'invocation_progress' | 'invocation_complete' | 'invocation_error';
      payload: InvokeEventMap['invocation_started' | 'invocation_progress' | 'invocation_complete' | 'invocation_error'];
    }
  | { kind: 'canceled'; item_ids: number[] }
  | { kind: 'cleared' }
  | { kind: 'polled'; items: SessionQueueItem[]; missing: number[] }
  | { kind: 'deadline' };


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
  const pollInterval = positive(options.pollInterval, DEFAULT_POLL_INTERVAL, 'pollInterval');
  const fallbackInterval = positive(options.pollIntervalWithoutSocket, DEFAULT_POLL_INTERVAL_WITHOUT_SOCKET, 'pollIntervalWithoutSocket');
  const connectTimeout = nonNegative(options.connectTimeout, DEFAULT_CONNECT_TIMEOUT, 'connectTimeout');
  for (const [phase, ms] of Object.entries(options.timeouts ?? {})) nonNegative(ms, Infinity, `timeouts.${phase}`);
  const scheduler = options.scheduler ?? asyncScheduler;
  const itemErrors = options.itemErrors ?? 'throw';

  return new Observable<RunEvent>((subscriber) => {
    const now = () => scheduler.now();
    const { batch, workflow, generatedOrigin } = prepareBatch(input, options);
    const batchId = batch.batch_id!;
    const tracker = new RunTracker({ now, timeouts: options.timeouts });
    const subscriptions = new Subscription();
    let stage: 'connecting' | 'enqueuing' | 'tracking' = 'connecting';
    let errored = false;
    let enqueueError: unknown = undefined;
    let enqueue$: ReplaySubject<EnqueueBatchResult> | undefined;
    const buffered: Signal[] = [];
    const signals = new Subject<Signal>();
    const deadline$ = new BehaviorSubject<Deadline | null>(tracker.nextDeadline());

    const fail = (error: unknown) => {
      errored = true;
      subscriber.error(error);
    };
    const push = (signal: Signal) => (stage === 'tracking' ? signals.next(signal) : buffered.push(signal));
    const ours = (e: { batch_id: string; origin?: string | null }) =>
      e.batch_id === batchId || (generatedOrigin && e.origin === batch.origin);

    // Fetches an item to confirm a terminal hint; 404 means the server no longer has it.
    const fetchItem = (itemId: number): Observable<ItemOutcome> =>
      client.queue.getItem(itemId).pipe(
        map((item) => tracker.resolve(item, workflow)),
        catchError((error) => (isNotFound(error) ? of(tracker.resolveMissing(itemId)) : throwError(() => error))),
      );

    const outcomeEvents = (outcome: ItemOutcome, itemId: number): RunEvent[] => {
      if (outcome.type === 'completed') return [outcome.event];
      if (outcome.type === 'pending') return [];
      if (itemErrors === 'emit') return [{ type: 'failed', item_id: itemId, error: outcome.error }];
      throw outcome.error;
    };

    const confirm = (itemIds: readonly number[]): Observable<RunEvent> =>
      from(itemIds).pipe(concatMap((id) => fetchItem(id).pipe(concatMap((o) => outcomeEvents(o, id)))));

    const startPolling = () => {
      // A (re)connect re-reads at once (resync after events may have been lost); while connected
      // the first read waits one interval (events are flowing); without a socket it reads at once.
      const tick$ = client.events.connected$.pipe(
        distinctUntilChanged(),
        switchMap((connected, index) =>
          timer(connected && index === 0 ? pollInterval : 0, connected ? pollInterval : fallbackInterval, scheduler),
        ),
      );
      const poll = (): Observable<Signal> => {
        const ids = tracker.activeIds();
        if (ids.length === 0) return EMPTY;
        if (ids.length === 1) {
          const id = ids[0]!;
          return client.queue.getItem(id).pipe(
            map((item): Signal => ({ kind: 'polled', items: [item], missing: [] })),
            catchError((error) => (isNotFound(error) ? of<Signal>({ kind: 'polled', items: [], missing: [id] }) : throwError(() => error))),
          );
        }
        return client.queue.getItems(ids).pipe(
          map((items): Signal => ({ kind: 'polled', items, missing: ids.filter((id) => !items.some((i) => i.item_id === id)) })),
        );
      };
      subscriptions.add(tick$.pipe(exhaustMap(poll)).subscribe({ next: (s) => signals.next(s), error: fail }));
    };

    const queuedEvents = (itemIds: readonly number[]): Observable<RunEvent> => {
      const status$ =
        options.queuePosition === false
          ? of(null)
          : defer(() => client.queue.getStatus()).pipe(
              timeout({ first: pollInterval, scheduler }),
              catchError(() => of(null)),
            );
      return status$.pipe(
        concatMap((status) => {
          // FIFO within a priority: every other pending item is ahead, unless prepended.
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
    };

    const handle = (signal: Signal): Observable<RunEvent> => {
      switch (signal.kind) {
        case 'enqueued': {
          const { result } = signal;
          const itemIds = [...result.item_ids].sort((a, b) => a - b);
          if (itemIds.length === 0) {
            // Nothing was queued: there is nothing to cancel either.
            tracker.setEnqueued([]);
            stage = 'tracking';
            throw new EnqueueError({ batch_id: batchId, requested: result.requested, enqueued: result.enqueued });
          }
          tracker.setEnqueued(itemIds);
          stage = 'tracking';
          for (const s of buffered.splice(0)) signals.next(s);
          startPolling();
          const enqueued: RunEvent = { type: 'enqueued', batch_id: batchId, item_ids: itemIds, at: now() };
          return concat(of(enqueued), queuedEvents(itemIds));
        }
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
        case 'polled': {
          // Item by item, as the events go out: the run ends with the event that resolves its last
          // item, so a poll that sees several items finished must not resolve them all up front.
          const itemEvents = (item: SessionQueueItem): RunEvent[] => {
            const { events, terminal } = tracker.onStatus(item.item_id, item.status, item.status_sequence);
            if (terminal || (isTerminalStatus(item.status) && tracker.activeIds().includes(item.item_id))) {
              events.push(...outcomeEvents(tracker.resolve(item, workflow), item.item_id));
            }
            return events;
          };
          return concat(
            from(signal.items).pipe(concatMap((item) => defer(() => itemEvents(item)))),
            from(signal.missing).pipe(concatMap((id) => defer(() => outcomeEvents(tracker.resolveMissing(id), id)))),
          );
        }
        case 'deadline': {
          const due = tracker.nextDeadline();
          if (due && due.at <= now()) {
            throw new RunTimeoutError({ phase: due.phase, timeout: due.timeout, item_id: due.item_id });
          }
          return EMPTY;
        }
      }
    };

    // 1. Events first: nothing is sent before the run listens.
    const events = client.events;
    subscriptions.add(
      // The per-item events of this batch only, routed by batch id (or origin) per client.
      batchEvents(events, batchId, generatedOrigin ? (batch.origin ?? null) : null)
        .pipe(
          map(
            (e): Signal =>
              e.name === 'queue_item_status_changed' ? { kind: 'status', payload: e.payload } : { kind: 'invocation', name: e.name, payload: e.payload },
          ),
        )
        .subscribe((s) => {
          if ((s.kind === 'status' || s.kind === 'invocation') && ours(s.payload)) {
            if (s.kind === 'invocation' && s.name === 'invocation_error') {
              tracker.noteInvocationError(s.payload.item_id, s.payload.invocation_source_id);
            }
            push(s);
          }
        }),
    );
    subscriptions.add(
      merge(
        events.on('queue_items_canceled').pipe(map((e): Signal => ({ kind: 'canceled', item_ids: e.canceled_item_ids }))),
        events.on('queue_cleared').pipe(map((): Signal => ({ kind: 'cleared' }))),
      ).subscribe(push),
    );

    // 2. Signals are handled one at a time, in arrival order.
    subscriptions.add(
      signals
        .pipe(
          concatMap((signal) =>
            concat(
              defer(() => handle(signal)),
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

    // 3. Timeouts.
    subscriptions.add(
      deadline$
        .pipe(
          distinctUntilChanged((a, b) => a?.at === b?.at && a?.phase === b?.phase && a?.item_id === b?.item_id),
          switchMap((d) => (d ? timer(Math.max(0, d.at - now()), scheduler) : EMPTY)),
        )
        .subscribe(() => signals.next({ kind: 'deadline' })),
    );

    // 4. Wait (briefly) for the socket, then enqueue.
    subscriptions.add(
      events.connected$
        .pipe(
          first((connected) => connected, false),
          timeout({ first: connectTimeout, with: () => of(false), scheduler }),
        )
        .subscribe(() => {
          stage = 'enqueuing';
          enqueue$ = new ReplaySubject<EnqueueBatchResult>(1);
          // Not part of `subscriptions`: an enqueue in flight is let finish so that it can be canceled.
          defer(() => client.queue.enqueueBatch(batch, options.prepend ? { prepend: true } : undefined)).subscribe(enqueue$);
          subscriptions.add(
            enqueue$.subscribe({
              next: (result) => signals.next({ kind: 'enqueued', result }),
              error: (error) => {
                enqueueError = error;
                fail(error);
              },
            }),
          );
        }),
    );

    return () => {
      subscriptions.unsubscribe();
      deadline$.complete();
      if (tracker.done || (!errored && options.cancelOnUnsubscribe === false)) return;
      const noop = () => {};
      if (stage === 'enqueuing' && enqueue$) {
        // A 4xx answer means nothing was queued; anything else may have queued the batch.
        if (enqueueError !== undefined && isHttpError(enqueueError) && enqueueError.status < 500) return;
        enqueue$
          .pipe(
            map(() => null),
            catchError(() => of(null)),
            take(1),
            concatMap(() => defer(() => client.queue.cancelByBatchIds([batchId]))),
          )
          .subscribe({ error: noop });
      } else if (stage === 'tracking') {
        const active = tracker.activeIds();
        if (active.length === 0) return;
        defer(() => (active.length === 1 ? client.queue.cancelItem(active[0]!) : client.queue.cancelByBatchIds([batchId]))).subscribe({
          error: noop,
        });
      }
    };
  });
}

function prepareBatch(input: RunInput, options: RunWorkflowOptions): { batch: Batch; workflow: Workflow | undefined; generatedOrigin: boolean } {
  const generatedOrigin = options.origin === undefined && !('batch' in input && input.batch.origin);
  const origin = options.origin ?? `invokeai-rx:${randomId()}`;
  if ('batch' in input) {
    const given = input.batch;
    const batch: Batch = {
      ...given,
      batch_id: options.batchId ?? given.batch_id ?? randomId(),
      origin: options.origin ?? given.origin ?? origin,
    };
    if (options.runs !== undefined) batch.runs = options.runs;
    if (options.data) batch.data = [...(given.data ?? []), ...options.data];
    if (options.destination !== undefined) batch.destination = options.destination;
    return { batch, workflow: input.workflow, generatedOrigin };
  }
  const batch = buildBatch(input, {
    ...options.buildOptions,
    batch_id: options.batchId ?? randomId(),
    origin,
    ...(options.runs !== undefined ? { runs: options.runs } : {}),
    ...(options.data ? { data: options.data } : {}),
    ...(options.destination !== undefined ? { destination: options.destination } : {}),
  });
  return { batch, workflow: input, generatedOrigin };
}

function isNotFound(error: unknown): boolean {
  return isHttpError(error) && error.status === 404;
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  // Non-secure browser contexts lack randomUUID; a batch id only has to be unique, not secret.
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (ch) => {
    const r = (Math.random() * 16) | 0;
    return (ch === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0)) throw new TypeError(`runWorkflow: ${name} must be a number of ms > 0, got ${String(value)}.`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value >= 0)) throw new TypeError(`runWorkflow: ${name} must be a number of ms >= 0, got ${String(value)}.`);
  return value;
}
