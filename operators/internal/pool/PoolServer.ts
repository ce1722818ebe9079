import type { Subscription } from 'rxjs';
import type { InvokeAIClient } from '../../../src/client/types.js';
import type { ModelLike } from '../../../src/workflow/syncModels.js';

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

/** One server of a pool: what the health monitor learns of it and the load the dispatcher puts on it. */
export interface PoolServer {
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

export function poolServer(client: InvokeAIClient, index: number): PoolServer {
  return {
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
  };
}

/** The public, frozen view of a server. */
export function healthOf(s: PoolServer): ServerHealth {
  return Object.freeze({
    index: s.index,
    url: s.url,
    status: s.status,
    inFlight: s.inFlight,
    completed: s.completed,
    version: s.version,
    lastError: s.lastError,
  });
}
