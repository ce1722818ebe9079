import { Observable, throwError, timeout } from 'rxjs';
import * as z from 'zod/mini';
import { AuthError } from '../errors/AuthError.js';
import { HttpError } from '../errors/HttpError.js';
import { NetworkError } from '../errors/NetworkError.js';
import { RequestTimeoutError } from '../errors/RequestTimeoutError.js';
import { SchemaError } from '../errors/SchemaError.js';
import type { HttpContext } from './HttpContext.js';
import { parseRetryAfter } from './retry.js';
import { retryRequest } from './retryRequest.js';
import { type QueryParams, buildUrl, redactUrl } from './url.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One API call. */
export interface RequestSpec<T> {
  method: HttpMethod;
  /** API path below origin + base path, starting with `/` (e.g. `/api/v1/app/version`). */
  path: string;
  query?: QueryParams;
  /** JSON request body. */
  json?: unknown;
  /** Multipart request body (mutually exclusive with `json`). */
  form?: FormData;
  /** @default 'json' */
  responseType?: 'json' | 'bytes';
  /** Validates a JSON response; without it the parsed JSON is returned unchecked. */
  schema?: z.core.$ZodType<T>;
  /**
   * Whether sending the request twice is harmless. Non-idempotent requests are only retried when
   * the server cannot have acted on them (see `isRetryable`).
   * @default true for GET, HEAD, PUT and DELETE; false for POST and PATCH
   */
  idempotent?: boolean;
  /**
   * `false` sends exactly one attempt (callers with their own recovery, like enqueue).
   * @default true
   */
  retry?: boolean;
}

const MAX_REDIRECTS = 20;
const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
/** Errors that mean no connection was ever established, so nothing reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

/**
 * A cold Observable of one API call: each subscription sends the request (retrying per the
 * client's retry policy), emits the validated body once and completes; unsubscribing aborts the
 * request in flight.
 *
 * ```
 * subscribe ──▶ fetch ──▶ (503) ── delay ──▶ fetch ──▶ 200 ──▶ value|
 * ```
 *
 * - Non-2xx → `HttpError` (`AuthError` for 401/403) with FastAPI's `detail` and `Retry-After`.
 * - Transport failure → `NetworkError`; per-attempt timeout → `RequestTimeoutError`.
 * - A 2xx body that is not JSON, or does not match `spec.schema` → `SchemaError` (both are the
 *   same failure for a caller: the server said something this library cannot use).
 * - The bearer token goes only to the configured origin: redirects are followed here (not by
 *   fetch) so that a hop to another origin never carries it. It is scrubbed from error details.
 * - `X-Refreshed-Token` on a same-origin response replaces the stored token.
 *
 * ## Example
 * ```ts
 * import { request$ } from './request.js';
 * request$(ctx, { method: 'GET', path: '/api/v1/app/version', schema: zAppVersion })
 *   .subscribe((v) => console.log(v.version)); // '6.14.0'
 * ```
 */
export function request$<T>(ctx: HttpContext, spec: RequestSpec<T>): Observable<T> {
  const idempotent = spec.idempotent ?? IDEMPOTENT_METHODS.has(spec.method);
  let attempt$ = sendOnce$(ctx, spec);
  const ms = ctx.config.timeout;
  if (ms > 0) {
    const url = redactUrl(buildUrl(ctx.config.origin, ctx.config.basePath, spec.path, spec.query));
    attempt$ = attempt$.pipe(
      timeout({ first: ms, with: () => throwError(() => new RequestTimeoutError({ method: spec.method, url, timeout: ms })) }),
    );
  }
  if (spec.retry === false) return attempt$;
  return attempt$.pipe(retryRequest<T>(ctx.config.retry, { idempotent }, ctx.random));
}

/** One attempt, without timeout or retry. */
function sendOnce$<T>(ctx: HttpContext, spec: RequestSpec<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    perform(ctx, spec, controller.signal).then(
      (value) => {
        settled = true;
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        settled = true;
        // After an abort the subscriber is already closed; nothing to report.
        if (!controller.signal.aborted) subscriber.error(error);
      },
    );
    return () => {
      if (!settled) controller.abort();
    };
  });
}

