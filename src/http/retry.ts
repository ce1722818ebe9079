import { isHttpError, isNetworkError, isRequestTimeoutError } from '../errors/guards.js';

/** When and how often requests are retried. */
export interface RetryOptions {
  /**
   * The retry budget in ms, counted from the first attempt of a request: transient failures are
   * retried until this much time has passed (a restart or an overloaded proxy is waited out
   * instead of ending a long run). 0 disables retrying.
   * @default 300000 (5 minutes)
   */
  for: number;
  /**
   * Max number of retries after the first attempt, on top of the time budget (0 disables retrying).
   * @default Infinity
   */
  limit: number;
  /**
   * Statuses that are retried (only 429 for requests that are not idempotent).
   * @default [429, 500, 502, 503, 504]
   */
  statusCodes: readonly number[];
  /**
   * Max retries per status, whatever the time budget. InvokeAI answers 500 both for a transient
   * fault and for deterministic failures ("Unexpected error while …") that no retry fixes, so a
   * 500 is retried a few times, not for minutes.
   * @default { 500: 2 }
   */
  statusLimits: Readonly<Record<number, number>>;
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

/** The default retry budget: 5 minutes. */
export const DEFAULT_RETRY_FOR = 5 * 60_000;

export const DEFAULT_RETRY_OPTIONS: RetryOptions = Object.freeze({
  for: DEFAULT_RETRY_FOR,
  limit: Infinity,
  statusCodes: Object.freeze([429, 500, 502, 503, 504]),
  statusLimits: Object.freeze({ 500: 2 }),
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

/** Where a request stands when an attempt has failed. */
export interface RetryAttempt {
  /** Number (1-based) of the retry that would come next. */
  retry: number;
  /** ms since the first attempt was sent. */
  elapsed: number;
  /** How many earlier retries followed a failure with the same HTTP status as this one. */
  sameStatus: number;
}

/**
 * The delay in ms before the next attempt, or `null` when the budget is spent: more than `limit`
 * retries, the status's own limit reached, or `for` ms elapsed. A delay that would end beyond
 * the budget is shortened to its end, so the last attempt still happens inside the budget.
 */
export function nextRetryDelay(
  attempt: RetryAttempt,
  error: unknown,
  options: Pick<RetryOptions, 'for' | 'limit' | 'statusLimits' | 'backoffLimit' | 'baseDelay' | 'jitter'> = DEFAULT_RETRY_OPTIONS,
  random: () => number = Math.random,
): number | null {
  if (attempt.retry > options.limit) return null;
  if (isHttpError(error)) {
    const cap = options.statusLimits[error.status];
    if (cap !== undefined && attempt.sameStatus >= cap) return null;
  }
  const left = options.for - attempt.elapsed;
  if (left <= 0) return null;
  return Math.min(retryDelay(attempt.retry, error, options, random), left);
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
  for (const key of ['backoffLimit', 'baseDelay'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`retry.${key} must be a finite number >= 0, got ${String(value)}.`);
    }
  }
  for (const key of ['for', 'limit'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new TypeError(`retry.${key} must be a number >= 0 (Infinity allowed), got ${String(value)}.`);
    }
  }
  if (resolved.limit !== Infinity && !Number.isInteger(resolved.limit)) {
    throw new TypeError(`retry.limit must be an integer or Infinity, got ${resolved.limit}.`);
  }
  for (const [status, cap] of Object.entries(resolved.statusLimits)) {
    if (!Number.isInteger(cap) || cap < 0) throw new TypeError(`retry.statusLimits[${status}] must be an integer >= 0, got ${String(cap)}.`);
  }
  return resolved;
}
