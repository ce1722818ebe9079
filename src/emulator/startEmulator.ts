import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { SYSTEM_USER, TokenService, bearerToken, userIdOf } from './auth.js';
import { BoardStore } from './boardStore.js';
import { DEFAULT_MODELS } from './defaultModels.js';
import type { EmulatorContext, RegisteredUser } from './emulatorContext.js';
import { EventHub } from './eventHub.js';
import { Faults, type RestartOptions } from './faults.js';
import { EmulatorHttpError } from './errors/EmulatorHttpError.js';
import { Router, type AuthUser, type Reply, type RequestContext } from './http/router.js';
import { Query } from './http/validation.js';
import { ImageStore } from './imageStore.js';
import { openApiDocument } from './openApiDocument.js';
import { QueueStore, type QueueItem } from './queueStore.js';
import { QueueWorker } from './queueWorker.js';
import { appRoutes } from './routes/appRoutes.js';
import { boardRoutes } from './routes/boardRoutes.js';
import { faultRoutes, FAULT_PREFIX } from './routes/faultRoutes.js';
import { imageRoutes } from './routes/imageRoutes.js';
import { modelRoutes } from './routes/modelRoutes.js';
import { queueRoutes } from './routes/queueRoutes.js';
import { epochSeconds, sqliteTime } from './sqliteTime.js';
import type { Emulator, EmulatorExecutor, EmulatorOptions } from './types.js';

