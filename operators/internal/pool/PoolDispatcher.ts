import { EMPTY, Observable, type SchedulerLike, catchError } from 'rxjs';
import type { InvokeAIClient } from '../../../src/client/types.js';
import { isNetworkError, isRequestTimeoutError } from '../../../src/errors/guards.js';
import { type RunInput, type RunWorkflowOptions, runWorkflow } from '../../../src/run/runWorkflow.js';
import type { RunEvent } from '../../../src/run/types.js';
import { PoolError } from '../../errors/PoolError.js';
import { BoundedMap } from './BoundedMap.js';
import { imageInputs } from './imageInputs.js';
import { inputForServer } from './inputForServer.js';
import { locateRunWork } from './locateRunWork.js';
import { PoolHealthMonitor } from './PoolHealthMonitor.js';
import type { PoolJob } from './PoolJob.js';
import { poolServer, type PoolServer, type ServerHealth } from './PoolServer.js';
import { randomUUID } from '../../../src/util/randomUUID.js';

export interface PoolDispatcherOptions {
  perServer: number;
  healthInterval: number;
  healthTimeout: number;
  resubmitStarted: boolean;
  syncModels: boolean;
  imageMemory: number;
  scheduler: SchedulerLike;
}

/**
 * The dispatcher behind `pool()`: a local queue of jobs, each sent to the least-loaded healthy
 * server with a free slot (or, when its input images were made on one server, to that server),
 * and re-dispatch of the jobs a failed server had not started. Which servers are healthy is the
 * {@link PoolHealthMonitor}'s to say. Every job's events come from exactly one attempt at a time,
 * so its result is emitted once however often it moved.
 */
export class PoolDispatcher {
  readonly #servers: PoolServer[];
  readonly #options: PoolDispatcherOptions;
  readonly #queue: PoolJob[] = [];
  readonly #owners: BoundedMap<string, PoolServer>;
  readonly #health: PoolHealthMonitor;
  /** Jobs with an attempt on a server (re-dispatched when their server fails). */
  readonly #inFlight = new Set<PoolJob>();
  #closed = false;

