import { lastValueFrom, from, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeAIClient } from '../../src/client/types.js';
import type { Emulator } from '../../src/emulator/index.js';
import { cleanup, generateBase, pool, refine, type InvokeAIPool, type StageOutput } from '../../operators/index.js';
import { quickClient, startEmulators } from './pool/support.js';
import { dataWorkflow } from './support.js';

describe('stages over a pool', () => {
  let emulators: Emulator[];
  let clients: InvokeAIClient[];
  let gpus: InvokeAIPool;

  beforeAll(async () => {
    emulators = await startEmulators(2);
    clients = emulators.map((e) => quickClient(e.url));
    gpus = pool(clients, { perServer: 2, healthInterval: 1_000 });
  });
  afterAll(async () => {
    gpus?.close();
    for (const c of clients ?? []) c.close();
    await Promise.all((emulators ?? []).map((e) => e.close()));
  });

  const emulatorOf = (client: InvokeAIClient | undefined) => emulators.find((e) => new URL(e.url).origin === client?.config.origin);

  it('runs each chain on the server that holds its images, spreads chains, and cleans up there', async () => {
    const { client, run } = gpus;
    const prompts = Array.from({ length: 6 }, (_, i) => ({ prompt: `prompt ${i}`, width: 64, height: 64, steps: 1 }));
    const results: StageOutput[] = await lastValueFrom(
      from(prompts).pipe(
        generateBase(client, { workflow: dataWorkflow('sdxl_base'), run, concurrency: 4 }),
        refine(client, { workflow: dataWorkflow('sdxl_refiner'), run, concurrency: 4, params: { steps: 1 } }),
        cleanup(client),
        toArray(),
      ),
    );

    expect(results).toHaveLength(6);
    const usedServers = new Set<Emulator | undefined>();
    for (const r of results) {
      expect(r.ok).toBe(true);
      const base = r.lineage.base!;
      const home = emulatorOf(gpus.serverOf(r.imageName));
      usedServers.add(home);
      // The refined image was made on the server that made its base image…
      expect(emulatorOf(gpus.serverOf(base))).toBe(home);
      expect(home!.images.hasImage(r.imageName)).toBe(true);
      // …and cleanup deleted that base image there.
      expect(home!.images.hasImage(base)).toBe(false);
    }
    expect(usedServers.size).toBe(2);
    // Each server ran the two stages of its own chains only: as many refines as bases.
    for (const emu of emulators) {
      const batches = emu.queue.items().filter((i) => i.status === 'completed');
      expect(batches.length % 2).toBe(0);
    }
  });
});
