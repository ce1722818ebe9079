import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { generateBase, pool, type InvokeAIPool, type StageOutput } from '../../operators/index.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { TINY_BASE_BINDING, fastClient, tinyWorkflows } from './support.js';

const wf = tinyWorkflows();

/** The prompt a tiny-base queue item ran (its `prompt` string primitive). */
function promptOf(item: { session: { graph: { nodes: Record<string, unknown> } } }): string | undefined {
  return (item.session.graph.nodes['prompt'] as { value?: string } | undefined)?.value;
}

describe('reliability: a pool server dies mid-run', () => {
  let emulators: Emulator[] = [];
  let clients: InvokeAIClient[] = [];
  let gpus: InvokeAIPool | undefined;

  afterEach(async () => {
    gpus?.close();
    for (const c of clients) c.close();
    await Promise.all(emulators.map((e) => e.close()));
    emulators = [];
    clients = [];
  });

  it('every prompt completes exactly once, the rest on the survivors', async () => {
    emulators = await Promise.all([startEmulator(), startEmulator(), startEmulator()]);
    clients = emulators.map((e) => fastClient(e, { retry: { limit: 1 }, timeout: 2_000 }));
    gpus = pool(clients, { perServer: 2, healthInterval: 200, healthTimeout: 500, resubmitStarted: true });
    const victim = emulators[1]!;
    const prompts = Array.from({ length: 30 }, (_, i) => `prompt ${i}`);
    // The victim holds its first job forever once started: there is work started and work waiting on it.
    victim.faults.stallNode('esrgan', { forever: true });
    let killed = false;
    let delivered = 0;

    const results: StageOutput[] = await lastValueFrom(
      from(prompts).pipe(
        generateBase(gpus.client, {
          workflow: wf.stallableBase,
          binding: TINY_BASE_BINDING,
          run: gpus.run,
          concurrency: 8,
          runOptions: { pollInterval: 100, pollIntervalWithoutSocket: 50, connectTimeout: 200 },
        }),
        tap(() => {
          delivered += 1;
          if (!killed && delivered >= 5 && victim.queue.items().some((i) => i.status === 'in_progress')) {
            killed = true;
            void victim.close();
          }
        }),
        toArray(),
      ),
    );

    expect(killed).toBe(true);
    expect(delivered).toBe(prompts.length);
    // Exactly one result per prompt.
    expect(results.map((r) => r.lineage.prompt).sort()).toEqual([...prompts].sort());
    // Each result is a completed queue item, for its prompt, on the server the pool says made it;
    // the survivors still hold their images.
    for (const r of results) {
      const owner = gpus.serverOf(r.imageName);
      expect(owner).toBeDefined();
      const emu = emulators[clients.indexOf(owner!)]!;
      const item = emu.queue.get(r.item_id!);
      expect(item?.status).toBe('completed');
      expect(promptOf(item!)).toBe(r.lineage.prompt);
      if (emu !== victim) expect(emu.images.hasImage(r.imageName)).toBe(true);
    }
    // The victim's unfinished jobs were moved: each of their prompts completed on a survivor.
    const stranded = victim.queue.items().filter((i) => i.status !== 'completed');
    expect(stranded.map((i) => i.status)).toContain('in_progress');
    for (const i of stranded) {
      const r = results.find((x) => x.lineage.prompt === promptOf(i))!;
      expect(gpus.serverOf(r.imageName)).not.toBe(clients[1]);
    }
    // Across all servers, no prompt was completed twice (the dead server's rows are still readable in memory).
    const completedPerPrompt = new Map<string, number>();
    for (const e of emulators)
      for (const i of e.queue.items())
        if (i.status === 'completed') completedPerPrompt.set(promptOf(i)!, (completedPerPrompt.get(promptOf(i)!) ?? 0) + 1);
    expect([...completedPerPrompt.values()].every((n) => n === 1)).toBe(true);
    expect(completedPerPrompt.size).toBe(prompts.length);
  });
});
