import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Reply } from './router.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths that belong to the server itself and never to the web app. */
const SERVER_PATHS = [/^\/api(\/|$)/, /^\/ws(\/|$)/, /^\/openapi\.json$/, /^\/docs(\/|$)/, /^\/redoc(\/|$)/, /^\/__emulator(\/|$)/];

const NOT_FOUND: Reply = { status: 404, json: { detail: 'Not Found' } };

/** Whether `path` (below the base path) is the web app's rather than the server's. */
export function isWebAppPath(path: string): boolean {
  return !SERVER_PATHS.some((p) => p.test(path));
}

/**
 * Serves the files of `dir` the way InvokeAI serves its web UI from its own origin: `index.html`
 * for a directory, the content type from the extension, 404 for anything else. Nothing outside
 * `dir` is reachable (`..`, encoded or not, and absolute paths stay inside).
 */
export function staticFiles(dir: string): (path: string) => Promise<Reply> {
  const root = resolve(dir);
  return async (path) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return NOT_FOUND;
    }
    if (decoded.includes('\0')) return NOT_FOUND;
    let file = resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
    if (file !== root && !file.startsWith(root + sep)) return NOT_FOUND;
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const bytes = await readFile(file);
      return {
        status: 200,
        bytes,
        contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        // As InvokeAI's UI files: a rebuilt app is picked up on reload.
        headers: { 'cache-control': 'no-store' },
      };
    } catch {
      return NOT_FOUND;
    }
  };
}
