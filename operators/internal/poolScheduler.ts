import {
  BehaviorSubject,
  EMPTY,
  Observable,
  type SchedulerLike,
  Subscriber,
  Subscription,
  catchError,
  map,
  of,
  switchMap,
  timeout,
  timer,
} from 'rxjs';
import type { InvokeAIClient } from '../../src/client/types.js';
import { isNetworkError, isRequestTimeoutError } from '../../src/errors/guards.js';
import { imageInputs } from '../../src/pool/imageInputs.js';
import { PoolError } from '../../src/pool/PoolError.js';
import { type RunInput, type RunWorkflowOptions, runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import type { ModelLike } from '../../src/workflow/syncModels.js';
import { syncModels } from '../../src/workflow/syncModels.js';
import { BoundedMap } from './poolBoundedMap.js';

/** Health of one server of a pool, as `pool.health$` reports it. */
export interface ServerHealth {
  /** Position of the server in the pool's client list. */
  readonly index: number;
  /** `origin + basePath`. */
  readonly url: string;
  /** `unknown` until the first health check answers. Jobs go only to `up` servers. */
  readonly status: 'unknown' | 'up' | 'down';
  /** Jobs this pool has on the server now (queued there or running). */
  readonly inFlight: number;
  /** Jobs completed on the server through this pool. */
  readonly completed: number;
  /** `version` from the last successful health check. */
  readonly version: string | null;
  /** Why the server was last marked down. */
  readonly lastError: unknown;
}

export interface PoolSchedulerOptions {
  perServer: number;
  healthInterval: number;
  healthTimeout: number;
  resubmitStarted: boolean;
  syncModels: boolean;
  imageMemory: number;
  scheduler: SchedulerLike;
}

interface Server {
  readonly index: number;
  readonly client: InvokeAIClient;
  readonly url: string;
  status: 'unknown' | 'up' | 'down';
  inFlight: number;
  completed: number;
  version: string | null;
  lastError: unknown;
  models: readonly ModelLike[] | null;
  lastCheck: number;
  checking: Subscription | null;
  /** Batches of abandoned attempts, canceled once the server answers again. */
  readonly toCancel: Set<string>;
}

interface Job {
  readonly input: RunInput;
  readonly options: RunWorkflowOptions;
  readonly origin: string;
  readonly images: readonly string[];
  readonly subscriber: Subscriber<RunEvent>;
  server: Server | null;
  attempt: Subscription | null;
  attempts: number;
  batchId: string | null;
  started: boolean;
  finished: boolean;
}

/**
 * The dispatcher behind `pool()`: a local queue of jobs, each sent to the least-loaded healthy
 * server with a free slot (or, when its input images were made on one server, to that server),
 * health checks while jobs are active, and re-dispatch of the jobs a failed server had not
 * started. Every job's events come from exactly one attempt at a time, so its result is
 * emitted once however often it moved.
 */
export class PoolScheduler {
  readonly #servers: Server[];
  readonly #options: PoolSchedulerOptions;
  readonly #queue: Job[] = [];
  readonly #owners: BoundedMap<string, Server>;
  readonly #health$: BehaviorSubject<readonly ServerHealth[]>;
  /** Jobs with an attempt on a server (re-dispatched when their server fails). */
  readonly #inFlight = new Set<Job>();
  #active = 0;
  #loop: Subscription | null = null;
  #closed = false;

  constructor(clients: readonly InvokeAIClient[], options: PoolSchedulerOptions) {
    this.#options = options;
    this.#owners = new BoundedMap(options.imageMemory);
    this.#servers = clients.map((client, index) => ({
      index,
      client,
      url: `${client.config.origin}${client.config.basePath}`,
      status: 'unknown',
      inFlight: 0,
      completed: 0,
      version: null,
      lastError: null,
      models: null,
      lastCheck: -Infinity,
      checking: null,
      toCancel: new Set(),
    }));
    this.#health$ = new BehaviorSubject(this.#snapshot());
  }

  get health$(): Observable<readonly ServerHealth[]> {
    return this.#health$.asObservable();
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
      const job: Job = {
        input,
        options,
        origin: options.origin ?? `invokeai-rx:${randomId()}`,
        images: imageInputs(input),
        subscriber,
        server: null,
        attempt: null,
        attempts: 0,
        batchId: null,
        started: false,
        finished: false,
      };
      this.#queue.push(job);
      this.#activate(1);
      this.#pump();
      return () => {
        if (job.finished) return;
        job.finished = true;
        this.#activate(-1);
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
    for (const s of this.#servers) this.#check(s);
  }

  close(): void {
    this.#closed = true;
    this.#loop?.unsubscribe();
    this.#loop = null;
    for (const s of this.#servers) s.checking?.unsubscribe();
    for (const job of this.#queue.splice(0)) this.#fail(job, new PoolError({ reason: 'closed' }));
    this.#health$.complete();
  }

  // ── dispatch ────────────────────────────────────────────────────────────────────────────────

  #up(): Server[] {
    return this.#servers.filter((s) => s.status === 'up').sort((a, b) => a.inFlight - b.inFlight);
  }

  #pump(): void {
    if (this.#closed || this.#queue.length === 0) return;
    const perServer = this.#options.perServer;
    for (let i = 0; i < this.#queue.length; ) {
      const free = this.#up().filter((s) => s.inFlight < perServer);
      if (free.length === 0) break;
      const job = this.#queue[i]!;
      const pinned = this.#pinnedServer(job);
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

  /** The server holding the job's input images, an error when it is down, null when unpinned. */
  #pinnedServer(job: Job): Server | PoolError | null {
    for (const name of job.images) {
      const owner = this.#owners.get(name);
      if (!owner) continue;
      if (owner.status === 'down') return new PoolError({ reason: 'image-unavailable', server: owner.url, imageName: name });
      return owner;
    }
    return null;
  }

  #dispatch(job: Job, server: Server): void {
    server.inFlight += 1;
    job.server = server;
    this.#inFlight.add(job);
    job.attempts += 1;
    const attempt = job.attempts;
    // A user-chosen batch id is kept; otherwise each attempt has its own, so that a late cancel of
    // an abandoned attempt can never hit the attempt that replaced it.
    job.batchId = job.options.batchId ?? randomId();
    const input = this.#prepare(job.input, server);
    this.#publish();
    const run$ = runWorkflow(server.client, input, { ...job.options, origin: job.origin, batchId: job.batchId });
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
          this.#markDown(server, error);
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

  /** The input as this server needs it: model references re-bound to its installed models. */
  #prepare(input: RunInput, server: Server): RunInput {
    if (!this.#options.syncModels || 'batch' in input || server.models === null) return input;
    // Model keys are install-specific; hashes and names are not. A reference the server cannot
    // match is left for the server to report (its error names the node).
    try {
      return syncModels(input, server.models, { explicit: new Set() });
    } catch {
      return input;
    }
  }

  #release(job: Job): void {
    this.#inFlight.delete(job);
    if (job.server) {
      job.server.inFlight -= 1;
      job.server = null;
      this.#publish();
    }
    job.attempt = null;
  }

  #finish(job: Job): void {
    if (job.finished) return;
    job.finished = true;
    this.#activate(-1);
  }

  #fail(job: Job, error: unknown): void {
    if (job.finished) return;
    this.#finish(job);
    job.subscriber.error(error);
  }

  /** Stops the job's current attempt (its run cancels what it queued, if the server answers). */
  #abandon(job: Job): void {
    const { attempt, server, batchId } = job;
    job.attempts += 1;
    this.#release(job);
    attempt?.unsubscribe();
    if (server && batchId && server.status !== 'up') server.toCancel.add(batchId);
  }

  #retryOrFail(job: Job, server: Server, cause: unknown): void {
    if (job.finished) return;
    if (job.started && !this.#options.resubmitStarted) {
      this.#fail(job, new PoolError({ reason: 'server-lost', server: server.url, cause }));
      return;
    }
    if (job.batchId) server.toCancel.add(job.batchId);
    job.started = false;
    this.#queue.unshift(job);
  }

  // ── health ──────────────────────────────────────────────────────────────────────────────────

  #markDown(server: Server, error: unknown): void {
    const wasDown = server.status === 'down';
    server.status = 'down';
    server.lastError = error;
    server.models = null;
    if (!wasDown) {
      const moved: Job[] = [];
      for (const job of this.#running(server)) {
        const batchId = job.batchId;
        this.#abandon(job);
        if (batchId) server.toCancel.add(batchId);
        if (job.started && !this.#options.resubmitStarted) {
          this.#fail(job, new PoolError({ reason: 'server-lost', server: server.url, cause: error }));
        } else {
          job.started = false;
          moved.push(job);
        }
      }
      this.#queue.unshift(...moved);
    }
    this.#publish();
  }

  #running(server: Server): Job[] {
    return [...this.#inFlight].filter((j) => j.server === server && !j.finished);
  }

  #activate(delta: 1 | -1): void {
    this.#active += delta;
    if (this.#active > 0 && this.#loop === null && !this.#closed) this.#startLoop();
    if (this.#active === 0 && this.#loop !== null) {
      this.#loop.unsubscribe();
      this.#loop = null;
    }
  }

  /**
   * Health checks run only while jobs are active, so an idle pool holds no timers. A server
   * checked less than one interval ago is not checked again on restart (no request per job).
   */
  #startLoop(): void {
    const { scheduler, healthInterval } = this.#options;
    const loop = new Subscription();
    this.#loop = loop;
    for (const server of this.#servers) {
      const due = Math.max(0, server.lastCheck + healthInterval - scheduler.now());
      loop.add(timer(server.status === 'up' ? due : 0, healthInterval, scheduler).subscribe(() => this.#check(server)));
    }
  }

  #check(server: Server): void {
    if (this.#closed || server.checking) return;
    const { scheduler, healthTimeout } = this.#options;
    const needModels = this.#options.syncModels && server.models === null;
    const check$ = server.client.app.version().pipe(
      switchMap((v) =>
        needModels
          ? server.client.models.list().pipe(map((models) => ({ version: v.version, models: models as readonly ModelLike[] })))
          : of({ version: v.version, models: server.models }),
      ),
      timeout({ first: healthTimeout, scheduler }),
      map((r) => ({ ok: true as const, ...r })),
      catchError((error: unknown) => of({ ok: false as const, error })),
    );
    const sub = new Subscription();
    server.checking = sub;
    sub.add(
      check$.subscribe((r) => {
        server.checking = null;
        server.lastCheck = scheduler.now();
        if (this.#closed) return;
        if (r.ok) {
          const recovered = server.status !== 'up';
          server.status = 'up';
          server.version = r.version;
          server.models = r.models;
          server.lastError = null;
          if (recovered) this.#cancelAbandoned(server);
          this.#publish();
          this.#pump();
        } else {
          this.#markDown(server, r.error);
          this.#pump();
        }
      }),
    );
    // A synchronous answer (a test double) has already cleared `checking`.
    if (sub.closed) server.checking = null;
  }

  /** Queue items of attempts abandoned while the server was unreachable are canceled now. */
  #cancelAbandoned(server: Server): void {
    if (server.toCancel.size === 0) return;
    const ids = [...server.toCancel];
    server.toCancel.clear();
    server.client.queue.cancelByBatchIds(ids).pipe(catchError(() => EMPTY)).subscribe();
  }

  #publish(): void {
    if (!this.#closed) this.#health$.next(this.#snapshot());
  }

  #snapshot(): readonly ServerHealth[] {
    return this.#servers.map((s) =>
      Object.freeze({
        index: s.index,
        url: s.url,
        status: s.status,
        inFlight: s.inFlight,
        completed: s.completed,
        version: s.version,
        lastError: s.lastError,
      }),
    );
  }
}

/** Errors that say the server is unreachable, not that the job is wrong. */
function isServerFailure(error: unknown): boolean {
  return isNetworkError(error) || isRequestTimeoutError(error);
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (ch) => {
    const r = (Math.random() * 16) | 0;
    return (ch === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}
