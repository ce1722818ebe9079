import type { EmulatorUser } from './auth.js';
import type { EmittedEvent } from './eventHub.js';
import type { EmulatorModel, ExecuteSession, ValidateGraph } from './executor/types.js';
import type { Faults } from './faults.js';
import type { QueueItem } from './queueStore.js';
import type { EmulatorTiming } from './queueWorker.js';

/** The graph executor the queue worker runs sessions with. */
export interface EmulatorExecutor {
  validateGraph: ValidateGraph;
  executeSession: ExecuteSession;
}

export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Sub-path every route and the socket.io path live under, e.g. `/invoke`. @default '' */
  basePath?: string;
  /** The installed models. @default {@link DEFAULT_MODELS} */
  models?: readonly EmulatorModel[];
  /** Simulated GPU time. @default { msPerStep: 0, msPerNode: 0 } */
  timing?: EmulatorTiming;
  /**
   * Multi-user mode: these accounts log in at `POST /api/v1/auth/login`; anonymous requests and
   * sockets are refused. @default single-user mode (everyone is admin `system`)
   */
  multiUser?: { users: readonly EmulatorUser[] };
  /** Denoisers send preview images with their progress events. @default false */
  progressImages?: boolean;
  /** `max_queue_size`: pending items beyond it are not enqueued. @default 10000 */
  maxQueueSize?: number;
  /** The graph executor. @default the bundled executor (`src/emulator/executor`) */
  executor?: EmulatorExecutor;
  /**
   * InvokeAI's `allow_origins`: the origins (`http://host:port`) of web pages on other origins that
   * may call the API and socket.io; `'*'` allows every origin. @default none: like InvokeAI, no
   * CORS headers, so only pages served by the server itself (see `staticDir`) can use it
   */
  allowOrigins?: readonly string[];
  /**
   * Serves a web app from the server's own origin, as InvokeAI serves its UI: every GET outside
   * the API (`/api`, `/ws`, `/openapi.json`, `/docs`, the fault controls) is a file of this
   * directory, `/` its `index.html`. @default no web app (404)
   */
  staticDir?: string;
}

export interface EmulatorStats {
  /** Requests answered since start (or the last reset), optionally for one method and/or route template. */
  requestCount(method?: string, route?: string): number;
  /** `{"GET /api/v1/queue/{queue_id}/i/{item_id}": 12, …}` */
  byRoute(): Record<string, number>;
  readonly total: number;
  resetStats(): void;
}

export interface EmulatorQueueInspector {
  /** Every queue row (live objects: read, do not modify). */
  items(): readonly QueueItem[];
  get(itemId: number): QueueItem | undefined;
  /** Milliseconds the worker spent executing items since start. */
  readonly workerBusyMs: number;
  /** `workerBusyMs` over lifetime, 0..1. */
  readonly busyFraction: number;
  readonly isProcessing: boolean;
  /**
   * Deletes the finished rows (of every queue) that finished at least `olderThanMs` ago, as
   * `PUT /prune` does without the age limit; returns how many. Keeps long runs bounded.
   */
  prune(olderThanMs?: number): number;
}

export interface EmulatorImageInspector {
  hasImage(name: string): boolean;
  imageNames(): string[];
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT[/basePath]` */
  readonly url: string;
  readonly port: number;
  readonly basePath: string;
  /** socket.io path (`${basePath}/ws/socket.io`). */
  readonly socketPath: string;
  readonly faults: Faults;
  readonly stats: EmulatorStats;
  readonly queue: EmulatorQueueInspector;
  readonly images: EmulatorImageInspector;
  /** Observes every server → client event (full payloads, before routing). */
  onEvent(listener: (e: EmittedEvent) => void): () => void;
  /** Closes sockets and the server, stops the worker. */
  close(): Promise<void>;
}
