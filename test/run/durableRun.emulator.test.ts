import { readFileSync } from 'node:fs';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { runBatchId } from '../../src/run/runIds.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';

const workflow = parseWorkflow(readFileSync(new URL('../fixtures/run/blank-resize.json', import.meta.url), 'utf8'), {
  source: 'blank-resize.json',
});
const waitOptions = { timeout: 10_000, interval: 10 };
type Completed = Extract<RunEvent, { type: 'completed' }>;
type Enqueued = Extract<RunEvent, { type: 'enqueued' }>;

describe('runWorkflow with a runId (the server as the journal)', () => {
  let emulator: Emulator;
  const clients: InvokeAIClient[] = [];
  const newClient = () => {
    const c = createInvokeAIClient({ baseUrl: emulator.url });
    clients.push(c);
    return c;
  };
  let runCount = 0;
  let runId: string;
  const itemsOf = (id: string) => emulator.queue.items().filter((i) => i.destination === id);

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  beforeEach(() => {
    runId = `run-${++runCount}`;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await emulator?.close();
  });

  it('enqueues under the derived batch id, then takes the result from the server on a second subscription', async () => {
    const run = runWorkflow(newClient(), workflow.with({ 1: 24 }), { runId, runPosition: 'only' });
    const first = await lastValueFrom(run.pipe(toArray()));
    const enqueued = first[0] as Enqueued;
    expect(enqueued.batch_id).toBe(runBatchId({ runId, position: 'only', attempt: 0 }));
    expect(enqueued.resumed).toBeUndefined();

    emulator.stats.resetStats();
    const second = await lastValueFrom(runWorkflow(newClient(), workflow.with({ 1: 24 }), { runId, runPosition: 'only' }).pipe(toArray()));
    expect(emulator.stats.requestCount('POST', '/api/v1/queue/{queue_id}/enqueue_batch')).toBe(0);
    expect(second.map((e) => e.type)).toEqual(['enqueued', 'completed']);
    expect((second[0] as Enqueued).resumed).toBe(true);
    expect((second[1] as Completed).result.images).toEqual((first.at(-1) as Completed).result.images);
    expect(itemsOf(runId)).toHaveLength(1);
  });

  it('attaches to a pending item a dead client left behind, and it completes once', async () => {
    emulator.faults.pause();
    try {
      const dead = newClient();
      const enqueued = await firstValueFrom(
        runWorkflow(dead, workflow, { runId, cancelOnUnsubscribe: false }).pipe(filter((e): e is Enqueued => e.type === 'enqueued')),
      );
      dead.close();
      expect(emulator.queue.get(enqueued.item_ids[0]!)?.status).toBe('pending');
      const resumed = lastValueFrom(runWorkflow(newClient(), workflow, { runId }).pipe(toArray()));
      emulator.faults.resume();
      const events = await resumed;
      expect(events[0]).toMatchObject({ type: 'enqueued', resumed: true, item_ids: enqueued.item_ids });
      expect((events.at(-1) as Completed).result.item.item_id).toBe(enqueued.item_ids[0]);
      expect(itemsOf(runId).map((i) => i.status)).toEqual(['completed']);
    } finally {
      emulator.faults.resume();
    }
  });

  it('enqueues the next attempt when the found batch was canceled', async () => {
    emulator.faults.pause();
    try {
      const sub = runWorkflow(newClient(), workflow, { runId }).subscribe();
      await vi.waitFor(() => expect(itemsOf(runId)).toHaveLength(1), waitOptions);
      sub.unsubscribe(); // cancels
      await vi.waitFor(() => expect(itemsOf(runId)[0]?.status).toBe('canceled'), waitOptions);
      const run = lastValueFrom(runWorkflow(newClient(), workflow, { runId }).pipe(toArray()));
      emulator.faults.resume();
      const events = await run;
      expect((events[0] as Enqueued).batch_id).toBe(runBatchId({ runId, position: '', attempt: 1 }));
      expect(itemsOf(runId).map((i) => i.status)).toEqual(['canceled', 'completed']);
    } finally {
      emulator.faults.resume();
    }
  });

  it('does not trust a batch found under its id whose work differs: the work goes under the next attempt', async () => {
    await lastValueFrom(runWorkflow(newClient(), workflow.with({ 1: 24 }), { runId }));
    const events = await lastValueFrom(runWorkflow(newClient(), workflow.with({ 1: 40 }), { runId }).pipe(toArray()));
    expect((events[0] as Enqueued).batch_id).toBe(runBatchId({ runId, position: '', attempt: 1 }));
    expect((events[0] as Enqueued).resumed).toBeUndefined();
    const items = itemsOf(runId);
    expect(items).toHaveLength(2);
    expect(items[0]!.origin).not.toBe(items[1]!.origin);
    // And a third subscription of each finds its own.
    emulator.stats.resetStats();
    await lastValueFrom(runWorkflow(newClient(), workflow.with({ 1: 24 }), { runId }));
    await lastValueFrom(runWorkflow(newClient(), workflow.with({ 1: 40 }), { runId }));
    expect(emulator.stats.requestCount('POST', '/api/v1/queue/{queue_id}/enqueue_batch')).toBe(0);
  });

  it('keeps one copy when two clients enqueue the same work at once, and both get its result', async () => {
    emulator.faults.pause();
    try {
      const a = lastValueFrom(runWorkflow(newClient(), workflow, { runId }).pipe(toArray()));
      const b = lastValueFrom(runWorkflow(newClient(), workflow, { runId }).pipe(toArray()));
      // Both look up before either enqueues: the listing is empty for both.
      await vi.waitFor(() => expect(itemsOf(runId).length).toBeGreaterThanOrEqual(1), waitOptions);
      await new Promise((r) => setTimeout(r, 300));
      emulator.faults.resume();
      const [ea, eb] = await Promise.all([a, b]);
      const ra = (ea.at(-1) as Completed).result.item.item_id;
      const rb = (eb.at(-1) as Completed).result.item.item_id;
      expect(ra).toBe(rb);
      const items = itemsOf(runId);
      expect(items.filter((i) => i.status === 'completed')).toHaveLength(1);
      expect(items.filter((i) => i.status !== 'completed' && i.status !== 'canceled')).toHaveLength(0);
      // A duplicate, if one was enqueued, never ran.
      for (const i of items.filter((x) => x.status === 'canceled')) expect(i.started_at ?? null).toBeNull();
    } finally {
      emulator.faults.resume();
    }
  });

  it('rejects options the run id decides', () => {
    expect(() => runWorkflow(newClient(), workflow, { runId: 'x', batchId: 'y' })).toThrow(/batchId cannot be set with runId/);
    expect(() => runWorkflow(newClient(), workflow, { runId: '' })).toThrow(/runId must be a non-empty string/);
  });
});
