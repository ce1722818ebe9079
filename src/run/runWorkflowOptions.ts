import { type SchedulerLike, asyncScheduler } from 'rxjs';
import type { Batch, BatchDatum } from '../schemas/graph.js';
import type { BuildBatchOptions } from '../workflow/buildBatch.js';
import type { Workflow } from '../workflow/Workflow.js';
import { checkRunPlace } from './runIds.js';
import type { RunTimeouts } from './types.js';

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
  /**
   * Makes the run durable: the server's queue is its journal. The batch id is derived from
   * `runId`, `runPosition` and the attempt number, the items carry `destination: runId` and an
   * `origin` that hashes the work, and before enqueueing the run looks its batch up (one shared
   * `list_all?destination=runId` per `runLookupMaxAge`):
   * - completed → the result is read from the item, nothing is enqueued;
   * - pending or running → the run follows it (events + item reads, as for a new one);
   * - failed → the run fails with the server's error, as it did then;
   * - canceled, or found with another origin (other values under the same position) → the next
   *   attempt number is looked up, and so on;
   * - missing (never enqueued, pruned, a server that lost its queue) → enqueued, once.
   *
   * So the same run subscribed again (after a crash, in another process) redoes nothing that is
   * done or under way. `batchId`, `origin` and `destination` cannot be set with it.
   * @default none (every subscription is a new batch)
   */
  runId?: string;
  /** Where this work sits in the run (e.g. `stage:key:pass`); distinct work needs distinct positions. @default '' */
  runPosition?: string;
  /** The first attempt number to look up (a resubmission after an interruption passes the next one). @default 0 */
  runAttempt?: number;
  /** How old (ms) a listing of the run's items may be to be reused by another look-up. @default 5000 */
  runLookupMaxAge?: number;
}

/** The options `runWorkflow` needs at every turn, checked and with their defaults. */
export interface RunSettings {
  pollInterval: number;
  pollIntervalWithoutSocket: number;
  connectTimeout: number;
  scheduler: SchedulerLike;
  itemErrors: 'throw' | 'emit';
  /** Set when `runId` is. */
  durable: { runId: string; position: string; attempt: number; maxAge: number } | null;
}

/** Checks the options once, when the run is created (not when subscribed), so a typo throws at the call. */
export function runSettings(options: RunWorkflowOptions): RunSettings {
  const pollInterval = positive(options.pollInterval, DEFAULT_POLL_INTERVAL, 'pollInterval');
  const pollIntervalWithoutSocket = positive(options.pollIntervalWithoutSocket, DEFAULT_POLL_INTERVAL_WITHOUT_SOCKET, 'pollIntervalWithoutSocket');
  const connectTimeout = nonNegative(options.connectTimeout, DEFAULT_CONNECT_TIMEOUT, 'connectTimeout');
  for (const [phase, ms] of Object.entries(options.timeouts ?? {})) nonNegative(ms, Infinity, `timeouts.${phase}`);
  return {
    pollInterval,
    pollIntervalWithoutSocket,
    connectTimeout,
    scheduler: options.scheduler ?? asyncScheduler,
    itemErrors: options.itemErrors ?? 'throw',
    durable: durableSettings(options),
  };
}

/** Reads the run-id options; `undefined` without a `runId`. */
function durableSettings(options: RunWorkflowOptions): RunSettings['durable'] {
  if (options.runId === undefined) {
    if (options.runPosition !== undefined || options.runAttempt !== undefined) throw new TypeError('runWorkflow: runPosition and runAttempt need a runId.');
    return null;
  }
  const position = options.runPosition ?? '';
  const attempt = options.runAttempt ?? 0;
  checkRunPlace(options.runId, position, attempt, 'runWorkflow');
  for (const name of ['batchId', 'origin', 'destination'] as const) {
    if (options[name] !== undefined) throw new TypeError(`runWorkflow: ${name} cannot be set with runId: the run id determines it.`);
  }
  const maxAge = nonNegative(options.runLookupMaxAge, 5_000, 'runLookupMaxAge');
  return { runId: options.runId, position, attempt, maxAge };
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
