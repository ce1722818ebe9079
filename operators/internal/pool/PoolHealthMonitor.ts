import { BehaviorSubject, type Observable, type SchedulerLike, Subscription, catchError, map, of, switchMap, timeout, timer } from 'rxjs';
import type { ModelLike } from '../../../src/workflow/syncModels.js';
import { healthOf, type PoolServer, type ServerHealth } from './PoolServer.js';

export interface PoolHealthOptions {
  healthInterval: number;
  healthTimeout: number;
  /** Fetch each server's model list with its first successful check (the dispatcher rebinds models to it). */
  syncModels: boolean;
  scheduler: SchedulerLike;
}

/** What the dispatcher does when the monitor learns something about a server. */
export interface PoolHealthListener {
  /** The server was up (or unknown) and is down now: its jobs must move or fail. */
  down(server: PoolServer, error: unknown): void;
  /** The server answered a check after being down (or unknown). */
  recovered(server: PoolServer): void;
  /** A check ended, either way: a server may have a free slot now. */
  checked(): void;
}

/**
 * The health side of a pool: checks every server (`app.version`, plus its model list when models
 * are rebound) while the pool has active jobs, marks servers up or down, and publishes each
 * server's health and load on `health$`.
 */
export class PoolHealthMonitor {
  readonly #servers: readonly PoolServer[];
  readonly #options: PoolHealthOptions;
  readonly #listener: PoolHealthListener;
  readonly #health$: BehaviorSubject<readonly ServerHealth[]>;
  #active = 0;
  #loop: Subscription | null = null;
  #closed = false;

  constructor(servers: readonly PoolServer[], options: PoolHealthOptions, listener: PoolHealthListener) {
    this.#servers = servers;
    this.#options = options;
    this.#listener = listener;
    this.#health$ = new BehaviorSubject(this.#snapshot());
  }

  get health$(): Observable<readonly ServerHealth[]> {
    return this.#health$.asObservable();
  }

  /** Counts a job in (`1`) or out (`-1`): health checks run only while some job is active. */
  track(delta: 1 | -1): void {
    this.#active += delta;
    if (this.#active > 0 && this.#loop === null && !this.#closed) this.#startLoop();
    if (this.#active === 0 && this.#loop !== null) {
      this.#loop.unsubscribe();
      this.#loop = null;
    }
  }

  /** Checks every server now (not waiting for the interval). */
  checkNow(): void {
    for (const s of this.#servers) this.#check(s);
  }

  /** Marks a server down (a failed check, or a run that could not reach it). */
  markDown(server: PoolServer, error: unknown): void {
    const wasDown = server.status === 'down';
    server.status = 'down';
    server.lastError = error;
    server.models = null;
    if (!wasDown) this.#listener.down(server, error);
    this.publish();
  }

  /** Publishes the servers' current health and load. */
  publish(): void {
    if (!this.#closed) this.#health$.next(this.#snapshot());
  }

  /** Stops every check for good; `health$` stays open until {@link complete}. */
  stop(): void {
    this.#closed = true;
    this.#loop?.unsubscribe();
    this.#loop = null;
    for (const s of this.#servers) s.checking?.unsubscribe();
  }

  complete(): void {
    this.#health$.complete();
  }

  /**
   * An idle pool holds no timers. A server checked less than one interval ago is not checked
   * again on restart (no request per job).
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

  #check(server: PoolServer): void {
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
          if (recovered) this.#listener.recovered(server);
          this.publish();
          this.#listener.checked();
        } else {
          this.markDown(server, r.error);
          this.#listener.checked();
        }
      }),
    );
    // A synchronous answer (a test double) has already cleared `checking`.
    if (sub.closed) server.checking = null;
  }

  #snapshot(): readonly ServerHealth[] {
    return this.#servers.map(healthOf);
  }
}
