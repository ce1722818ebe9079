import { filter, from, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvokeAIClient } from '../../src/client/InvokeAIClient.js';
import type { InvokeAIClient as Client } from '../../src/client/types.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/types.js';
import { attach } from '../../src/run/attach.js';
import { cleanRun } from '../../src/run/cleanRun.js';
import { lastResult } from '../../src/run/lastResult.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import { streamingPipeline, type StreamingStages } from '../../operators/streamingPipeline.js';
import { generateBase } from '../../operators/generateBase.js';
import { refine } from '../../operators/refine.js';
import type { StageOutput } from '../../operators/StageResult.js';
import { dataWorkflow } from './support.js';

const REAL_TIME = { timeout: 20_000, interval: 20 };
const SMALL = { width: 64, height: 64, steps: 2 };
const workflows = { base: dataWorkflow('sdxl_base'), refiner: dataWorkflow('sdxl_refiner'), esrgan: dataWorkflow('esrgan_upscale') };
const PROMPTS = ['a red fox', 'a heron', 'a lighthouse', 'a castle'];
const STAGE_COUNT = 3;

/** Three stages; `dead` leaves the server's work running on unsubscribe, like a killed process. */
const stages = (dead = false): StreamingStages => {
  const runOptions = dead ? { cancelOnUnsubscribe: false } : {};
  return {
    base: { workflow: workflows.base, params: SMALL, runOptions },
    refiner: { workflow: workflows.refiner, params: { steps: 2 }, runOptions },
    upscaler: { workflow: workflows.esrgan, runOptions },
  };
};
const finals = (results: readonly StageOutput[]) => results.filter((r) => r.stage === 'upscale');

let emu: Emulator;
const clients: Client[] = [];
const newClient = (url = emu.url) => {
  const c = InvokeAIClient.fromUrl(url);
  clients.push(c);
  return c;
};
const enqueues = () => emu.stats.requestCount('POST', '/api/v1/queue/{queue_id}/enqueue_batch');
const itemsOf = (e: Emulator, runId: string) => e.queue.items().filter((i) => i.destination === runId);
/** Each batch id (one place of the run) has exactly one completed item. */
const onePerPlace = (e: Emulator, runId: string) => {
  const done = itemsOf(e, runId).filter((i) => i.status === 'completed');
  return new Set(done.map((i) => i.batch_id)).size === done.length;
};

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await emu?.close();
});

