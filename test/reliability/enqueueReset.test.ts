import { from, lastValueFrom, toArray } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateBase } from '../../operators/index.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import type { Emulator } from '../../src/emulator/index.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import { TINY_BASE_BINDING, duplicatedBatches, emulatorWithClient, tinyWorkflows } from './support.js';

const Q = '/api/v1/queue/{queue_id}';
const wf = tinyWorkflows();

type Enqueued = Extract<RunEvent, { type: 'enqueued' }>;
type Completed = Extract<RunEvent, { type: 'completed' }>;

/**
 * The connection is reset after the server accepted the request: the client cannot know whether
 * the batch was queued. The batch id the client chose makes it checkable.
 */
describe('reliability: connection reset after the server accepted the request', () => {
  let emu: Emulator;
  let client: InvokeAIClient;
  emulatorWithClient((e, c) => ([emu, client] = [e, c]));
  beforeEach(() => emu.faults.clear());

  const itemsOf = (batchId: string) => emu.queue.items().filter((i) => i.batch_id === batchId);

  it('enqueue_batch reset after accept: one queue item for the batch id, the run completes once', async () => {
    emu.faults.dropAfterAccept({ route: `${Q}/enqueue_batch`, method: 'POST', count: 1 });
    emu.stats.resetStats();
    const events = await lastValueFrom(runWorkflow(client, wf.base.with({ 0: 'reset me' })).pipe(toArray()));
    const enqueued = events[0] as Enqueued;
    expect(emu.faults.state().dropAfterAccept).toEqual([]);
    // The reset request was the only enqueue sent: the batch status showed it was taken.
    expect(emu.stats.requestCount('POST', `${Q}/enqueue_batch`)).toBe(1);
    expect(emu.stats.requestCount('GET', `${Q}/b/{batch_id}/status`)).toBe(1);
    expect(itemsOf(enqueued.batch_id).map((i) => [i.item_id, i.status])).toEqual([[enqueued.item_ids[0], 'completed']]);
    expect(events.filter((e) => e.type === 'completed')).toHaveLength(1);
  });

  it('reset on a three-run batch and a 503 burst on the lookups: the three items are recovered, each completes once', async () => {
    emu.faults.dropAfterAccept({ route: `${Q}/enqueue_batch`, method: 'POST', count: 1 });
    emu.faults.httpErrors({ status: 503, count: 2, route: `${Q}/b/{batch_id}/status`, method: 'GET' });
    emu.faults.httpErrors({ status: 503, count: 1, route: `${Q}/item_summaries_by_ids`, method: 'POST' });
    const events = await lastValueFrom(runWorkflow(client, wf.base, { runs: 3 }).pipe(toArray()));
    expect(emu.faults.state()).toMatchObject({ dropAfterAccept: [], httpErrors: [] });
    const enqueued = events[0] as Enqueued;
    const onServer = itemsOf(enqueued.batch_id).map((i) => i.item_id).sort((a, b) => a - b);
    expect(onServer).toHaveLength(3);
    expect(enqueued.item_ids).toEqual(onServer);
    const completed = events.filter((e): e is Completed => e.type === 'completed').map((e) => e.item_id);
    expect(completed.sort((a, b) => a - b)).toEqual(onServer);
  });

  it('a reset before the batch reached the queue (status shows nothing): resubmitted once, one item', async () => {
    // A 503 from a gateway: the server never saw the batch; the status lookup says total 0.
    emu.faults.httpErrors({ status: 503, count: 1, route: `${Q}/enqueue_batch`, method: 'POST' });
    emu.stats.resetStats();
    const events = await lastValueFrom(runWorkflow(client, wf.base).pipe(toArray()));
    const enqueued = events[0] as Enqueued;
    expect(emu.stats.requestCount('POST', `${Q}/enqueue_batch`)).toBe(2);
    expect(itemsOf(enqueued.batch_id)).toHaveLength(1);
    expect(events.at(-1)!.type).toBe('completed');
  });

  it('twelve prompts in parallel with every other enqueue reset: twelve results, no batch queued twice', async () => {
    emu.faults.dropAfterAccept({ route: `${Q}/enqueue_batch`, method: 'POST', count: 6 });
    const before = new Set(emu.queue.items().map((i) => i.item_id));
    const prompts = Array.from({ length: 12 }, (_, i) => `prompt ${i}`);
    const results = await lastValueFrom(
      from(prompts).pipe(generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING, concurrency: 4 }), toArray()),
    );
    expect(emu.faults.state().dropAfterAccept).toEqual([]);
    expect(results.map((r) => r.lineage.prompt).sort()).toEqual([...prompts].sort());
    const mine = emu.queue.items().filter((i) => !before.has(i.item_id));
    expect(mine).toHaveLength(12);
    expect(duplicatedBatches(emu, new Set(mine.map((i) => i.batch_id)))).toEqual([]);
    expect(new Set(results.map((r) => r.imageName)).size).toBe(12);
  });

  it('board creation reset after accept: the board is found, not created twice', async () => {
    emu.faults.dropAfterAccept({ route: '/api/v1/boards/', method: 'POST', count: 1 });
    const board = await lastValueFrom(client.boards.findOrCreate('reset during create'));
    expect(emu.faults.state().dropAfterAccept).toEqual([]);
    const boards = (await lastValueFrom(client.boards.listAll())).filter((b) => b.board_name === 'reset during create');
    expect(boards.map((b) => b.board_id)).toEqual([board.board_id]);
  });
});
