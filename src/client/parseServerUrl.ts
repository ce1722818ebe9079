/** Where an InvokeAI server lives: `origin` = `scheme://host[:port]`, `basePath` = proxy sub-path or `''`. */
export interface ServerLocation {
  origin: string;
  basePath: string;
}

/** API prefixes users often paste along with the server URL; they are not part of the base path. */
const API_SUFFIX = /\/api(\/v[12])?$/;

/**
 * Splits a server URL into origin and reverse-proxy base path.
 *
 * `http://h:9090` → `{origin: 'http://h:9090', basePath: ''}`;
 * `https://h/invoke/` → `{origin: 'https://h', basePath: '/invoke'}`;
 * a trailing `/api/v1` (as copied from the API docs) is dropped.
 *
 * @throws TypeError when the URL cannot be parsed, is not http(s), or carries credentials.
 */
export function parseServerUrl(url: string): ServerLocation {
  const example = 'e.g. "http://127.0.0.1:9090" or "https://host/invoke"';
  if (typeof url !== 'string' || url.trim() === '') {
    throw new TypeError(`InvokeAI server URL is empty; pass the address of the server, ${example}.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError(`Invalid InvokeAI server URL "${url}": expected http(s)://host[:port][/base-path], ${example}.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(
      `Invalid InvokeAI server URL "${url}": the scheme must be http or https (got "${parsed.protocol}"); ` +
        `did you forget "http://"? ${example}.`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new TypeError(
      'InvokeAI server URL must not contain credentials; pass a bearer token with the `token` option instead.',
    );
  }
  let basePath = parsed.pathname.replace(/\/+$/, '');
  basePath = basePath.replace(API_SUFFIX, '');
  return { origin: parsed.origin, basePath };
}
