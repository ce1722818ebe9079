import { type MonoTypeOperatorFunction, defer, identity, of, retry, tap, throwError } from 'rxjs';
import { isQueueItemCanceledError, isQueueItemFailedError } from '../../../src/errors/guards.js';
import type { RunEvent } from '../../../src/run/types.js';

/** The `error_type` the emulator (and a server that reports interruptions) gives a restarted item. */
const SERVER_RESTART_ERROR = 'ServerRestartError';

/**
 * Whether a run's error means its queue item was interrupted on the server rather than refused:
 * it ended `canceled` (or vanished from the queue) by a hand other than the run's own, or it
 * `failed` with `error_type` `ServerRestartError`. A run's own cancels (unsubscribe, timeouts)
 * never reach here as errors: unsubscribing delivers none, a timeout is a `RunTimeoutError`.
 */
export function isInterruption(error: unknown): boolean {
  return isQueueItemCanceledError(error) || (isQueueItemFailedError(error) && error.error_type === SERVER_RESTART_ERROR);
}

/**
 * Re-subscribes a run (which enqueues its work again) when it errors with an interruption, up to
 * `count` times; any other error, or the last interruption, goes through unchanged. A run that
 * already delivered a result is not resubmitted, so that no input yields two.
 *
 * ```
 * run:    -e-s-✕              (canceled by a restart)
 *              -e-s-c|        (resubscribed: a new batch)
 * result: -e-s--e-s-c|
 * ```
 */
export function resubmitInterrupted(count: number): MonoTypeOperatorFunction<RunEvent> {
  if (count === 0) return identity;
  return (run$) =>
    defer(() => {
      let completed = false;
      return run$.pipe(
        tap((event) => {
          if (event.type === 'completed') completed = true;
        }),
        retry({ count, delay: (error: unknown) => (!completed && isInterruption(error) ? of(true) : throwError(() => error)) }),
      );
    });
}
