import { type Observable, ReplaySubject, defer, map, take } from 'rxjs';
import type { QueueApi } from '../client/types.js';
import type { QueueItemStatus, SessionQueueItem } from '../schemas/queue.js';

/** One queue item of a durable run, as far as the journal knows it. */
export interface JournalEntry {
  item_id: number;
  batch_id: string;
  origin: string | null;
  status: QueueItemStatus;
  /** The whole item when it came from a listing; null for an item this process just enqueued. */
  item: SessionQueueItem | null;
}

/**
 * The server's record of one run id, as this process last read it: the items whose `destination`
 * is the run id (`GET /list_all?destination=…`). One listing is shared by every look-up made
 * while it is younger than the caller's `maxAge`, so a stage that receives N inputs at once asks
 * once, not N times; the items this process enqueues meanwhile are added to it.
 */
export interface RunJournal {
  /** The run's items from a listing at most `maxAge` ms old at `now` (0: a new listing). */
  entries(maxAge: number, now: number): Observable<JournalEntry[]>;
  /** Items this process enqueued (pending until a listing says otherwise). */
  note(batchId: string, origin: string, itemIds: readonly number[]): void;
  /** Drops the listing (this process canceled some of the run's items). */
  forget(): void;
}

/** At most this many run ids are remembered per queue; the least recently used is dropped. */
const MAX_RUNS_PER_QUEUE = 32;
const journals = new WeakMap<QueueApi, Map<string, RunJournal>>();

/** The journal of `runId` on this queue, shared by every run of this process. */
export function runJournal(queue: QueueApi, runId: string): RunJournal {
  let byRun = journals.get(queue);
  if (!byRun) journals.set(queue, (byRun = new Map()));
  let journal = byRun.get(runId);
  if (journal) byRun.delete(runId);
  else journal = createJournal(queue, runId);
  byRun.set(runId, journal);
  if (byRun.size > MAX_RUNS_PER_QUEUE) byRun.delete(byRun.keys().next().value!);
  return journal;
}

function createJournal(queue: QueueApi, runId: string): RunJournal {
  let listing: { at: number; items$: ReplaySubject<SessionQueueItem[]> } | null = null;
  // Enqueued by this process after the listing was requested (a listing may or may not show them).
  let local: JournalEntry[] = [];

  const request = (now: number) => {
    const items$ = new ReplaySubject<SessionQueueItem[]>(1);
    const mine = { at: now, items$ };
    listing = mine;
    local = [];
    // Detached: one read serves every caller, even if the first one leaves.
    queue.listAll({ destination: runId }).subscribe({
      next: (items) => items$.next(items),
      error: (error: unknown) => {
        if (listing === mine) listing = null;
        items$.error(error);
      },
      complete: () => items$.complete(),
    });
    return mine;
  };

  return {
    entries: (maxAge, now) =>
      defer(() => {
        const current = listing !== null && now - listing.at <= maxAge && maxAge > 0 ? listing : request(now);
        return current.items$.pipe(
          take(1),
          map((items) => {
            const listed: JournalEntry[] = items.map((item) => ({
              item_id: item.item_id,
              batch_id: item.batch_id,
              origin: item.origin ?? null,
              status: item.status,
              item,
            }));
            const seen = new Set(listed.map((e) => e.item_id));
            return [...listed, ...local.filter((e) => !seen.has(e.item_id))];
          }),
        );
      }),
    note: (batchId, origin, itemIds) => {
      for (const item_id of itemIds) local.push({ item_id, batch_id: batchId, origin, status: 'pending', item: null });
    },
    forget: () => {
      listing = null;
      local = [];
    },
  };
}
