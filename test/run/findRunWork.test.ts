import { describe, expect, it } from 'vitest';
import { latestRunWork } from '../../src/run/findRunWork.js';
import type { JournalEntry } from '../../src/run/runJournal.js';
import { runBatchId } from '../../src/run/runIds.js';
import type { Batch } from '../../src/schemas/graph.js';
import type { QueueItemStatus } from '../../src/schemas/queue.js';

const place = { runId: 'run-1', position: '["refine","a",1]', attempt: 0 };
const batch = { graph: { id: 'g', nodes: {}, edges: [] }, runs: 1, origin: 'invokeai-rx:run:work' } as Batch & { origin: string };
const idOf = (attempt: number) => runBatchId({ ...place, attempt });
let next = 1;
const entry = (attempt: number, status: QueueItemStatus, origin = batch.origin): JournalEntry => ({
  item_id: next++,
  batch_id: idOf(attempt),
  origin,
  status,
  item: null,
});

describe('latestRunWork', () => {
  it('is null when the place has no item, or only canceled ones', () => {
    expect(latestRunWork([], place, batch)).toBeNull();
    expect(latestRunWork([entry(0, 'canceled')], place, batch)).toBeNull();
    expect(latestRunWork([entry(0, 'completed', 'invokeai-rx:run:other')], place, batch)).toBeNull();
  });

  it('follows the latest attempt and tells completed, active and failed apart', () => {
    expect(latestRunWork([entry(0, 'completed')], place, batch)).toEqual({ batchId: idOf(0), status: 'completed' });
    expect(latestRunWork([entry(0, 'canceled'), entry(1, 'in_progress')], place, batch)).toEqual({ batchId: idOf(1), status: 'active' });
    expect(latestRunWork([entry(0, 'canceled'), entry(1, 'pending')], place, batch)).toEqual({ batchId: idOf(1), status: 'active' });
    expect(latestRunWork([entry(0, 'failed')], place, batch)).toEqual({ batchId: idOf(0), status: 'failed' });
  });

  it('skips an attempt with another origin (other work under this place) and looks further', () => {
    const entries = [entry(0, 'completed', 'invokeai-rx:run:other'), entry(1, 'completed')];
    expect(latestRunWork(entries, place, batch)).toEqual({ batchId: idOf(1), status: 'completed' });
    // The walk starts at the given attempt.
    expect(latestRunWork([entry(0, 'completed')], { ...place, attempt: 1 }, batch)).toBeNull();
  });
});
