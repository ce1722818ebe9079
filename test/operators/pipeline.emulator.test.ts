import { decode } from 'fast-png';
import { Subject, from, lastValueFrom, of, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvokeAIClient } from '../../src/client/InvokeAIClient.js';
import type { InvokeAIClient as Client } from '../../src/client/types.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/types.js';
import { assessQuality } from '../../src/quality/assessQuality.js';
import { adaptiveRefine } from '../../operators/adaptiveRefine.js';
import { cleanup } from '../../operators/cleanup.js';
import { fullPipeline } from '../../operators/fullPipeline.js';
import { generateBase } from '../../operators/generateBase.js';
import { progressiveRefine } from '../../operators/progressiveRefine.js';
import { refine } from '../../operators/refine.js';
import { streamingPipeline } from '../../operators/streamingPipeline.js';
import { upscale } from '../../operators/upscale.js';
import { variations } from '../../operators/variations.js';
import type { StageFailure, StageOutput, StageResult } from '../../operators/StageResult.js';
import { dataWorkflow } from './support.js';

/** Polling bounds for `vi.waitFor`: the emulator works on real timers. */
const REAL_TIME = { timeout: 20_000, interval: 20 };
// Small images and few steps keep the emulator's CPU work light.
const SMALL = { width: 64, height: 64, steps: 2 };
// Without a table: every stage binds the emulator's own (its /openapi.json), as against a server.
const workflows = {
  base: dataWorkflow('sdxl_base', { table: false }),
  refiner: dataWorkflow('sdxl_refiner', { table: false }),
  esrgan: dataWorkflow('esrgan_upscale', { table: false }),
  faces: dataWorkflow('face_restore', { table: false }),
};

let emu: Emulator;
let client: Client;

beforeAll(async () => {
  emu = await startEmulator();
  client = InvokeAIClient.fromUrl(emu.url);
});

afterAll(async () => {
  client?.close();
  await emu?.close();
});

const pngSize = async (name: string) => {
  const png = decode(await lastValueFrom(client.images.download(name)));
  return [png.width, png.height];
};

const baseImage = (prompt = 'a red fox') =>
  lastValueFrom(of(prompt).pipe(generateBase(client, { workflow: workflows.base, params: SMALL })));

describe('operators against the emulator', () => {
  it('fullPipeline runs base → refine → upscale → faces on the data workflows, routing the last to a board by name', async () => {
    const results = await lastValueFrom(
      of('A majestic castle on a mountain').pipe(
        fullPipeline(client, {
          base: { workflow: workflows.base, params: { width: 64, height: 64 } },
          refiner: { workflow: workflows.refiner, onError: 'throw' },
          upscaler: { workflow: workflows.esrgan },
          faces: { workflow: workflows.faces, board: 'face_enhanced' },
          negative: 'blurry, low quality',
          seed: 42,
          baseSteps: 2,
          refinerSteps: 2,
          upscaleFactor: 2,
          faceStrength: 0.6,
        }),
        toArray(),
      ),
    );
    expect(results.map((r) => [r.stage, r.ok])).toEqual([
      ['generateBase', true],
      ['refine', true],
      ['upscale', true],
      ['enhanceFaces', true],
    ]);
    const [b, r, u, f] = results as StageResult[];
    expect(r!.input).toBe(b!.imageName);
    expect(u!.input).toBe(r!.imageName);
    expect(f!.input).toBe(u!.imageName);
    expect(f!.lineage).toEqual({ prompt: 'A majestic castle on a mountain', base: b!.imageName, refined: [r!.imageName], chain: [b!.imageName, r!.imageName, u!.imageName] });
    expect(f!.created).toEqual([b!.imageName, r!.imageName, u!.imageName]);
    const boards = await lastValueFrom(client.boards.listAll());
    const board = boards.find((x) => x.board_name === 'face_enhanced');
    expect(f!.board).toBe(board!.board_id);
    expect(await lastValueFrom(client.boards.imageNames(board!.board_id))).toContain(f!.imageName);
    expect(b!.board).toBeNull();
    for (const result of results) expect(emu.queue.get(result.item_id as number)?.status).toBe('completed');
  });

  it('upscale doubles the size of the image', async () => {
    const base = await baseImage();
    const up = await lastValueFrom(of(base).pipe(upscale(client, { workflow: workflows.esrgan, params: { scale: 2 } })));
    expect(await pngSize(base.imageName)).toEqual([64, 64]);
    expect(await pngSize(up.imageName)).toEqual([128, 128]);
  });

  it('progressiveRefine emits one refined image per pass of the default schedule', async () => {
    const base = await baseImage();
    const passes = await lastValueFrom(
      of(base).pipe(progressiveRefine(client, { workflow: workflows.refiner, params: { steps: 2 } }), toArray()),
    );
    expect(passes.map((p) => p.params['strength'])).toEqual([0.5, 0.3, 0.15]);
    expect(passes.map((p) => p.input)).toEqual([base.imageName, passes[0]!.imageName, passes[1]!.imageName]);
    expect(new Set(passes.map((p) => p.imageName)).size).toBe(3);
    for (const p of passes) expect(emu.images.hasImage(p.imageName)).toBe(true);
  });

  it('adaptiveRefine stops as soon as the real quality score meets the threshold, and at maxPasses otherwise', async () => {
    const base = await baseImage();
    const enqueuedBefore = emu.queue.items().length;
    const met = await lastValueFrom(of(base).pipe(adaptiveRefine(client, { workflow: workflows.refiner, params: { steps: 2 } }, { threshold: 0 }), toArray()));
    expect(met.map((s) => s.pass)).toEqual([0]);
    expect(emu.queue.items().length).toBe(enqueuedBefore);

    // A score is in 0..1, so a threshold above 1 is never met: exactly maxPasses passes run.
    const steps = await lastValueFrom(
      of(base).pipe(adaptiveRefine(client, { workflow: workflows.refiner, params: { steps: 2 } }, { threshold: 1.5, maxPasses: 2 }), toArray()),
    );
    expect(steps.map((s) => s.pass)).toEqual([1, 2]);
    expect(steps.map((s) => s.stage === 'refine' && s.params.strength)).toEqual([0.5, 0.5]);
    // Each step carries the real score of the image it started from.
    const inputs = [base.imageName, steps[0]!.imageName];
    for (const [i, step] of steps.entries()) {
      const bytes = await lastValueFrom(client.images.download(inputs[i]!));
      expect(step.quality).toEqual(assessQuality(bytes));
    }
  });

  it('variations generates every prompt with a concurrency limit', async () => {
    const prompts = ['morning light', 'sunset', 'night time'].map((p, i) => ({ prompt: `Fantasy landscape, ${p}`, seed: 100 + i, ...SMALL }));
    const results = await lastValueFrom(variations(client, { workflow: workflows.base }, prompts, { concurrency: 2 }).pipe(toArray()));
    expect(results.map((r) => r.lineage.prompt).sort()).toEqual(prompts.map((p) => p.prompt).sort());
    expect(new Set(results.map((r) => r.imageName)).size).toBe(3);
    for (const r of results) expect(emu.queue.get(r.item_id)?.status).toBe('completed');
  });

  it('cleanup deletes exactly the intermediates of the chain, nothing else', async () => {
    const before = new Set(emu.images.imageNames());
    const results: StageOutput[] = await lastValueFrom(
      of('a lighthouse').pipe(
        fullPipeline(client, {
          base: { workflow: workflows.base, params: SMALL },
          refiner: { workflow: workflows.refiner, params: { steps: 2 } },
          upscaler: { workflow: workflows.esrgan },
        }),
        cleanup(client),
        toArray(),
      ),
    );
    const [b, r, u] = results;
    const after = new Set(emu.images.imageNames());
    const gone = [...before].filter((n) => !after.has(n));
    expect(gone).toEqual([]);
    expect(after.has(b!.imageName)).toBe(false);
    expect(after.has(r!.imageName)).toBe(false);
    expect(after.has(u!.imageName)).toBe(true);
    // Images the runs made at intermediate nodes are not this library's to delete.
    const createdByRuns = [...after].filter((n) => !before.has(n));
    expect(createdByRuns).toContain(u!.imageName);
  });

  it('streamingPipeline keeps only the last image of each prompt', async () => {
    const results = await lastValueFrom(
      from(['Mountain landscape', 'Ocean sunset']).pipe(
        streamingPipeline(client, { base: { workflow: workflows.base, params: SMALL }, refiner: { workflow: workflows.refiner, params: { steps: 2 } } }),
        toArray(),
      ),
    );
    expect(results.map((r) => r.stage)).toEqual(['generateBase', 'refine', 'generateBase', 'refine']);
    expect(results.map((r) => emu.images.hasImage(r.imageName))).toEqual([false, true, false, true]);
  });
});

