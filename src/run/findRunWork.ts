import { type Observable, defer, map } from 'rxjs';
import type { QueueApi } from '../client/types.js';
import type { Batch } from '../schemas/graph.js';
import { prepareBatch } from './prepareBatch.js';
import { type JournalEntry, runJournal } from './runJournal.js';
import type { RunPlace } from './runIds.js';
import { durableBatch } from './runWorkflow.js';
import { isLive, scanAttempts } from './scanAttempts.js';
import { type RunInput, type RunWorkflowOptions, runSettings } from './runWorkflowOptions.js';

/** Work of a durable run found on one server's queue. */
export interface RunWork {
  /** The batch of the latest attempt of this work. */
  batchId: string;
  /** `completed`: every item completed; `failed`: one failed; `active`: pending or running. */
  status: 'completed' | 'failed' | 'active';
}

/**
 * Whether the work `runWorkflow(client, input, options)` would look up (`options.runId`) is on
 * this queue, without enqueueing anything: the same look-up (the run's shared listing, attempts
 * from `runAttempt` up to the first free batch id, items of another origin skipped), so that a
 * caller with several servers can send the run to the one that has it. `null`: missing, or
 * every item of its latest attempt canceled (the run would enqueue it).
 */
export function findRunWork(queue: QueueApi, input: RunInput, options: RunWorkflowOptions, now: number): Observable<RunWork | null> {
  return defer(() => {
    const durable = runSettings(options).durable;
    if (!durable) throw new TypeError('findRunWork: options.runId is required.');
    const { place, batch, maxAge } = durableBatch(prepareBatch(input, options).batch, durable);
    return runJournal(queue, place.runId)
      .entries(maxAge, now)
      .pipe(map((entries) => latestRunWork(entries, place, batch)));
  });
}

/** The latest trusted attempt of one place in a run's listing (see `resolveRunBatch`), or null. */
export function latestRunWork(entries: readonly JournalEntry[], place: RunPlace, batch: Batch & { origin: string }): RunWork | null {
  const { latest } = scanAttempts(entries, place, batch);
  if (!isLive(latest)) return null;
  const statuses = latest.kept.map((e) => e.status);
  const status = statuses.every((s) => s === 'completed') ? 'completed' : statuses.includes('failed') ? 'failed' : 'active';
  return { batchId: latest.batchId, status };
}
