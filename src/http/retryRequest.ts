import { type MonoTypeOperatorFunction, retry, throwError, timer } from 'rxjs';
import { type RetryContext, type RetryOptions, isRetryable, retryDelay } from './retry.js';

/**
 * Resubscribes to a failed request (sending it again) while {@link isRetryable} says so, up to
 * `options.limit` times, waiting {@link retryDelay} between attempts on an rxjs `timer` (so it
 * runs on virtual time under a `TestScheduler`).
 *
 * ```
 * source (cold):  --#            (503, Retry-After: 1)
 * result:         --- 1000ms ---#  … resubscribed after 1000 ms; errors once the limit is hit
 * ```
 *
 * ## Example
 * ```ts
 * import { retryRequest } from './retryRequest.js';
 * attempt$.pipe(retryRequest(DEFAULT_RETRY_OPTIONS, { idempotent: true }));
 * ```
 */
export function retryRequest<T>(
  options: RetryOptions,
  context: RetryContext,
  random: () => number = Math.random,
): MonoTypeOperatorFunction<T> {
  if (options.limit <= 0) return (source) => source;
  return retry({
    count: options.limit,
    delay: (error: unknown, retryCount: number) =>
      isRetryable(error, context, options)
        ? timer(retryDelay(retryCount, error, options, random))
        : throwError(() => error),
  });
}