async function perform<T>(ctx: HttpContext, spec: RequestSpec<T>, signal: AbortSignal): Promise<T> {
  const { config } = ctx;
  let url = buildUrl(config.origin, config.basePath, spec.path, spec.query);
  let method: HttpMethod = spec.method;
  let body: BodyInit | undefined;
  let contentType: string | undefined;
  if (spec.form !== undefined) {
    // Encoded up front because some fetch implementations (node-fetch among them) cannot send a
    // WHATWG FormData; bytes with an explicit boundary work with every fetch.
    const encoded = new Response(spec.form);
    body = new Uint8Array(await encoded.arrayBuffer());
    contentType = encoded.headers.get('content-type') ?? undefined;
  } else if (spec.json !== undefined) {
    body = JSON.stringify(spec.json);
    contentType = 'application/json';
  }
  const token = ctx.token();

  for (let hop = 0; ; hop++) {
    const sameOrigin = originOf(url) === config.origin;
    const headers: Record<string, string> = {
      Accept: spec.responseType === 'bytes' ? '*/*' : 'application/json',
    };
    if (body !== undefined && contentType !== undefined) headers['Content-Type'] = contentType;
    const sentToken = sameOrigin && token !== undefined && token !== '';
    if (sentToken) headers.Authorization = `Bearer ${token}`;
    const shownUrl = redactUrl(url);

    let response: Response;
    try {
      response = await ctx.fetch(url, { method, headers, body, signal, redirect: 'manual' });
      if (response.type === 'opaqueredirect') {
        // Browsers hide manual redirects. Their fetch drops Authorization on cross-origin
        // redirects itself (Fetch spec), so following there is safe.
        response = await ctx.fetch(url, { method, headers, body, signal, redirect: 'follow' });
      }
    } catch (cause) {
      if (signal.aborted) throw cause;
      const blocked = blockedByBrowser(cause);
      throw new NetworkError({
        method,
        url: shownUrl,
        cause: scrubError(cause, token),
        ambiguous: !blocked && !neverSent(cause),
        ...(blocked ? { blocked: { pageOrigin: pageOrigin() } } : {}),
      });
    }

    const location = response.headers.get('location');
    if (isRedirect(response.status) && location !== null) {
      if (hop >= MAX_REDIRECTS) {
        throw new NetworkError({ method, url: shownUrl, cause: new Error(`more than ${MAX_REDIRECTS} redirects`), ambiguous: true });
      }
      await response.arrayBuffer().catch(() => undefined);
      url = new URL(location, url).toString();
      // Fetch spec: 303 (and 301/302 after a POST) continue as a GET without a body.
      if (response.status === 303 ? method !== 'HEAD' : (response.status === 301 || response.status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
      }
      continue;
    }

    if (sameOrigin) {
      const refreshed = response.headers.get('x-refreshed-token');
      if (refreshed) ctx.setToken(refreshed);
    }

    if (!response.ok) throw await toHttpError(response, method, shownUrl, token, sentToken);
    return await readBody(response, spec, method, shownUrl, token);
  }
}

async function readBody<T>(response: Response, spec: RequestSpec<T>, method: string, url: string, token: string | undefined): Promise<T> {
  let text: string;
  let bytes: Uint8Array | undefined;
  try {
    if (spec.responseType === 'bytes') bytes = new Uint8Array(await response.arrayBuffer());
    text = bytes ? '' : await response.text();
  } catch (cause) {
    throw new NetworkError({ method, url, cause: scrubError(cause, token), ambiguous: true });
  }
  if (bytes) return bytes as T;

  let json: unknown;
  try {
    json = text.trim() === '' ? null : JSON.parse(text);
  } catch (cause) {
    throw new SchemaError({
      method,
      url,
      issues: [{ code: 'custom', path: [], message: `response body is not valid JSON (${describeBody(text, token)})`, input: undefined }],
      cause,
    });
  }
  if (!spec.schema) return json as T;
  const result = z.safeParse(spec.schema, json);
  if (!result.success) throw new SchemaError({ method, url, issues: result.error.issues });
  return result.data;
}

async function toHttpError(
  response: Response,
  method: string,
  url: string,
  token: string | undefined,
  sentToken: boolean,
): Promise<HttpError> {
  let text = '';
  try {
    text = scrub(await response.text(), token);
  } catch {
    // The status alone is still worth reporting.
  }
  let detail: unknown = text.length > 500 ? `${text.slice(0, 500)}…` : text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'detail' in parsed) detail = (parsed as { detail: unknown }).detail;
  } catch {
    // Not JSON (a proxy page, a plain-text 500): keep the text.
  }
  const args = { method, url, status: response.status, statusText: response.statusText, detail };
  if (response.status === 401 || response.status === 403) return new AuthError({ ...args, hadToken: sentToken });
  return new HttpError({ ...args, retryAfter: parseRetryAfter(response.headers.get('retry-after')) });
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * Browsers reject fetch with a bare `TypeError` for CORS refusals, mixed content and lost
 * networks alike, and say no more (on purpose); Node's fetch gives a TypeError with a coded cause.
 */
function blockedByBrowser(cause: unknown): boolean {
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  return cause instanceof TypeError && (g.document !== undefined || g.WorkerGlobalScope !== undefined);
}

function pageOrigin(): string | null {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  return typeof origin === 'string' && origin !== 'null' ? origin : null;
}

function neverSent(cause: unknown): boolean {
  for (let e: unknown = cause, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code ?? (e as { errno?: unknown }).errno;
    if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return true;
  }
  return false;
}

function scrub(text: string, token: string | undefined): string {
  return token ? text.split(token).join('[redacted]') : text;
}

function scrubError(cause: unknown, token: string | undefined): unknown {
  if (!token || !(cause instanceof Error) || !cause.message.includes(token)) return cause;
  const copy = new Error(scrub(cause.message, token));
  copy.name = cause.name;
  return copy;
}

function describeBody(text: string, token: string | undefined): string {
  const shown = scrub(text, token).slice(0, 80).replace(/\s+/g, ' ');
  return `starts with ${JSON.stringify(shown)}`;
}