describe('unsubscribing', () => {
  let slow: Emulator;
  let slowClient: Client;
  beforeAll(async () => {
    slow = await startEmulator({ timing: { msPerStep: 200 } });
    slowClient = InvokeAIClient.fromUrl(slow.url);
  });
  afterAll(async () => {
    slowClient?.close();
    await slow?.close();
  });

  it('cancels the queue items in flight on the server', async () => {
    const reported: StageFailure[] = [];
    const stage = generateBase(slowClient, { workflow: workflows.base, params: { ...SMALL, steps: 50 }, concurrency: 3, failures: (f) => reported.push(f) });
    const sub = from(['a', 'b', 'c']).pipe(stage).subscribe();
    // Wait until all three are on the server and one runs, then unsubscribe.
    await vi.waitFor(() => {
      expect(slow.queue.items()).toHaveLength(3);
      expect(slow.queue.items().map((i) => i.status)).toContain('in_progress');
    }, REAL_TIME);
    sub.unsubscribe();
    await vi.waitFor(() => expect(slow.queue.items().filter((i) => i.status !== 'canceled')).toEqual([]), REAL_TIME);
    expect(reported.map((f) => [f.prompt, f.error instanceof Error && f.error.name])).toEqual([
      ['a', 'StageCanceledError'],
      ['b', 'StageCanceledError'],
      ['c', 'StageCanceledError'],
    ]);
  });

  it('cleanup deletes the intermediates of a chain abandoned mid-way', async () => {
    const base = await lastValueFrom(of('d').pipe(generateBase(slowClient, { workflow: workflows.base, params: { ...SMALL, steps: 1 } })));
    const failures = new Subject<StageFailure>();
    const sub = of(base)
      .pipe(refine(slowClient, { workflow: workflows.refiner, params: { steps: 200 }, failures }), cleanup(slowClient, { failures }))
      .subscribe();
    await vi.waitFor(() => expect(slow.queue.items().at(-1)?.status).toBe('in_progress'), REAL_TIME);
    expect(slow.images.hasImage(base.imageName)).toBe(true);
    sub.unsubscribe();
    await vi.waitFor(() => expect(slow.images.hasImage(base.imageName)).toBe(false), REAL_TIME);
    await vi.waitFor(() => expect(slow.queue.items().at(-1)?.status).toBe('canceled'), REAL_TIME);
  });
});
