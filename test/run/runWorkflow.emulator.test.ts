import { readFileSync } from 'node:fs';
import { filter, firstValueFrom, lastValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { isQueueItemFailedError } from '../../src/errors/guards.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import { runWorkflowToResult } from '../../src/run/runWorkflowToResult.js';
import type { RunEvent } from '../../src/run/types.js';
import type { Batch } from '../../src/schemas/graph.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';

const workflow = parseWorkflow(readFileSync(new URL('../fixtures/run/blank-resize.json', import.meta.url), 'utf8'), {
  source: 'blank-resize.json',
});

/** The emulator works asynchronously: poll (real time, bounded) until a check holds. */
const waitOptions = { timeout: 10_000, interval: 10 };

/** A prebuilt batch: blank image → ESRGAN, whose simulated GPU work the `stallNode` fault can hold. */
const upscaleBatch: Batch = {
  graph: {
    id: 'upscale',
    nodes: {
      blank: { id: 'blank', type: 'blank_image', width: 16, height: 16, is_intermediate: true },
      up: { id: 'up', type: 'esrgan', model_name: 'RealESRGAN_x2plus.pth', is_intermediate: false },
    },
    edges: [{ source: { node_id: 'blank', field: 'image' }, destination: { node_id: 'up', field: 'image' } }],
  },
  runs: 1,
};

describe('runWorkflow against the emulator', () => {
  let emulator: Emulator;
  let client: InvokeAIClient;
  let pollingClient: InvokeAIClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    client = createInvokeAIClient({ baseUrl: emulator.url });
    pollingClient = createInvokeAIClient({ baseUrl: emulator.url, socketFactory: null });
  });
  afterAll(async () => {
    client?.close();
    pollingClient?.close();
    await emulator?.close();
  });

  it('runs a two-node graph to completion over HTTP and socket.io', async () => {
    const events = await lastValueFrom(runWorkflow(client, workflow.with({ 1: 24 })).pipe(toArray()));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('enqueued');
    expect(types[1]).toBe('queued');
    expect(types).toContain('started');
    expect(types.filter((t) => t === 'node_completed')).toHaveLength(2);
    expect(types.at(-1)).toBe('completed');

    const done = events.at(-1) as Extract<RunEvent, { type: 'completed' }>;
    const { item, outputs, images, timings } = done.result;
    expect(item.status).toBe('completed');
    expect(item.batch_id).toBe((events[0] as Extract<RunEvent, { type: 'enqueued' }>).batch_id);
    expect(item.origin).toMatch(/^invokeai-rx:/);
    expect(outputs.map((o) => [o.nodeId, o.isIntermediate, o.imageNames.length])).toEqual([
      ['blank', true, 1],
      ['resize', false, 1],
    ]);
    // Non-intermediate outputs first.
    expect(images).toEqual([outputs[1]!.imageNames[0], outputs[0]!.imageNames[0]]);
    expect(emulator.images.hasImage(images[0]!)).toBe(true);
    const resized = item.session.results[item.session.source_prepared_mapping.resize![0]!] as unknown as { width: number; height: number };
    expect([resized.width, resized.height]).toEqual([24, 32]);
    expect(timings.startedAt).not.toBeNull();
    expect(timings.completedAt).toBeGreaterThanOrEqual(timings.enqueuedAt);
  });

  it('completes by polling alone when sockets are disabled', async () => {
    emulator.stats.resetStats();
    const result = await firstValueFrom(runWorkflowToResult(pollingClient, workflow));
    expect(result.item.status).toBe('completed');
    expect(result.images).toHaveLength(2);
    expect(emulator.stats.requestCount('GET', '/api/v1/queue/{queue_id}/i/{item_id}')).toBeGreaterThan(0);
  });

  it('a failing node gives QueueItemFailedError with the server fields and the workflow node id', async () => {
    emulator.faults.failNode('img_resize', { error_type: 'ValueError', error_message: 'resize exploded' });
    const run = lastValueFrom(runWorkflow(client, workflow));
    await expect(run).rejects.toSatisfy(isQueueItemFailedError);
    await expect(run).rejects.toMatchObject({
      error_type: 'ValueError',
      error_message: 'resize exploded',
      error_traceback: expect.stringContaining('ValueError: resize exploded'),
      node_id: 'resize',
      item: { status: 'failed' },
    });
    await expect(run).rejects.toSatisfy((error: QueueItemFailedError) => emulator.queue.get(error.item_id)?.status === 'failed');
  });

  it('survives the socket being dropped mid-run: completes once, by poll or after the reconnect', async () => {
    emulator.faults.stallNode('esrgan', { ms: 500 });
    let dropped = false;
    const events = await lastValueFrom(
      runWorkflow(client, { batch: upscaleBatch }).pipe(
        tap((e) => {
          if (e.type === 'node_completed' && !dropped) {
            dropped = true;
            emulator.faults.disconnectSockets();
          }
        }),
        toArray(),
      ),
    );
    expect(dropped).toBe(true);
    expect(events.filter((e) => e.type === 'completed')).toHaveLength(1);
    const done = events.at(-1) as Extract<RunEvent, { type: 'completed' }>;
    expect(done.type).toBe('completed');
    expect(done.result.outputs.map((o) => o.nodeId)).toEqual(['blank', 'up']);
    expect(done.result.images).toHaveLength(2);
  });

  it('unsubscribing mid-run leaves the item canceled on the server', async () => {
    emulator.faults.stallNode('esrgan', { forever: true });
    emulator.stats.resetStats();
    let itemId: number | null = null;
    const sub = runWorkflow(client, { batch: upscaleBatch })
      .pipe(filter((e) => e.type === 'node_completed'))
      .subscribe((e) => {
        // The blank image is done and the upscale hangs: stop watching.
        itemId = (e as Extract<RunEvent, { type: 'node_completed' }>).item_id;
        sub.unsubscribe();
      });
    await vi.waitFor(() => expect(itemId, 'the first node to complete').not.toBeNull(), waitOptions);
    await vi.waitFor(() => expect(emulator.queue.get(itemId!)?.status, `item ${itemId}`).toBe('canceled'), waitOptions);
    expect(emulator.stats.requestCount('PUT', '/api/v1/queue/{queue_id}/i/{item_id}/cancel')).toBe(1);
  });

  it('unsubscribing while the item waits in the queue cancels it before it starts', async () => {
    emulator.faults.pause();
    try {
      let itemId: number | null = null;
      const sub = runWorkflow(client, workflow)
        .pipe(filter((e) => e.type === 'queued'))
        .subscribe((e) => {
          itemId = (e as Extract<RunEvent, { type: 'queued' }>).item_id;
          sub.unsubscribe();
        });
      await vi.waitFor(() => expect(itemId, 'the item to be queued').not.toBeNull(), waitOptions);
      await vi.waitFor(() => expect(emulator.queue.get(itemId!)?.status, `item ${itemId}`).toBe('canceled'), waitOptions);
      expect(emulator.queue.get(itemId!)?.started_at ?? null).toBeNull();
    } finally {
      emulator.faults.resume();
    }
  });
});
