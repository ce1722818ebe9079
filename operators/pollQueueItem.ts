import {
  type Observable,
  type SchedulerLike,
  asyncScheduler,
  defer,
  distinctUntilChanged,
  exhaustMap,
  map,
  merge,
  mergeMap,
  scan,
  share,
  startWith,
  takeWhile,
  throwError,
  timer,
} from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { warningsOf } from '../src/client/warnings.js';
import { QueueItemCanceledError } from '../src/errors/QueueItemCanceledError.js';
import { QueueItemFailedError } from '../src/errors/QueueItemFailedError.js';
import { type PhaseClocks, deadlineError, dueDeadlines, nextDeadline } from '../src/run/phaseDeadlines.js';
import type { RunTimeouts } from '../src/run/types.js';
import { type SessionQueueItem, zQueueItemStatus } from '../src/schemas/queue.js';

export interface PollQueueItemConfig {
  /** Poll cadence in ms (`GET /queue/{q}/i/{id}`; a poll never overlaps the previous one). */
  interval: number;
  /**
   * Limits per phase; the first one exceeded errors with `RunTimeoutError` naming it. Polling sees
   * only statuses, so `stalled` here means "no status change for N ms while running".
   * @default none
   */
  timeout?: RunTimeouts;
  /** Scheduler for the poll timer and the limits. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

interface PollState {
  readonly subscribedAt: number;
  status: SessionQueueItem['status'] | null;
  runningSince: number | null;
  lastChange: number;
}

/**
 * Watches one queue item by polling it, without sockets: emits the item each time its status
 * changes and completes with the terminal one.
 *
 * ```
 * timer:        p-------p-------p-------p
 * GET /i/{id}:  -pending-pending-in_prog-completed
 * output:       -a---------------b-------(c|)
 * ```
 *
 * - `completed` is emitted, then the stream completes.
 * - `failed` errors with `QueueItemFailedError` (the server's `error_type`, `error_message`,
 *   `error_traceback` and the failing workflow node); `canceled` with `QueueItemCanceledError`.
 * - A status this library does not know (a newer server's) is not terminal: the item is still
 *   watched within the limits, and the client's `onWarning` hears of it once.
 * - A limit in `timeout` errors with `RunTimeoutError` (`phase`: `queued`, `running`, `stalled`
 *   or `total`). The item is only watched, never canceled: cancel it yourself, or use
 *   `runWorkflow`, which owns its items and cancels them.
 *
 * ## Example
 * ```ts
 * import { pollQueueItem } from 'invokeai-rx/operators';
 * pollQueueItem(client, 42, { interval: 500, timeout: { queued: 60_000, running: 300_000 } })
 *   .subscribe((item) => console.log(item.status)); // pending, in_progress, completed
 * ```
 *
 * @param client The server connection.
 * @param itemId The queue item to watch.
 * @param config See {@link PollQueueItemConfig}.
 * @return An Observable of the item at each status change, completing after the terminal one.
 */
export function pollQueueItem(client: InvokeAIClient, itemId: number, config: PollQueueItemConfig): Observable<SessionQueueItem> {
  const { interval } = config;
  if (!(typeof interval === 'number' && interval > 0)) {
    throw new TypeError(`pollQueueItem: interval must be a number of ms > 0, got ${String(interval)}.`);
  }
  const scheduler = config.scheduler ?? asyncScheduler;
  const limits = config.timeout ?? {};

  return defer(() => {
    const subscribedAt = scheduler.now();
    let warned = false;
    const noteUnknown = (item: SessionQueueItem) => {
      if (warned || zQueueItemStatus.isKnown(item.status)) return;
      warned = true;
      warningsOf(client)({
        kind: 'unknown-status',
        item_id: item.item_id,
        status: item.status,
        message:
          `queue item ${item.item_id} has status ${JSON.stringify(item.status)}, which this library does not know; ` +
          'pollQueueItem treats it as unfinished and keeps polling (within its limits).',
      });
    };
    const item$ = timer(0, interval, scheduler).pipe(
      exhaustMap(() => client.queue.getItem(itemId)),
      distinctUntilChanged((a, b) => a.status === b.status && (a.status_sequence ?? null) === (b.status_sequence ?? null)),
      share(),
    );
    const deadline$: Observable<never> = item$.pipe(
      startWith(null),
      scan(
        (st: PollState, item: SessionQueueItem | null) => {
          if (item && item.status !== st.status) {
            const at = scheduler.now();
            noteUnknown(item);
            // An unknown status is a change (for `stalled`) but not a start: it may be a queued state.
            const started = zQueueItemStatus.isKnown(item.status) && item.status !== 'pending';
            if (started && st.runningSince === null) st.runningSince = at;
            st.status = item.status;
            st.lastChange = at;
          }
          return st;
        },
        { subscribedAt, status: null, runningSince: null, lastChange: subscribedAt },
      ),
      map((st) => nextDeadline(phaseClocks(st, itemId), limits)),
      dueDeadlines(scheduler),
      // Watching one item: every limit, `total` included, names it.
      mergeMap((d) => throwError(() => deadlineError({ ...d, item_id: itemId }))),
    );
    return merge(item$, deadline$).pipe(
      takeWhile((item) => item.status !== 'completed' && item.status !== 'failed' && item.status !== 'canceled', true),
      map((item) => {
        if (item.status === 'failed') throw new QueueItemFailedError({ item, node_id: failedNodeId(item) });
        if (item.status === 'canceled') throw new QueueItemCanceledError({ item });
        return item;
      }),
    );
  });
}

/** The phase clocks of a polled item: it counts as queued until a poll first sees it past `pending`. */
function phaseClocks(st: PollState, itemId: number): PhaseClocks {
  if (st.runningSince === null) return { startedAt: st.subscribedAt, queued: { item_id: itemId, since: st.subscribedAt }, running: [] };
  return { startedAt: st.subscribedAt, queued: null, running: [{ item_id: itemId, startedAt: st.runningSince, lastActivity: st.lastChange }] };
}

function failedNodeId(item: SessionQueueItem): string | null {
  const preparedId = Object.keys(item.session?.errors ?? {})[0];
  return preparedId === undefined ? null : (item.session.prepared_source_mapping?.[preparedId] ?? null);
}
