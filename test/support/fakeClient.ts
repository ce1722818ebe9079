import { NEVER, of } from 'rxjs';
import type {
  AppApi,
  BoardsApi,
  EventsApi,
  ImagesApi,
  InvokeAIClient,
  ModelsApi,
  QueueApi,
  ResolvedClientConfig,
} from '../../src/client/types.js';
import { createEventsApi } from '../../src/events/createEventsApi.js';
import { DEFAULT_RETRY_OPTIONS } from '../../src/http/retry.js';
import type { SessionQueueItem } from '../../src/schemas/queue.js';
import type { FakeSocketServer } from './fakeSocket.js';

/** What to fake; every method left out throws a clear error when it is called. */
export interface FakeClientSpec {
  config?: Partial<ResolvedClientConfig>;
  queue?: Partial<QueueApi>;
  images?: Partial<ImagesApi>;
  boards?: Partial<BoardsApi>;
  models?: Partial<ModelsApi>;
  app?: Partial<AppApi>;
  /** Fake sockets: events go through the real `createEventsApi` with this server's factory. */
  socket?: FakeSocketServer;
  /** A ready-made EventsApi (wins over `socket`). @default no socket: `on()` never emits, `connected$` is `false` */
  events?: EventsApi;
}

/** One recorded call, e.g. `{ method: 'queue.cancelItem', args: [7] }`. */
export interface FakeCall {
  method: string;
  args: unknown[];
}

export interface FakeClient extends InvokeAIClient {
  /** Every call of a faked method, in order. */
  readonly calls: readonly FakeCall[];
  /** The argument lists of one method's calls: `client.callsTo('queue.cancelItem')` → `[[7]]`. */
  callsTo(method: string): unknown[][];
}

export const FAKE_CONFIG: ResolvedClientConfig = Object.freeze({
  origin: 'http://127.0.0.1:9090',
  basePath: '',
  queueId: 'default',
  timeout: 30_000,
  retry: DEFAULT_RETRY_OPTIONS,
  hasToken: false,
});

/**
 * A fake InvokeAIClient whose methods return the observables the test supplies, for marble tests:
 *
 * ```ts
 * const client = fakeClient({
 *   queue: { enqueueBatch: () => cold('-r|', { r }), getItem: () => cold('-i|', { i }) },
 * });
 * ```
 */
export function fakeClient(spec: FakeClientSpec = {}): FakeClient {
  const calls: FakeCall[] = [];
  const config = Object.freeze({ ...FAKE_CONFIG, ...spec.config });
  const events =
    spec.events ??
    (spec.socket
      ? createEventsApi({ config, token: () => undefined, socketFactory: spec.socket.factory })
      : { on: () => NEVER, connected$: of(false) });
  const client: FakeClient = {
    config,
    queue: resource<QueueApi>('queue', spec.queue, calls),
    images: resource<ImagesApi>('images', spec.images, calls),
    boards: resource<BoardsApi>('boards', spec.boards, calls),
    models: resource<ModelsApi>('models', spec.models, calls),
    app: resource<AppApi>('app', spec.app, calls),
    events,
    close: () => {},
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method).map((c) => c.args),
  };
  return client;
}

function resource<T extends object>(name: string, impl: Partial<T> | undefined, calls: FakeCall[]): T {
  const target = (impl ?? {}) as Record<string, unknown>;
  return new Proxy({} as T, {
    get(_, prop) {
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      const method = `${name}.${prop}`;
      const fn = target[prop];
      return (...args: unknown[]) => {
        calls.push({ method, args });
        if (typeof fn !== 'function') {
          throw new Error(
            `fakeClient: ${method}() was called but not faked; pass fakeClient({ ${name}: { ${prop}: () => cold(...) } }).`,
          );
        }
        return fn(...args);
      };
    },
  });
}

/**
 * A queue item as `GET /queue/{q}/i/{id}` returns it (null fields omitted), with an empty session.
 * Override anything, e.g. `fakeQueueItem({ item_id: 7, status: 'failed', error_type: 'ValueError' })`.
 */
export function fakeQueueItem(overrides: Partial<SessionQueueItem> = {}): SessionQueueItem {
  const item_id = overrides.item_id ?? 1;
  return {
    item_id,
    status: 'pending',
    priority: 0,
    batch_id: 'batch-1',
    origin: 'invokeai-rx:test',
    session_id: `session-${item_id}`,
    created_at: '2026-08-19 10:00:00.000',
    updated_at: '2026-08-19 10:00:00.000',
    queue_id: 'default',
    user_id: 'system',
    session: {
      id: `session-${item_id}`,
      graph: { id: 'graph', nodes: {}, edges: [] },
      execution_graph: { id: 'exec', nodes: {}, edges: [] },
      executed: [],
      executed_history: [],
      results: {},
      errors: {},
      prepared_source_mapping: {},
      source_prepared_mapping: {},
    },
    ...overrides,
  };
}
