import { type Observable, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import type { RunInput, RunWorkflowOptions } from '../src/run/runWorkflow.js';
import type { RunEvent } from '../src/run/types.js';
import { PoolDispatcher } from './internal/pool/PoolDispatcher.js';
import { createPoolClient } from './internal/pool/poolClient.js';
import type { ServerHealth } from './internal/pool/PoolServer.js';

export { PoolError, isPoolError, type PoolErrorReason } from './errors/PoolError.js';
export type { ServerHealth } from './internal/pool/PoolServer.js';

/** Options of {@link pool}. */
export interface PoolOptions {
  /**
   * How many jobs the pool keeps on each server at once (running there or waiting in its queue).
   * This is the pipelining depth: at 2, the next job is already queued on the server when the
   * current one finishes, so its GPU never waits for the client. More jobs wait in the pool and
   * go to whichever server frees a slot first.
   * @default 2
   */
  perServer?: number;
  /** Milliseconds between health checks (`GET /api/v1/app/version`) while jobs are active. @default 5000 */
  healthInterval?: number;
  /** A health check not answered within this many ms marks the server down. @default 3000 */
  healthTimeout?: number;
  /**
   * A job that had **started** on a server that went down is resubmitted to another server
   * (`true`) or fails with a `PoolError` of reason `server-lost` (`false`). Jobs that had not
   * started are always moved. @default false
   */
  resubmitStarted?: boolean;
  /**
   * Re-bind each job's model references to the target server's installed models (model keys
   * differ between installs; hashes and names do not). @default true
   */
  syncModels?: boolean;
  /** How many image → server entries to remember (for routing jobs to their input's server). @default 100000 */
  imageMemory?: number;
  /** Scheduler for health-check timers. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/** A set of InvokeAI servers used as one. */
export interface InvokeAIPool {
  /** The servers, in the order given. */
  readonly clients: readonly InvokeAIClient[];
  /**
   * A client for stage operators and `cleanup`: image calls go to the server that holds the
   * image, models and boards to the first server that is up. Its queue refuses calls (use `run`).
   */
  readonly client: InvokeAIClient;
  /**
   * `runWorkflow` over the pool, with its signature (the `client` argument is ignored: the pool
   * picks the server), so that a stage takes it as its `run` option.
   */
  readonly run: (client: InvokeAIClient | null, input: RunInput, options?: RunWorkflowOptions) => Observable<RunEvent>;
  /** Each server's health and load; replays the latest snapshot. */
  readonly health$: Observable<readonly ServerHealth[]>;
  /** The server an image was made on, when this pool made it. */
  serverOf(imageName: string): InvokeAIClient | undefined;
  /** Runs a health check on every server now. */
  checkHealth(): void;
  /** Stops health checks and fails the jobs still waiting for a server; runs in flight go on. */
  close(): void;
}

/**
 * Spreads workflow runs over several InvokeAI servers: how to scale past one GPU.
 *
 * <span class="informal">Many servers, one queue: each job goes to the least-busy healthy server.</span>
 *
 * ```
 * jobs:      --a-b-c-d-e----------------------|
 * pool([A, B], { perServer: 2 })
 * server A:  --a---c-------e-----|             (at most 2 at a time per server)
 * server B:  ----b---d--✗                      (B dies: d, not started, moves to A)
 * server A':           d'------|
 * results:   ------a--b---c----d'--e---------|  (each job completes once)
 * ```
 *
 * - **Dispatch**: a job goes to the healthy server with the fewest jobs in flight, if it has a
 *   free slot (`perServer`); otherwise it waits in the pool. A job whose input image was made
 *   on one server (the previous stage's result) runs on that server: images stay where they
 *   were made, so a chain's stages run on one GPU while different chains spread out.
 * - **Health**: while jobs are active every server is checked (`/api/v1/app/version`) each
 *   `healthInterval`; no job is sent to a server that has not answered. A failed check, or a
 *   run that hits a network error, marks the server down; it comes back when a check answers.
 * - **Failover**: the jobs a downed server had not started are canceled there (now, or when it
 *   answers again) and re-dispatched; started ones fail with `PoolError` (`server-lost`) unless
 *   `resubmitStarted`. Jobs pinned to a downed server's images fail with `PoolError`
 *   (`image-unavailable`). A job's events come from one attempt at a time, so each job emits
 *   its result exactly once; after a move it emits a new `enqueued` for its new queue items.
 * - **Run ids**: a job with `runId` (a durable stage's) is first looked up on every server that is
 *   up (each one's `list_all?destination=<runId>`, shared by the jobs that look up within
 *   `runLookupMaxAge`). Work found is followed on the server that has it (a result before work
 *   under way before a failure); only missing work is dispatched. So a run resumed by another
 *   process, whose new pool knows nothing of where the work went, redoes nothing.
 * - **Models**: each job's model references are re-bound to the target server's models.
 * - Boards are per server: a stage's `board` option resolves the board on the first server only,
 *   so leave it unset with a pool of several servers.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { cleanup, generateBase, pool, refine } from 'invokeai-rx/operators';
 *
 * const gpus = pool(['http://gpu1:9090', 'http://gpu2:9090'].map((url) => InvokeAIClient.fromUrl(url)), { perServer: 2 });
 * const { client, run } = gpus;
 * from(prompts)
 *   .pipe(
 *     generateBase(client, { workflow: await loadWorkflowFile('data/workflows/sdxl_base.json'), run, concurrency: 8 }),
 *     refine(client, { workflow: await loadWorkflowFile('data/workflows/sdxl_refiner.json'), run, concurrency: 8 }),
 *     cleanup(client),
 *   )
 *   .subscribe({ next: (r) => console.log(r.imageName, gpus.serverOf(r.imageName)?.config.origin), complete: () => gpus.close() });
 * ```
 *
 * @param clients The servers (at least one).
 * @param options Per-server depth, health checks, failover policy.
 * @return The pool: `run` for stages, `client` for stages and cleanup, `health$`, `close()`.
 */
export function pool(clients: readonly InvokeAIClient[], options: PoolOptions = {}): InvokeAIPool {
  if (!Array.isArray(clients) || clients.length === 0) throw new TypeError('pool: give at least one client.');
  const perServer = options.perServer ?? 2;
  if (!(Number.isInteger(perServer) && perServer >= 1)) throw new TypeError(`pool: perServer must be an integer >= 1, got ${String(perServer)}.`);
  const healthInterval = positive(options.healthInterval, 5_000, 'healthInterval');
  const healthTimeout = positive(options.healthTimeout, 3_000, 'healthTimeout');
  const imageMemory = options.imageMemory ?? 100_000;
  if (!(Number.isInteger(imageMemory) && imageMemory > 0)) throw new TypeError(`pool: imageMemory must be a positive integer, got ${String(imageMemory)}.`);

  const dispatcher = new PoolDispatcher([...clients], {
    perServer,
    healthInterval,
    healthTimeout,
    resubmitStarted: options.resubmitStarted ?? false,
    syncModels: options.syncModels ?? true,
    imageMemory,
    scheduler: options.scheduler ?? asyncScheduler,
  });
  return {
    clients: Object.freeze([...clients]),
    client: createPoolClient([...clients], dispatcher),
    run: (_client, input, runOptions) => dispatcher.run(input, runOptions),
    health$: dispatcher.health$,
    serverOf: (name) => dispatcher.ownerOf(name),
    checkHealth: () => dispatcher.checkNow(),
    close: () => dispatcher.close(),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0)) throw new TypeError(`pool: ${name} must be a number of ms > 0, got ${String(value)}.`);
  return value;
}
