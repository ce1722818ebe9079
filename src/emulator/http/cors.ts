import type { IncomingMessage, ServerResponse } from 'node:http';

/** Response headers the client reads across origins (the sliding token, downloads, back-off). */
const EXPOSED = 'X-Refreshed-Token, Content-Disposition, Retry-After';
const METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';

/**
 * InvokeAI's CORS behaviour (FastAPI's `CORSMiddleware` configured from `allow_origins`, with
 * credentials, every method and every header allowed). With no allowed origins, which is
 * InvokeAI's default, a browser page on another origin cannot read any answer.
 */
export interface Cors {
  /** Whether a page on `origin` may call the server (`'*'` in the list allows every origin). */
  allows(origin: string): boolean;
  /**
   * Adds the CORS headers to the answer of a request, or answers it when it is a preflight.
   * Returns `true` when the request has been answered.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export function cors(allowOrigins: readonly string[]): Cors {
  const anyOrigin = allowOrigins.includes('*');
  const listed = new Set(allowOrigins);
  const allows = (origin: string) => anyOrigin || listed.has(origin);

  return {
    allows,
    handle(req, res) {
      const origin = req.headers.origin;
      // Not a cross-origin browser request: the middleware stays out of the way.
      if (origin === undefined) return false;
      const isPreflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
      if (isPreflight) {
        const headers: Record<string, string> = {
          'access-control-allow-methods': METHODS,
          'access-control-max-age': '600',
          'access-control-allow-credentials': 'true',
          vary: 'Origin',
        };
        const requested = req.headers['access-control-request-headers'];
        if (requested !== undefined) headers['access-control-allow-headers'] = String(requested);
        const allowed = allows(origin);
        if (allowed) headers['access-control-allow-origin'] = origin;
        const body = allowed ? 'OK' : 'Disallowed CORS origin';
        res.writeHead(allowed ? 200 : 400, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
        res.end(body);
        return true;
      }
      // Simple requests are processed either way; only an allowed origin may read the answer.
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', EXPOSED);
      if (anyOrigin && req.headers.cookie === undefined) res.setHeader('access-control-allow-origin', '*');
      else if (allows(origin)) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'Origin');
      }
      return false;
    },
  };
}
