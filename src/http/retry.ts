import { isHttpError, isNetworkError, isRequestTimeoutError } from '../errors/guards.js';

/** When and how often requests are retried. */
export interface RetryOptions {
  /**
   * Max number of retries after the first attempt (0 disables retrying).
   * @default 3
   */
  limit: number;
  /**
   * Statuses that are retried. 500 is not in the list: InvokeAI answers 500 for deterministic
   * failures ("Unexpected error while …") that a retry does not fix.
   * @default [429, 502, 503, 504]
   */
  statusCodes: readonly number[];
  /**
   * Upper bound of one delay in ms, also for a server's `Retry-After`.
   * @default 10000
   */
  backoffLimit: number;
  /**
   * Delay before the first retry in ms; doubles with each retry.
   * @default 300
   */
  baseDelay: number;
  /**
   * Full jitter: wait a random time between 0 and the exponential delay, so that many clients
   * failing together do not retry in lock step. A `Retry-After` is never jittered.
   * @default true
   */
  jitter: boolean;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = Object.freeze({
  limit: 3,
  statusCodes: Object.freeze([429, 502, 503, 504]),
  backoffLimit: 10_000,
  baseDelay: 300,
  jitter: true,
});

/** Whether the request may be sent again without risking a duplicate side effect. */
export interface RetryContext {
  idempotent: boolean;
}

/**
 * Whether `error` may be retried.
 *
 * - Aborts, schema errors and 4xx other than 429 are never retried.
 * - Idempotent requests: retryable statuses, network errors and request timeouts are retried.
 * - Non-idempotent requests are retried only when the server cannot have acted on them: a 429
 *   (rejected before processing) or a network error that happened before the request was sent.
 * - A request the browser blocked (CORS, mixed content) is never retried: nothing would change.
 */
export function isRetryable(error: unknown, context: RetryContext, options: Pick<RetryOptions, 'statusCodes'> = DEFAULT_RETRY_OPTIONS): boolean {
  if (isHttpError(error)) {
    if (!options.statusCodes.includes(error.status)) return false;
    return context.idempotent || error.status === 429;
  }
  if (isNetworkError(error)) return !error.blocked && (context.idempotent || !error.ambiguous);
  if (isRequestTimeoutError(error)) return context.idempotent;
  return false;
}

/**
 * Delay in ms before retry number `attempt` (1-based): the error's `Retry-After` when it has one,
 * else `baseDelay · 2^(attempt-1)` (randomised by full jitter), both capped at `backoffLimit`.
 */
export function retryDelay(
  attempt: number,
  error: unknown,
  options: Pick<RetryOptions, 'backoffLimit' | 'baseDelay' | 'jitter'> = DEFAULT_RETRY_OPTIONS,
  random: () => number = Math.random,
): number {
  if (isHttpError(error) && error.retryAfter !== null) {
    return Math.min(Math.max(0, error.retryAfter), options.backoffLimit);
  }
  const exponential = Math.min(options.baseDelay * 2 ** Math.max(0, attempt - 1), options.backoffLimit);
  return options.jitter ? Math.floor(random() * exponential) : exponential;
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into ms from `now`;
 * `null` when absent or unparsable. A date in the past yields 0.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  if (value === '') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** `DEFAULT_RETRY_OPTIONS` overridden by `options`, with the values checked. */
export function resolveRetryOptions(options: Partial<RetryOptions> = {}): RetryOptions {
  const resolved: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...options };
  for (const key of ['limit', 'backoffLimit', 'baseDelay'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`retry.${key} must be a finite number >= 0, got ${String(value)}.`);
    }
  }
  if (!Number.isInteger(resolved.limit)) throw new TypeError(`retry.limit must be an integer, got ${resolved.limit}.`);
  return resolved;
}