  constructor(clients: readonly InvokeAIClient[], options: PoolDispatcherOptions) {
    this.#options = options;
    this.#owners = new BoundedMap(options.imageMemory);
    this.#servers = clients.map(poolServer);
    this.#health = new PoolHealthMonitor(this.#servers, options, {
      down: (server, error) => this.#moveJobs(server, error),
      recovered: (server) => this.#cancelAbandoned(server),
      checked: () => this.#pump(),
    });
  }

  get health$(): Observable<readonly ServerHealth[]> {
    return this.#health.health$;
  }

  /** The client of the server an image was made on, when this pool made it. */
  ownerOf(imageName: string): InvokeAIClient | undefined {
    return this.#owners.get(imageName)?.client;
  }

  /** The clients of the servers that are up, least loaded first. */
  upClients(): InvokeAIClient[] {
    return this.#up().map((s) => s.client);
  }

  run(input: RunInput, options: RunWorkflowOptions = {}): Observable<RunEvent> {
    return new Observable<RunEvent>((subscriber) => {
      if (this.#closed) {
        subscriber.error(new PoolError({ reason: 'closed' }));
        return;
      }
      const job: PoolJob = {
        input,
        options,
        origin: options.origin ?? `invokeai-rx:${randomUUID()}`,
        images: imageInputs(input),
        subscriber,
        server: null,
        attempt: null,
        attempts: 0,
        batchId: null,
        started: false,
        finished: false,
        home: undefined,
        locating: null,
      };
      this.#queue.push(job);
      this.#health.track(1);
      this.#pump();
      return () => {
        if (job.finished) return;
        job.finished = true;
        job.locating?.unsubscribe();
        this.#health.track(-1);
        const queued = this.#queue.indexOf(job);
        if (queued >= 0) this.#queue.splice(queued, 1);
        // runWorkflow's teardown cancels the job's queue items on its server.
        this.#abandon(job);
        this.#pump();
      };
    });
  }

  /** Checks every server now (not waiting for the interval). */
  checkNow(): void {
    this.#health.checkNow();
  }

  close(): void {
    this.#closed = true;
    this.#health.stop();
    for (const job of this.#queue.splice(0)) this.#fail(job, new PoolError({ reason: 'closed' }));
    this.#health.complete();
  }

  // ── dispatch ────────────────────────────────────────────────────────────────────────────────

  #up(): PoolServer[] {
    return this.#servers.filter((s) => s.status === 'up').sort((a, b) => a.inFlight - b.inFlight);
  }

  #pump(): void {
    if (this.#closed || this.#queue.length === 0) return;
    const perServer = this.#options.perServer;
    for (let i = 0; i < this.#queue.length; ) {
      const free = this.#up().filter((s) => s.inFlight < perServer);
      if (free.length === 0) break;
      const job = this.#queue[i]!;
      if (job.home === undefined && job.options.runId !== undefined) {
        this.#locate(job);
        if (job.home === undefined) {
          i += 1;
          continue;
        }
      }
      // Work found on a server is followed there; otherwise the job goes where its images are.
      const pinned = job.home?.status === 'up' ? job.home : this.#pinnedServer(job);
      if (pinned instanceof PoolError) {
        this.#queue.splice(i, 1);
        this.#fail(job, pinned);
        continue;
      }
      const target = pinned === null ? free[0] : free.find((s) => s === pinned);
      if (!target) {
        i += 1;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#dispatch(job, target);
    }
  }

  /**
   * Looks the job's work up on every server that is up (once no server's health is unknown), so
   * that work done or under way on one server is not redone on another. May answer at once.
   */
  #locate(job: PoolJob): void {
    if (job.locating || this.#servers.some((s) => s.status === 'unknown')) return;
    let sync = true;
    const located = (home: PoolServer | null) => {
      job.locating = null;
      job.home = home;
      if (!sync) this.#pump();
    };
    const sub = locateRunWork(this.#up(), (s) => inputForServer(job.input, s, this.#options.syncModels), job.options, this.#options.scheduler.now()).subscribe({
      next: located,
      error: () => located(null),
    });
    sync = false;
    if (job.home === undefined) job.locating = sub;
  }

  /** The server holding the job's input images, an error when it is down, null when unpinned. */
  #pinnedServer(job: PoolJob): PoolServer | PoolError | null {
    for (const name of job.images) {
      const owner = this.#owners.get(name);
      if (!owner) continue;
      if (owner.status === 'down') return new PoolError({ reason: 'image-unavailable', server: owner.url, imageName: name });
      return owner;
    }
    return null;
  }

  #dispatch(job: PoolJob, server: PoolServer): void {
    server.inFlight += 1;
    job.server = server;
    this.#inFlight.add(job);
    job.attempts += 1;
    const attempt = job.attempts;
    // A user-chosen batch id is kept; otherwise each attempt has its own, so that a late cancel of
    // an abandoned attempt can never hit the attempt that replaced it.
    job.batchId = job.options.batchId ?? randomUUID();
    const input = inputForServer(job.input, server, this.#options.syncModels);
    this.#health.publish();
    // Under a run id the run derives its batch id and origin (and looks the work up on this server).
    const ids = job.options.runId !== undefined ? {} : { origin: job.origin, batchId: job.batchId };
    const run$ = runWorkflow(server.client, input, { ...job.options, ...ids });
    job.attempt = run$.subscribe({
      next: (event) => {
        if (job.finished || job.attempts !== attempt) return;
        if (event.type === 'started') job.started = true;
        if (event.type === 'completed') {
          for (const name of event.result.images) this.#owners.set(name, server);
          server.completed += 1;
        }
        job.subscriber.next(event);
      },
      error: (error: unknown) => {
        if (job.finished || job.attempts !== attempt) return;
        this.#release(job);
        if (isServerFailure(error)) {
          this.#health.markDown(server, error);
          this.#retryOrFail(job, server, error);
        } else {
          this.#finish(job);
          job.subscriber.error(error);
        }
        this.#pump();
      },
      complete: () => {
        if (job.finished || job.attempts !== attempt) return;
        this.#release(job);
        this.#finish(job);
        job.subscriber.complete();
        this.#pump();
      },
    });
  }

  #release(job: PoolJob): void {
    this.#inFlight.delete(job);
    if (job.server) {
      job.server.inFlight -= 1;
      job.server = null;
      this.#health.publish();
    }
    job.attempt = null;
  }

  #finish(job: PoolJob): void {
    if (job.finished) return;
    job.finished = true;
    job.locating?.unsubscribe();
    this.#health.track(-1);
  }

  #fail(job: PoolJob, error: unknown): void {
    if (job.finished) return;
    this.#finish(job);
    job.subscriber.error(error);
  }

  /** Stops the job's current attempt (its run cancels what it queued, if the server answers). */
  #abandon(job: PoolJob): void {
    const { attempt, server, batchId } = job;
    job.attempts += 1;
    this.#release(job);
    attempt?.unsubscribe();
    if (server && batchId && server.status !== 'up') server.toCancel.add(batchId);
  }

  #retryOrFail(job: PoolJob, server: PoolServer, cause: unknown): void {
    if (job.finished) return;
    if (job.started && !this.#options.resubmitStarted) {
      this.#fail(job, new PoolError({ reason: 'server-lost', server: server.url, cause }));
      return;
    }
    if (job.batchId) server.toCancel.add(job.batchId);
    job.started = false;
    job.home = undefined;
    this.#queue.unshift(job);
  }

  // ── failover ────────────────────────────────────────────────────────────────────────────────

  /** A server went down: its jobs that had not started go back to the queue; started ones fail unless resubmitted. */
  #moveJobs(server: PoolServer, error: unknown): void {
    const moved: PoolJob[] = [];
    for (const job of this.#running(server)) {
      const batchId = job.batchId;
      this.#abandon(job);
      if (batchId) server.toCancel.add(batchId);
      if (job.started && !this.#options.resubmitStarted) {
        this.#fail(job, new PoolError({ reason: 'server-lost', server: server.url, cause: error }));
      } else {
        job.started = false;
        job.home = undefined;
        moved.push(job);
      }
    }
    this.#queue.unshift(...moved);
  }

  #running(server: PoolServer): PoolJob[] {
    return [...this.#inFlight].filter((j) => j.server === server && !j.finished);
  }

  /** Queue items of attempts abandoned while the server was unreachable are canceled now. */
  #cancelAbandoned(server: PoolServer): void {
    if (server.toCancel.size === 0) return;
    const ids = [...server.toCancel];
    server.toCancel.clear();
    server.client.queue.cancelByBatchIds(ids).pipe(catchError(() => EMPTY)).subscribe();
  }
}

/** Errors that say the server is unreachable, not that the job is wrong. */
function isServerFailure(error: unknown): boolean {
  return isNetworkError(error) || isRequestTimeoutError(error);
}