function normalizeBasePath(p: string | undefined): string {
  if (!p || p === '/') return '';
  return `/${p.replace(/^\/+|\/+$/g, '')}`;
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NO_REFRESH = new Set(['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/media-cookie']);

/**
 * Starts an InvokeAI-compatible server on 127.0.0.1: the REST subset a workflow-running client
 * uses (queue, images, boards, models, app, auth), socket.io events in InvokeAI's order, one
 * queue worker running sessions through the graph executor, and fault injection.
 *
 * ## Example
 * ```ts
 * const emu = await startEmulator({ timing: { msPerStep: 5 } });
 * const client = createInvokeAIClient({ baseUrl: emu.url });
 * // …
 * await emu.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const basePath = normalizeBasePath(options.basePath);
  const socketPath = `${basePath}/ws/socket.io`;
  const multiUser = options.multiUser !== undefined;
  const tokens = new TokenService();
  // UserDTO timestamps are pydantic datetimes (ISO 8601), unlike the queue's SQLite strings.
  const createdAt = new Date().toISOString();
  const users = new Map<string, RegisteredUser>(
    (options.multiUser?.users ?? []).map((u) => [u.email.toLowerCase(), { ...u, user_id: userIdOf(u.email), created_at: createdAt }]),
  );
  const models = new Map((options.models ?? DEFAULT_MODELS).map((m) => [m.key, m]));
  let executor: Promise<EmulatorExecutor> | undefined;
  const loadExecutor = () =>
    (executor ??= options.executor ? Promise.resolve(options.executor) : import('./defaultExecutor.js').then((m) => m.defaultExecutor));

  const router = new Router();
  const stats = new Map<string, number>();
  let total = 0;
  // Declared before socket.io attaches: engine.io forwards every non-socket request to the
  // listeners that existed when it attached.
  const httpServer = createServer((req, res) => void handle(req, res));
  // Long keep-alive: a client that pauses (e.g. while a test compiles schemas) must not race the
  // server closing an idle connection it is about to reuse.
  httpServer.keepAliveTimeout = 60_000;
  httpServer.headersTimeout = 65_000;
  const io = new Server(httpServer, { path: socketPath, cors: { origin: '*' }, serveClient: false });
  const hub = new EventHub(io, {
    multiUser,
    tokens,
    isActive: (userId) => [...users.values()].some((u) => u.user_id === userId),
  });
  const images = new ImageStore();
  const boards = new BoardStore();

  const queueStatus = (queueId: string, user?: AuthUser): Record<string, unknown> => {
    const c = queue.count(queueId);
    const cur = queue.current(queueId);
    const shown = cur && (!user || !multiUser || user.is_admin || cur.user_id === user.user_id) ? cur : undefined;
    const own = user ? queue.userCount(queueId, user.user_id) : undefined;
    return {
      queue_id: queueId,
      item_id: shown?.item_id ?? null,
      batch_id: shown?.batch_id ?? null,
      session_id: shown?.session_id ?? null,
      ...c,
      user_pending: own?.pending ?? null,
      user_in_progress: own?.in_progress ?? null,
    };
  };
  const batchStatus = (queueId: string, batchId: string): Record<string, unknown> => {
    const info = queue.batchInfo(queueId, batchId);
    return { queue_id: queueId, batch_id: batchId, origin: info?.origin ?? null, destination: info?.destination ?? null, ...queue.batchCount(queueId, batchId) };
  };
  const statusPayload = (item: QueueItem): Record<string, unknown> => ({
    timestamp: epochSeconds(),
    queue_id: item.queue_id,
    item_id: item.item_id,
    batch_id: item.batch_id,
    origin: item.origin,
    destination: item.destination,
    user_id: item.user_id,
    status: item.status,
    status_sequence: item.status_sequence,
    error_type: item.error_type,
    error_message: item.error_message,
    error_traceback: item.error_traceback,
    created_at: item.created_at,
    updated_at: item.updated_at,
    started_at: item.started_at,
    completed_at: item.completed_at,
    batch_status: batchStatus(item.queue_id, item.batch_id),
    queue_status: queueStatus(item.queue_id, { user_id: item.user_id, email: '', is_admin: false }),
    session_id: item.session_id,
  });

  let worker: QueueWorker;
  const queue = new QueueStore({
    statusChanged: (item) => hub.queueItemStatusChanged(statusPayload(item), item.user_id, item.queue_id),
    itemsCanceled: (queueId, items) => {
      const byUser = new Map<string, number[]>();
      for (const i of items) byUser.set(i.user_id, [...(byUser.get(i.user_id) ?? []), i.item_id]);
      hub.queueItemsCanceled(queueId, byUser, epochSeconds());
    },
    cleared: (queueId, userId) => hub.queueCleared(queueId, userId, epochSeconds()),
    runningCanceled: (item) => void worker.abortRunning(item.item_id),
    itemsAdded: () => worker.notify(),
  });

  const timing = { msPerStep: options.timing?.msPerStep ?? 0, msPerNode: options.timing?.msPerNode ?? 0 };
  // Faults is created before the worker (the worker consults it); its host closes over both.
  const faults: Faults = new Faults({
    disconnectSockets: () => hub.disconnectAll(),
    restart: (o) => restart(o),
    pause: () => worker.pause(),
    resume: () => worker.resume(),
  });
  worker = new QueueWorker({
    store: queue,
    images,
    models: () => models,
    executeSession: () => loadExecutor().then((e) => e.executeSession),
    faults,
    timing,
    progressImages: options.progressImages ?? false,
    emitInvocation: (item, event, payload) => {
      const full: Record<string, unknown> = {
        timestamp: epochSeconds(),
        queue_id: item.queue_id,
        item_id: item.item_id,
        batch_id: item.batch_id,
        origin: item.origin,
        destination: item.destination,
        user_id: item.user_id,
        session_id: item.session_id,
        ...payload,
      };
      if (event === 'invocation_progress') {
        full.message ??= '';
        full.percentage ??= null;
        full.image ??= null;
        full.device ??= null;
        hub.toUser(event, full, item.user_id);
      } else {
        hub.toOwner(event, full, item.user_id);
      }
    },
  });

  async function restart(o: RestartOptions): Promise<void> {
    // Sockets die with the process; HTTP keep-alive connections are left alone, so clients are not
    // failed by a race on a reused connection (their requests would simply hit the new process).
    hub.disconnectAll();
    const as = o.inProgressAs ?? 'canceled';
    for (const item of queue.all())
      if (item.status === 'in_progress' || item.status === 'waiting')
        queue.transition(
          item,
          as,
          as === 'failed'
            ? { error_type: 'ServerRestartError', error_message: 'The server restarted while this queue item was in progress', error_traceback: '' }
            : null,
          true,
        );
    worker.abortRunning();
    worker.resume();
  }

  const emu: EmulatorContext = {
    multiUser,
    maxQueueSize: options.maxQueueSize ?? 10000,
    queue,
    images,
    boards,
    models,
    hub,
    worker,
    faults,
    tokens,
    users,
    validateGraph: () => loadExecutor().then((e) => e.validateGraph),
    queueStatus,
    batchStatus,
    processorStatus: () => ({ is_started: worker.isStarted, is_processing: worker.isProcessing }),
    ownerOf: (user) => {
      const u = users.get(user.email.toLowerCase());
      return {
        user_id: user.user_id,
        email: multiUser ? user.email : null,
        display_name: u ? (u.display_name ?? u.email.split('@')[0]!) : null,
      };
    },
    canAccess: (user, item) => !multiUser || user.is_admin || item.user_id === user.user_id,
  };

  const routes = [...queueRoutes(emu), ...imageRoutes(emu), ...boardRoutes(emu), ...modelRoutes(emu), ...appRoutes(emu)];
  router.add(...routes);
  let openApi: string | undefined;
  router.add({
    method: 'GET',
    path: '/openapi.json',
    auth: 'none',
    handler: () => ({ status: 200, json: undefined, bytes: Buffer.from((openApi ??= JSON.stringify(openApiDocument(undefined, routes)))), contentType: 'application/json' }),
  });
  const faultRouter = new Router().add(...faultRoutes(faults));

  /** Resolves the caller per the route's dependency (§6), or throws the 401/403. */
  function authenticate(auth: string, req: IncomingMessage): AuthUser {
    const token = bearerToken(req.headers.authorization);
    if (auth === 'none') return SYSTEM_USER;
    if (auth === 'strict') {
      const claims = token ? tokens.verify(token) : undefined;
      if (!token) throw new EmulatorHttpError(401, 'Missing authentication credentials', { 'www-authenticate': 'Bearer' });
      if (!claims) throw new EmulatorHttpError(401, 'Invalid or expired authentication token', { 'www-authenticate': 'Bearer' });
      return { user_id: claims.user_id, email: claims.email, is_admin: claims.is_admin };
    }
    if (!multiUser) return SYSTEM_USER;
    if (!token) throw new EmulatorHttpError(401, 'Authentication required');
    const claims = tokens.verify(token);
    if (!claims) throw new EmulatorHttpError(401, 'Invalid or expired token');
    if (![...users.values()].some((u) => u.user_id === claims.user_id)) throw new EmulatorHttpError(401, 'User not found or inactive');
    if (auth === 'admin' && !claims.is_admin) throw new EmulatorHttpError(403, 'Admin privileges required');
    return { user_id: claims.user_id, email: claims.email, is_admin: claims.is_admin };
  }

  function send(res: ServerResponse, reply: Reply, head: boolean): void {
    const headers: Record<string, string> = { ...reply.headers };
    let body: Uint8Array | undefined;
    if (reply.bytes) {
      body = reply.bytes;
      headers['content-type'] = reply.contentType ?? 'application/octet-stream';
    } else if (reply.json !== undefined) {
      body = Buffer.from(JSON.stringify(reply.json));
      headers['content-type'] = 'application/json';
    }
    headers['content-length'] = String(body?.length ?? 0);
    res.writeHead(reply.status, headers);
    res.end(head ? undefined : body);
  }

  function errorReply(e: unknown): Reply {
    if (e instanceof EmulatorHttpError) {
      if (e.headers['x-plain-text']) return { status: e.status, bytes: Buffer.from(String(e.detail)), contentType: 'text/plain; charset=utf-8' };
      return { status: e.status, json: { detail: e.detail }, headers: { ...e.headers } };
    }
    return { status: 500, bytes: Buffer.from('Internal Server Error'), contentType: 'text/plain; charset=utf-8' };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'X-Refreshed-Token, Content-Disposition, Retry-After');
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
        'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? '*'),
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    let path = url.pathname;
    if (basePath) {
      if (path !== basePath && !path.startsWith(`${basePath}/`)) return send(res, { status: 404, json: { detail: 'Not Found' } }, false);
      path = path.slice(basePath.length) || '/';
    }
    let bodyCache: Promise<Buffer> | undefined;
    const body = () => (bodyCache ??= readBody(req));

    if (path.startsWith(`${FAULT_PREFIX}`)) {
      const m = faultRouter.match(method, path);
      let reply: Reply;
      try {
        if (m.kind !== 'found') throw new EmulatorHttpError(m.kind === 'not_found' ? 404 : 405, m.kind === 'not_found' ? 'Not Found' : 'Method Not Allowed');
        reply = await m.route.handler({ method, path, params: m.params, query: new Query(url.searchParams), headers: req.headers, body, user: SYSTEM_USER, multiUser });
      } catch (e) {
        reply = errorReply(e);
      }
      return send(res, reply, false);
    }

    const m = router.match(method, path);
    const template = m.kind === 'found' ? m.route.path : '(unmatched)';
    const key = `${method} ${template}`;
    stats.set(key, (stats.get(key) ?? 0) + 1);
    total += 1;

    const injected = faults.takeHttpError(method, m.kind === 'found' ? m.route.path : undefined, path);
    if (injected) {
      const detail = injected.status === 429 ? 'Too Many Requests' : injected.status === 503 ? 'Service Unavailable' : injected.status === 502 ? 'Bad Gateway' : 'Internal Server Error';
      return send(
        res,
        { status: injected.status, json: { detail }, headers: injected.retryAfter !== undefined ? { 'retry-after': String(injected.retryAfter) } : {} },
        method === 'HEAD',
      );
    }
    if (m.kind === 'not_found') return send(res, { status: 404, json: { detail: 'Not Found' } }, method === 'HEAD');
    if (m.kind === 'method_not_allowed') return send(res, { status: 405, json: { detail: 'Method Not Allowed' } }, method === 'HEAD');

    let reply: Reply;
    let user: AuthUser | undefined;
    try {
      user = authenticate(m.route.auth, req);
      const ctx: RequestContext = { method, path, params: m.params, query: new Query(url.searchParams), headers: req.headers, body, user, multiUser };
      reply = await m.route.handler(ctx);
    } catch (e) {
      reply = errorReply(e);
    }
    if (reply.status < 400 && faults.takeDrop(method, m.route.path, path)) {
      // The request was fully processed; the client never learns it.
      req.socket.destroy();
      return;
    }
    const token = bearerToken(req.headers.authorization);
    if (multiUser && token && user && reply.status < 400 && MUTATING.has(method) && !NO_REFRESH.has(m.route.path)) {
      const claims = tokens.verify(token);
      if (claims) reply = { ...reply, headers: { ...reply.headers, 'x-refreshed-token': tokens.sign(user, claims.remember_me).token } };
    }
    send(res, reply, method === 'HEAD');
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  worker.start();
  const port = (httpServer.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    port,
    basePath,
    socketPath,
    faults,
    stats: {
      requestCount(method?: string, route?: string): number {
        let n = 0;
        for (const [k, v] of stats) {
          const sp = k.indexOf(' ');
          if ((method === undefined || k.slice(0, sp) === method.toUpperCase()) && (route === undefined || k.slice(sp + 1) === route)) n += v;
        }
        return n;
      },
      byRoute: () => Object.fromEntries(stats),
      get total() {
        return total;
      },
      resetStats() {
        stats.clear();
        total = 0;
      },
    },
    queue: {
      items: () => queue.all(),
      get: (id) => queue.get(id),
      get workerBusyMs() {
        return worker.busyMs;
      },
      get busyFraction() {
        return worker.busyFraction;
      },
      get isProcessing() {
        return worker.isProcessing;
      },
      prune(olderThanMs = 0) {
        const cutoff = sqliteTime(new Date(Date.now() - olderThanMs));
        const done = (i: QueueItem) => i.completed_at !== null && i.completed_at <= cutoff;
        let n = 0;
        for (const queueId of new Set(queue.all().map((i) => i.queue_id))) n += queue.prune(queueId, done);
        return n;
      },
    },
    images: { hasImage: (n) => images.has(n), imageNames: () => images.names() },
    onEvent: (l) => hub.onEmit(l),
    close: () =>
      (closing ??= (async () => {
        await worker.stop();
        hub.disconnectAll();
        await new Promise<void>((resolve) => {
          io.close(() => resolve());
          httpServer.closeAllConnections();
        });
      })()),
  };
}