describe('a pipeline with a runId', () => {
  it('subscribed again after it completed emits every result again and enqueues nothing', async () => {
    const runId = 'pipeline-again';
    const first = await lastValueFrom(from(PROMPTS).pipe(streamingPipeline(newClient(), stages(), { runId }), toArray()));
    expect(finals(first)).toHaveLength(PROMPTS.length);
    expect(itemsOf(emu, runId)).toHaveLength(PROMPTS.length * STAGE_COUNT);

    emu.stats.resetStats();
    const second = await lastValueFrom(from(PROMPTS).pipe(streamingPipeline(newClient(), stages(), { runId }), toArray()));
    expect(enqueues()).toBe(0);
    expect(second.map((r) => `${r.stage}:${r.imageName}`).sort()).toEqual(first.map((r) => `${r.stage}:${r.imageName}`).sort());
    expect(finals(second).map((r) => r.lineage.prompt).sort()).toEqual([...PROMPTS].sort());
    expect(finals(second).map((r) => r.lineage.key).sort()).toEqual(['0', '1', '2', '3']);
  });

  it('killed mid-way and resumed: one final result per prompt, one queue item per prompt and stage', async () => {
    const runId = 'pipeline-killed';
    const dead = newClient();
    // Two results in, the "process" dies: no cancel is sent, its queued work goes on.
    await lastValueFrom(from(PROMPTS).pipe(streamingPipeline(dead, stages(true), { runId, concurrency: 2 }), take(2), toArray()));
    dead.close();
    const before = itemsOf(emu, runId).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(PROMPTS.length * STAGE_COUNT);

    const resumed = await lastValueFrom(from(PROMPTS).pipe(streamingPipeline(newClient(), stages(), { runId, concurrency: 2 }), toArray()));
    expect(finals(resumed).map((r) => r.lineage.prompt).sort()).toEqual([...PROMPTS].sort());
    const items = itemsOf(emu, runId);
    expect(items).toHaveLength(PROMPTS.length * STAGE_COUNT);
    expect(items.every((i) => i.status === 'completed')).toBe(true);
    expect(new Set(items.map((i) => i.batch_id)).size).toBe(PROMPTS.length * STAGE_COUNT);
  });

  it('resumed against a server that lost its queue: the missing work is enqueued once', async () => {
    const runId = 'pipeline-lost';
    await lastValueFrom(from(PROMPTS).pipe(streamingPipeline(newClient(), stages(), { runId })));
    const fresh = await startEmulator();
    try {
      const results = await lastValueFrom(from(PROMPTS).pipe(streamingPipeline(newClient(fresh.url), stages(), { runId }), toArray()));
      expect(finals(results)).toHaveLength(PROMPTS.length);
      const items = itemsOf(fresh, runId);
      expect(items).toHaveLength(PROMPTS.length * STAGE_COUNT);
      expect(items.every((i) => i.status === 'completed')).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('two clients resuming the same run at once run no batch twice', async () => {
    const runId = 'pipeline-two';
    // GPU-like job times: a duplicate is canceled before it could start behind the first copy.
    const gpu = await startEmulator({ timing: { msPerStep: 100 } });
    const emu = gpu;
    const newClient = () => {
      const c = InvokeAIClient.fromUrl(gpu.url);
      clients.push(c);
      return c;
    };
    const dead = newClient();
    await lastValueFrom(from(PROMPTS).pipe(streamingPipeline(dead, stages(true), { runId, concurrency: 2 }), take(1), toArray()));
    dead.close();
    const [a, b] = await Promise.all(
      [newClient(), newClient()].map((c) => lastValueFrom(from(PROMPTS).pipe(streamingPipeline(c, stages(), { runId, concurrency: 2 }), toArray()))),
    );
    for (const results of [a, b]) expect(finals(results).map((r) => r.lineage.prompt).sort()).toEqual([...PROMPTS].sort());
    expect(finals(a).map((r) => r.imageName).sort()).toEqual(finals(b).map((r) => r.imageName).sort());
    expect(onePerPlace(emu, runId)).toBe(true);
    expect(itemsOf(emu, runId).filter((i) => i.status === 'completed')).toHaveLength(PROMPTS.length * STAGE_COUNT);
    for (const c of clients.splice(0)) c.close();
    await gpu.close();
  });

  it('keys prompts by their own key, so a stream in another order finds its work', async () => {
    const runId = 'pipeline-keys';
    const keyed = PROMPTS.map((prompt) => ({ prompt, key: prompt }));
    const base = { workflow: workflows.base, params: SMALL, runId };
    const first = await lastValueFrom(from(keyed).pipe(generateBase(newClient(), base), toArray()));
    emu.stats.resetStats();
    const again = await lastValueFrom(from([...keyed].reverse()).pipe(generateBase(newClient(), base), toArray()));
    expect(enqueues()).toBe(0);
    const byPrompt = (rs: StageOutput[]) => Object.fromEntries(rs.map((r) => [r.lineage.prompt, r.imageName]));
    expect(byPrompt(again)).toEqual(byPrompt(first));
  });
});

describe('attach', () => {
  it('follows a pending item to its completion', async () => {
    emu.faults.pause();
    try {
      const c = newClient();
      const pending = await lastValueFrom(
        runWorkflow(c, workflows.base.with({ 0: 'a wren', 3: 2, 5: 64, 6: 64 }), { cancelOnUnsubscribe: false }).pipe(filter((e) => e.type === 'enqueued'), take(1)),
      );
      const itemId = (pending as { item_ids: number[] }).item_ids[0]!;
      expect(emu.queue.get(itemId)?.status).toBe('pending');
      const result = lastValueFrom(attach(newClient(), itemId).pipe(lastResult()));
      emu.faults.resume();
      const r = await result;
      expect(r.item.item_id).toBe(itemId);
      expect(emu.queue.get(itemId)?.status).toBe('completed');
      expect(r.images.every((n) => emu.images.hasImage(n))).toBe(true);
    } finally {
      emu.faults.resume();
    }
  });
});

describe('cleanRun', () => {
  it("cancels the run's unfinished items and deletes only images its items made", async () => {
    const runId = 'pipeline-clean';
    const other = 'pipeline-other';
    const otherResults = await lastValueFrom(from(['a kite']).pipe(generateBase(newClient(), { workflow: workflows.base, params: SMALL, runId: other }), toArray()));
    const done = await lastValueFrom(
      from(['an owl']).pipe(generateBase(newClient(), { workflow: workflows.base, params: SMALL, runId }), toArray()),
    );
    // Refine the other run's image under this run: the input must survive the clean.
    const refined = await lastValueFrom(from([otherResults[0]!.imageName]).pipe(refine(newClient(), { workflow: workflows.refiner, params: { steps: 2 }, runId }), toArray()));
    emu.faults.pause();
    try {
      const c = newClient();
      const sub = from(['a moth']).pipe(generateBase(c, { workflow: workflows.base, params: SMALL, runId, runOptions: { cancelOnUnsubscribe: false } })).subscribe();
      await vi.waitFor(() => expect(itemsOf(emu, runId).some((i) => i.status === 'pending')).toBe(true), REAL_TIME);
      sub.unsubscribe();
      c.close();

      const made = [...done, ...refined].map((r) => r.imageName);
      const summary = await lastValueFrom(cleanRun(newClient(), runId, { images: 'all' }));
      expect(summary.canceled).toBe(1);
      expect(itemsOf(emu, runId).filter((i) => i.status === 'canceled')).toHaveLength(1);
      expect(summary.failedDeletes).toEqual([]);
      for (const name of made) expect(summary.deletedImages).toContain(name);
      for (const name of made) expect(emu.images.hasImage(name)).toBe(false);
      // The other run's image (an input of this run's refine) and its item's images stay.
      expect(summary.deletedImages).not.toContain(otherResults[0]!.imageName);
      expect(emu.images.hasImage(otherResults[0]!.imageName)).toBe(true);
      for (const item of itemsOf(emu, other)) expect(item.status).toBe('completed');
    } finally {
      emu.faults.resume();
    }
  });
});
