import { EMPTY, type Observable, type SchedulerLike, catchError, concatMap, distinctUntilChanged, exhaustMap, from, map, of, reduce, switchMap, throwError, timer } from 'rxjs';
import type { QueueApi } from '../client/types.js';
import { isHttpError } from '../errors/guards.js';
import type { SessionQueueItem } from '../schemas/queue.js';

/** What one poll read: the items the server still has, and the ids it no longer knows (404). */
export interface Polled {
  items: SessionQueueItem[];
  missing: number[];
}

export interface PollCadence {
  /** ms between reads while the socket is connected (events carry the news; this is the safety net). */
  interval: number;
  /** ms between reads while the socket is down: the poll is then the only signal. */
  intervalWithoutSocket: number;
  scheduler: SchedulerLike;
}

/**
 * When to read the items, following the socket's state:
 *
 * ```
 * connected from the start:   first read after `interval`, then every `interval` (events flow)
 * down, connecting, disabled: a read at once, then every `intervalWithoutSocket`
 * reconnected:                a read at once (a resync: events may have been lost), then every `interval`
 * ```
 */
export function pollTicks(connected$: Observable<boolean>, cadence: PollCadence): Observable<number> {
  const { interval, intervalWithoutSocket, scheduler } = cadence;
  return connected$.pipe(
    distinctUntilChanged(),
    switchMap((connected, index) => timer(connected && index === 0 ? interval : 0, connected ? interval : intervalWithoutSocket, scheduler)),
  );
}

/** Whether an error is the server saying it does not have the item. */
export function isNotFound(error: unknown): boolean {
  return isHttpError(error) && error.status === 404;
}

/**
 * Reads the given items once: one `GET /i/{id}` for a single item (a 404 makes it missing), one
 * `items_by_ids` request for several. An id left out of that answer is read on its own: the
 * server skips deleted items, but `getItems` also drops an entry it cannot read, and such an item
 * is not gone.
 */
export function readItems(queue: QueueApi, ids: readonly number[]): Observable<Polled> {
  if (ids.length === 0) return EMPTY;
  if (ids.length === 1) return readOne(queue, ids[0]!);
  return queue.getItems(ids).pipe(
    concatMap((items) => {
      const absent = ids.filter((id) => !items.some((i) => i.item_id === id));
      return from(absent).pipe(
        concatMap((id) => readOne(queue, id)),
        reduce((all, one): Polled => ({ items: [...all.items, ...one.items], missing: [...all.missing, ...one.missing] }), { items, missing: [] } as Polled),
      );
    }),
  );
}

function readOne(queue: QueueApi, id: number): Observable<Polled> {
  return queue.getItem(id).pipe(
    map((item): Polled => ({ items: [item], missing: [] })),
    catchError((error) => (isNotFound(error) ? of<Polled>({ items: [], missing: [id] }) : throwError(() => error))),
  );
}

/**
 * Reads the unfinished items on every tick of {@link pollTicks}; a tick while a read is in flight
 * is skipped, and a tick with nothing unfinished reads nothing.
 */
export function pollItems(queue: QueueApi, connected$: Observable<boolean>, activeIds: () => readonly number[], cadence: PollCadence): Observable<Polled> {
  return pollTicks(connected$, cadence).pipe(exhaustMap(() => readItems(queue, activeIds())));
}
