import { type Observable, catchError, concatMap, defer, forkJoin, of, switchMap } from 'rxjs';
import type { QueueApi } from '../client/types.js';
import type { Batch } from '../schemas/graph.js';
import type { EnqueueBatchResult } from '../schemas/queue.js';
import { enqueueRun } from './enqueueRun.js';
import { type JournalEntry, runJournal } from './runJournal.js';
import { batchSize } from './runIds.js';
import { isLive, itemsOfBatch, scanAttempts } from './scanAttempts.js';

/** How a durable run starts: the batch it follows, and whether it found it or enqueued it. */
export interface RunStart {
  batchId: string;
  /** The enqueue answer, or one rebuilt from the items found. */
  result: EnqueueBatchResult;
  /** The items found on the server (earlier work of this run), or null when this run enqueued them. */
  found: JournalEntry[] | null;
}

export interface RunBatchPlan {
  queue: QueueApi;
  runId: string;
  position: string;
  /** The first attempt to consider. */
  attempt: number;
  /** The batch without `batch_id`, with the run's `origin` and `destination`. */
  batch: Batch & { origin: string };
  prepend: boolean | undefined;
  /** How old a shared listing of the run may be (ms). */
  maxAge: number;
  now: () => number;
  /** Called when an enqueue is sent, so that a run torn down meanwhile can cancel it. */
  onEnqueue: (batchId: string, enqueue$: Observable<EnqueueBatchResult>) => void;
}

/**
 * Finds or makes the batch of one place of a durable run. The attempts from `plan.attempt` up to
 * the first batch id the run has no item under are read from the run's listing; items whose
 * origin differs (other work under this place) are skipped. The latest attempt of this work:
 *
 * - completed, failed, pending or running → followed as it is;
 * - all canceled, or none → the work is enqueued under the first free attempt (with the run's
 *   origin and `destination: runId`).
 *
 * InvokeAI accepts a batch id twice, so two processes may enqueue the same attempt. The enqueue
 * answer lists every item with the batch id, so the later of two enqueues always sees the
 * earlier one: it cancels its own copy at once (one request after its enqueue answer) and follows
 * the earlier copy. At most one copy is kept. The later copy runs (and is wasted) only when it
 * starts before that cancel lands: the queue was idle and the job is shorter than a round trip,
 * or the process died between its enqueue and its cancel.
 */
export function resolveRunBatch(plan: RunBatchPlan): Observable<RunStart> {
  const { queue, runId, position, batch, maxAge, now } = plan;
  const journal = runJournal(queue, runId);
  const size = batchSize(batch);

  const trusted = (kept: readonly JournalEntry[]) => kept.every((e) => e.origin === batch.origin);

  const foundStart = (batchId: string, kept: JournalEntry[]): RunStart => ({
    batchId,
    found: kept,
    result: {
      queue_id: '',
      enqueued: kept.length,
      requested: size,
      batch: { ...batch, batch_id: batchId, runs: batch.runs ?? 1 },
      priority: kept[0]?.item?.priority ?? 0,
      item_ids: kept.map((e) => e.item_id).reverse(),
    },
  });

  // The latest attempt of this work wins: attempts are walked up to the first free batch id.
  const attempt = (n: number, maxAgeNow: number): Observable<RunStart> =>
    journal.entries(maxAgeNow, now()).pipe(
      switchMap((entries) => {
        const { latest, free } = scanAttempts(entries, { runId, position, attempt: n }, batch);
        return isLive(latest) ? of(foundStart(latest.batchId, latest.kept)) : enqueue(free.attempt, free.batchId);
      }),
    );

  const enqueue = (n: number, batchId: string): Observable<RunStart> =>
    defer(() => {
      const enqueue$ = enqueueRun(queue, { ...batch, batch_id: batchId }, plan.prepend);
      plan.onEnqueue(batchId, enqueue$);
      return enqueue$.pipe(
        concatMap((result) => {
          // `item_ids` lists every item with this batch id: the newest `enqueued` ones are ours.
          const all = [...result.item_ids].sort((a, b) => b - a);
          const mine = all.slice(0, result.enqueued);
          journal.note(batchId, batch.origin, mine);
          const ours: RunStart = { batchId, result: { ...result, item_ids: mine }, found: null };
          return all.length > mine.length ? settleRace(n, batchId, mine) : of(ours);
        }),
      );
    });

  // The batch id had items this run's listing did not show: another process enqueued the same
  // attempt first (or the listing was out of date). Our copy is canceled at once, before it can
  // start behind the other; then the other copy is followed, or the next attempt taken when it
  // is not this work or was canceled.
  const settleRace = (n: number, batchId: string, mine: readonly number[]): Observable<RunStart> =>
    forkJoin(mine.map((id) => queue.cancelItem(id).pipe(catchError(() => of(null))))).pipe(
      switchMap(() => journal.entries(0, now())),
      switchMap((entries) => {
        const kept = itemsOfBatch(
          entries.filter((e) => e.status !== 'canceled' && !mine.includes(e.item_id)),
          batchId,
          size,
        );
        return kept.length > 0 && trusted(kept) ? of(foundStart(batchId, kept)) : attempt(n + 1, maxAge);
      }),
    );

  return attempt(plan.attempt, maxAge);
}
