import type { IncomingMessage, ServerResponse } from 'node:http';
import { SYSTEM_USER, bearerToken } from '../auth.js';
import { EmulatorHttpError } from '../errors/EmulatorHttpError.js';
import type { Faults } from '../faults.js';
import { FAULT_PREFIX } from '../routes/faultRoutes.js';
import { authenticate, type AuthSettings } from './authenticate.js';
import type { Cors } from './cors.js';
import { readBody } from './readBody.js';
import type { AuthUser, Reply, RequestContext, Router } from './router.js';
import { errorReply, sendReply } from './sendReply.js';
import { isWebAppPath } from './staticFiles.js';
import { Query } from './validation.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NO_REFRESH = new Set(['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/media-cookie']);
const INJECTED_DETAIL: Record<number, string> = { 429: 'Too Many Requests', 503: 'Service Unavailable', 502: 'Bad Gateway' };

export interface RequestHandlerDeps extends AuthSettings {
  basePath: string;
  router: Router;
  faultRouter: Router;
  faults: Faults;
  cors: Cors;
  /** Answers the web app's paths (every GET outside the API) when a static directory is served. */
  webApp?: (path: string) => Promise<Reply>;
  /** Called once per API request (fault controls excluded) with its route template. */
  record(method: string, template: string): void;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The server's request pipeline: CORS, the base path, the fault controls, the web app's files,
 * request counting, injected HTTP faults, authentication, the route, dropped answers, and token
 * refresh.
 */
export function requestHandler(deps: RequestHandlerDeps): RequestHandler {
  const { basePath, router, faultRouter, faults, multiUser, tokens } = deps;

  return async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (deps.cors.handle(req, res)) return;
    let path = url.pathname;
    if (basePath) {
      if (path !== basePath && !path.startsWith(`${basePath}/`)) return sendReply(res, { status: 404, json: { detail: 'Not Found' } }, false);
      path = path.slice(basePath.length) || '/';
    }
    let bodyCache: Promise<Buffer> | undefined;
    const body = () => (bodyCache ??= readBody(req));
    const context = (params: Record<string, string>, user: AuthUser): RequestContext => ({
      method,
      path,
      params,
      query: new Query(url.searchParams),
      headers: req.headers,
      body,
      user,
      multiUser,
    });

    if (path.startsWith(FAULT_PREFIX)) {
      const m = faultRouter.match(method, path);
      let reply: Reply;
      try {
        if (m.kind !== 'found') throw new EmulatorHttpError(m.kind === 'not_found' ? 404 : 405, m.kind === 'not_found' ? 'Not Found' : 'Method Not Allowed');
        reply = await m.route.handler(context(m.params, SYSTEM_USER));
      } catch (e) {
        reply = errorReply(e);
      }
      return sendReply(res, reply, false);
    }

    const head = method === 'HEAD';
    if (deps.webApp && (method === 'GET' || head) && isWebAppPath(path)) return sendReply(res, await deps.webApp(path), head);
    const m = router.match(method, path);
    deps.record(method, m.kind === 'found' ? m.route.path : '(unmatched)');

    const injected = faults.takeHttpError(method, m.kind === 'found' ? m.route.path : undefined, path);
    if (injected) {
      const detail = INJECTED_DETAIL[injected.status] ?? 'Internal Server Error';
      const headers: Record<string, string> = injected.retryAfter !== undefined ? { 'retry-after': String(injected.retryAfter) } : {};
      return sendReply(res, { status: injected.status, json: { detail }, headers }, head);
    }
    if (m.kind === 'not_found') return sendReply(res, { status: 404, json: { detail: 'Not Found' } }, head);
    if (m.kind === 'method_not_allowed') return sendReply(res, { status: 405, json: { detail: 'Method Not Allowed' } }, head);

    let reply: Reply;
    let user: AuthUser | undefined;
    try {
      user = authenticate(m.route.auth, req, deps);
      reply = await m.route.handler(context(m.params, user));
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
    sendReply(res, reply, head);
  };
}
