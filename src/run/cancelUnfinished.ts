import { type Observable, catchError, concatMap, defer, finalize, map, of, take } from 'rxjs';
import type { QueueApi } from '../client/types.js';
import { isHttpError } from '../errors/guards.js';
import type { EnqueueBatchResult } from '../schemas/queue.js';

/** How far a run got before it was torn down. */
export type RunStage =
  /** Still waiting for the socket: nothing was sent. */
  | { stage: 'connecting' }
  /** The enqueue request was sent; `error` is its error if it already failed. */
  | { stage: 'enqueuing'; enqueue$: Observable<EnqueueBatchResult>; error: unknown }
  /** The items are known; `active` are those not yet finished. */
  | { stage: 'tracking'; active: readonly number[] };

/**
 * Cancels on the server what a torn-down run left unfinished. Fire and forget: it runs after the
 * run's own subscriptions are gone, and its errors are ignored (the run has ended already).
 *
 * - enqueue in flight: waits for its answer, then cancels the batch by id — unless it failed with
 *   a 4xx, which means nothing was queued (any other failure may have queued the batch);
 * - one unfinished item: `PUT /i/{id}/cancel`; several: `cancel_by_batch_ids`.
 */
export function cancelUnfinished(queue: QueueApi, batchId: string, reached: RunStage): void {
  const noop = () => {};
  const sent = inFlight();
  if (reached.stage === 'enqueuing') {
    const { error } = reached;
    if (error !== undefined && isHttpError(error) && error.status < 500) return sent();
    reached.enqueue$
      .pipe(
        map(() => null),
        catchError(() => of(null)),
        take(1),
        concatMap(() => defer(() => queue.cancelByBatchIds([batchId]))),
        finalize(sent),
      )
      .subscribe({ error: noop });
  } else if (reached.stage === 'tracking') {
    const { active } = reached;
    if (active.length === 0) return sent();
    defer(() => (active.length === 1 ? queue.cancelItem(active[0]!) : queue.cancelByBatchIds([batchId])))
      .pipe(finalize(sent))
      .subscribe({ error: noop });
  } else {
    sent();
  }
}

// Cancels in flight in this process, for `cancelsSent` (a script about to exit waits for them).
let pending = 0;
const waiters: (() => void)[] = [];

function inFlight(): () => void {
  pending += 1;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    pending -= 1;
    if (pending === 0) for (const w of waiters.splice(0)) w();
  };
}

/**
 * Resolves once every cancel that torn-down runs of this process have started is answered (or
 * has failed), or after `timeoutMs`, whichever comes first: what a script waits for before it
 * exits, so that the server stops the work it leaves behind.
 */
export function cancelsSent(timeoutMs: number): Promise<void> {
  if (pending === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    waiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
