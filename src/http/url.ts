/** A query parameter value; arrays repeat the key (`?base_models=sdxl&base_models=flux`). */
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];
export type QueryParams = Readonly<Record<string, QueryValue>>;

/**
 * Builds an absolute URL from the server origin, the reverse-proxy base path and an API path.
 * `null`/`undefined` query values are omitted; arrays repeat the key.
 *
 * ## Example
 * ```ts
 * buildUrl('http://h:9090', '/invoke', '/api/v2/models/', { base_models: ['sdxl', 'flux'] });
 * // 'http://h:9090/invoke/api/v2/models/?base_models=sdxl&base_models=flux'
 * ```
 */
export function buildUrl(origin: string, basePath: string, path: string, query?: QueryParams): string {
  if (!path.startsWith('/')) {
    throw new TypeError(`API path must start with "/", got "${path}".`);
  }
  const url = new URL(`${origin}${basePath}${path}`);
  if (query) {
    for (const [key, value] of Object.entries(query)) {
      if (value === null || value === undefined) continue;
      if (Array.isArray(value)) {
        for (const v of value as readonly (string | number | boolean)[]) url.searchParams.append(key, String(v));
      } else {
        url.searchParams.append(key, String(value));
      }
    }
  }
  return url.toString();
}

/** `url` without user-info credentials, for error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
