import { type MonoTypeOperatorFunction, asyncScheduler, defer, retry, throwError, timer } from 'rxjs';
import { isHttpError } from '../errors/guards.js';
import { type RetryContext, type RetryOptions, isRetryable, nextRetryDelay } from './retry.js';

/**
 * Resubscribes to a failed request (sending it again) while {@link isRetryable} says so and the
 * budget of `options` lasts (`for` ms from the first attempt, at most `limit` retries, per-status
 * `statusLimits`), waiting {@link nextRetryDelay} between attempts on an rxjs `timer` (so it runs
 * on virtual time under a `TestScheduler`).
 *
 * ```
 * source (cold):  --#            (503, Retry-After: 1)
 * result:         --- 1000ms ---#  … resubscribed after 1000 ms; errors once the budget is spent
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
  return retryWithin<T>(options, (error) => isRetryable(error, context, options), random);
}

/**
 * Like {@link retryRequest}, with the caller deciding which errors are worth another attempt
 * (enqueue and find-or-create have their own rules); the budget and delays are the policy's.
 */
export function retryWithin<T>(
  options: RetryOptions,
  canRetry: (error: unknown) => boolean,
  random: () => number = Math.random,
): MonoTypeOperatorFunction<T> {
  if (options.limit <= 0 || options.for <= 0) return (source) => source;
  return (source) =>
    defer(() => {
      const startedAt = asyncScheduler.now();
      const perStatus = new Map<number, number>();
      return source.pipe(
        retry({
          delay: (error: unknown, retryCount: number) => {
            if (!canRetry(error)) return throwError(() => error);
            const status = isHttpError(error) ? error.status : undefined;
            const sameStatus = status === undefined ? 0 : (perStatus.get(status) ?? 0);
            const attempt = { retry: retryCount, elapsed: asyncScheduler.now() - startedAt, sameStatus };
            const delay = nextRetryDelay(attempt, error, options, random);
            if (delay === null) return throwError(() => error);
            if (status !== undefined) perStatus.set(status, sameStatus + 1);
            return timer(delay);
          },
        }),
      );
    });
}
