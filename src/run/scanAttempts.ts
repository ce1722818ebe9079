import type { Batch } from '../schemas/graph.js';
import type { JournalEntry } from './runJournal.js';
import { type RunPlace, batchSize, runBatchId } from './runIds.js';

/** What a run's listing holds for one place. */
export interface AttemptScan {
  /** The latest attempt whose items are this work (same origin), or null. */
  latest: { batchId: string; kept: JournalEntry[] } | null;
  /** The first attempt with no item at all: where new work of this place goes. */
  free: { attempt: number; batchId: string };
}

/** The items of one batch id in a listing, oldest first, at most the batch's size. */
export function itemsOfBatch(entries: readonly JournalEntry[], batchId: string, size: number): JournalEntry[] {
  return entries.filter((e) => e.batch_id === batchId).sort((a, b) => a.item_id - b.item_id).slice(0, size);
}

/**
 * Walks the attempts of a place from `place.attempt` (the first to consider) up to the first batch id without items.
 * Items with another origin are other work under this place: they never count as this work.
 */
export function scanAttempts(entries: readonly JournalEntry[], place: RunPlace, batch: Batch & { origin: string }): AttemptScan {
  const size = batchSize(batch);
  let latest: AttemptScan['latest'] = null;
  for (let k = place.attempt; ; k++) {
    const batchId = runBatchId({ runId: place.runId, position: place.position, attempt: k });
    const kept = itemsOfBatch(entries, batchId, size);
    if (kept.length === 0) return { latest, free: { attempt: k, batchId } };
    if (kept.every((e) => e.origin === batch.origin)) latest = { batchId, kept };
  }
}

/** Whether a found attempt is worth following: some of its items were not canceled. */
export function isLive(found: AttemptScan['latest']): found is NonNullable<AttemptScan['latest']> {
  return found !== null && !found.kept.every((e) => e.status === 'canceled');
}
