import type { IncomingHttpHeaders } from 'node:http';
import type { Query } from './validation.js';

/** Who is calling: `system` (admin) in single-user mode, else the token's user. */
export interface AuthUser {
  user_id: string;
  email: string;
  is_admin: boolean;
}

export interface RequestContext {
  method: string;
  /** Path below the base path, e.g. `/api/v1/queue/default/i/3`. */
  path: string;
  params: Record<string, string>;
  query: Query;
  headers: IncomingHttpHeaders;
  /** Raw body bytes (read once, cached). */
  body(): Promise<Buffer>;
  user: AuthUser;
  /** Whether the server runs in multi-user mode. */
  multiUser: boolean;
}

export interface Reply {
  status: number;
  /** JSON body (serialized with `JSON.stringify`); `undefined` with `bytes` unset means an empty body. */
  json?: unknown;
  bytes?: Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({
  status,
  json: body,
  ...(headers ? { headers } : {}),
});

/**
 * `none`: public; `user`: `CurrentUserOrDefault` (anonymous is `system` in single-user mode);
 * `admin`: `AdminUserOrDefault`; `strict`: `CurrentUser` (a token is required even in single-user mode).
 */
export type RouteAuth = 'none' | 'user' | 'admin' | 'strict';

export interface Route {
  method: string;
  /** Template with `{param}` segments, e.g. `/api/v1/queue/{queue_id}/i/{item_id}`. */
  path: string;
  auth: RouteAuth;
  handler(ctx: RequestContext): Reply | Promise<Reply>;
}

interface Compiled {
  route: Route;
  segments: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed' }
  | { kind: 'not_found' };

/**
 * Path-template router. Literal segments win over parameters at the same position, as
 * FastAPI's declaration order makes `/i/intermediates`-style literals win in practice.
 * A trailing slash is optional on every route (FastAPI would redirect instead).
 */
export class Router {
  private readonly routes: Compiled[] = [];

  add(...routes: Route[]): this {
    for (const route of routes) this.routes.push({ route, segments: split(route.path) });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const segs = split(path);
    let best: { route: Route; params: Record<string, string>; score: number } | undefined;
    let pathMatched = false;
    for (const c of this.routes) {
      if (c.segments.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let score = 0;
      let ok = true;
      for (let i = 0; i < segs.length; i++) {
        const t = c.segments[i]!;
        if (t.startsWith('{') && t.endsWith('}')) {
          params[t.slice(1, -1)] = decodeURIComponent(segs[i]!);
        } else if (t === segs[i]) {
          score += 1 << (segs.length - i);
        } else {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      const m = c.route.method === method || (method === 'HEAD' && c.route.method === 'GET');
      if (m && (!best || score > best.score)) best = { route: c.route, params, score };
    }
    if (best) return { kind: 'found', route: best.route, params: best.params };
    return pathMatched ? { kind: 'method_not_allowed' } : { kind: 'not_found' };
  }
}

function split(path: string): string[] {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.slice(1).split('/');
}
