import { from, lastValueFrom, take, toArray, type OperatorFunction } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { InvokeAIClient } from '../../../src/client/types.js';
import type { Emulator } from '../../../src/emulator/index.js';
import { generateBase, pool, refine, upscale, type InvokeAIPool, type StageOutput } from '../../../operators/index.js';
import type { BasePrompt } from '../../../operators/generateBase.js';
import { dataWorkflow } from '../support.js';
import { quickClient, startEmulators } from './support.js';

const workflows = { base: dataWorkflow('sdxl_base'), refiner: dataWorkflow('sdxl_refiner'), esrgan: dataWorkflow('esrgan_upscale') };
const PROMPTS = ['a red fox', 'a heron', 'a lighthouse', 'a castle', 'a kite'].map((prompt) => ({ prompt, key: prompt }));
const STAGES = 3;

const opened: { emulators: Emulator[]; clients: InvokeAIClient[]; pools: InvokeAIPool[] } = { emulators: [], clients: [], pools: [] };
afterEach(async () => {
  for (const p of opened.pools.splice(0)) p.close();
  for (const c of opened.clients.splice(0)) c.close();
  await Promise.all(opened.emulators.splice(0).map((e) => e.close()));
});

/** A new pool (new clients, so no memory of earlier runs) over the emulators in the given order. */
function poolOver(emulators: readonly Emulator[]): InvokeAIPool {
  const clients = emulators.map((e) => quickClient(e.url));
  const p = pool(clients, { perServer: 1, healthInterval: 1_000 });
  opened.clients.push(...clients);
  opened.pools.push(p);
  return p;
}

/** generateBase → refine → upscale on the pool; `dead` leaves queued work running on unsubscribe, like a killed process. */
function pipeline(p: InvokeAIPool, runId: string, dead = false): OperatorFunction<BasePrompt, StageOutput> {
  const common = { run: p.run, runId, concurrency: PROMPTS.length, runOptions: dead ? { cancelOnUnsubscribe: false } : {} };
  return (source) =>
    source.pipe(
      generateBase(p.client, { ...common, workflow: workflows.base, params: { width: 64, height: 64, steps: 2 } }),
      refine(p.client, { ...common, workflow: workflows.refiner, params: { steps: 2 } }),
      upscale(p.client, { ...common, workflow: workflows.esrgan }),
    );
}

const itemsOf = (emulators: readonly Emulator[], runId: string) => emulators.flatMap((e) => e.queue.items().filter((i) => i.destination === runId));
const enqueues = (e: Emulator) => e.stats.requestCount('POST', '/api/v1/queue/{queue_id}/enqueue_batch');

describe('a durable run on a pool', () => {
  it('run again on the pool in another order finds every piece of work where it is: nothing is enqueued anywhere', async () => {
    const emulators = await startEmulators(3);
    opened.emulators.push(...emulators);
    const runId = 'pool-again';
    const first = await lastValueFrom(from(PROMPTS).pipe(pipeline(poolOver(emulators), runId), toArray()));
    expect(first.filter((r) => r.stage === 'upscale')).toHaveLength(PROMPTS.length);
    const servers = emulators.filter((e) => e.queue.items().some((i) => i.destination === runId));
    // The chains were spread: a server-local look-up would miss most of them.
    expect(servers.length).toBeGreaterThan(1);
    const before = emulators.map((e) => e.queue.items().length);

    for (const e of emulators) e.stats.resetStats();
    const reordered = [emulators[2]!, emulators[0]!, emulators[1]!];
    const second = await lastValueFrom(from([...PROMPTS].reverse()).pipe(pipeline(poolOver(reordered), runId), toArray()));

    expect(emulators.map(enqueues)).toEqual([0, 0, 0]);
    expect(emulators.map((e) => e.queue.items().length)).toEqual(before);
    const finals = (rs: StageOutput[]) => Object.fromEntries(rs.filter((r) => r.stage === 'upscale').map((r) => [r.lineage.prompt, r.imageName]));
    expect(finals(second)).toEqual(finals(first));
  });

  it('killed mid-way and resumed on the pool in another order: each piece of work ran once', async () => {
    const emulators = await startEmulators(3, { msPerStep: 20 });
    opened.emulators.push(...emulators);
    const runId = 'pool-killed';
    // Two results in, the "process" dies: no cancel is sent, its queued work goes on where it is.
    await lastValueFrom(from(PROMPTS).pipe(pipeline(poolOver(emulators), runId, true), take(2), toArray()));
    expect(itemsOf(emulators, runId).length).toBeLessThan(PROMPTS.length * STAGES);

    const reordered = [emulators[1]!, emulators[2]!, emulators[0]!];
    const resumed = await lastValueFrom(from(PROMPTS).pipe(pipeline(poolOver(reordered), runId), toArray()));
    expect(resumed.filter((r) => r.stage === 'upscale').map((r) => r.lineage.prompt).sort()).toEqual(PROMPTS.map((p) => p.prompt).sort());
    const items = itemsOf(emulators, runId);
    // One item per prompt and stage over all servers, each with its own batch id, all completed.
    expect(items).toHaveLength(PROMPTS.length * STAGES);
    expect(new Set(items.map((i) => i.batch_id)).size).toBe(PROMPTS.length * STAGES);
    expect(items.every((i) => i.status === 'completed')).toBe(true);
  });
});
