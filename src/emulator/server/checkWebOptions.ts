import { statSync } from 'node:fs';
import { EmulatorOptionError } from '../errors/EmulatorOptionError.js';

/**
 * `allowOrigins` entries are compared with the browser's `Origin` header as strings, as InvokeAI
 * does: `http://localhost:5173/` (trailing slash) or a bare host name would never match.
 */
export function checkAllowOrigins(origins: readonly string[]): readonly string[] {
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      const hint = parsed && parsed.origin !== 'null' ? ` (did you mean '${parsed.origin}'?)` : '';
      throw new EmulatorOptionError('allowOrigins', `'${origin}' is not an origin: expected scheme://host[:port] with no path, or '*'${hint}`);
    }
  }
  return origins;
}

/** A web app directory that does not exist would answer every page with 404. */
export function checkStaticDir(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new EmulatorOptionError('staticDir', `'${dir}' is not a directory: pass the folder holding the web app's index.html`);
  return dir;
}
