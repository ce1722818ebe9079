import { lastValueFrom, of, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvokeAIClient } from '../../src/client/InvokeAIClient.js';
import type { InvokeAIClient as Client } from '../../src/client/types.js';
import { DEFAULT_MODELS, startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/types.js';
import { isModelNotFoundError, type ModelNotFoundError } from '../../src/errors/ModelNotFoundError.js';
import { generateBase } from '../../operators/generateBase.js';
import type { StageResult } from '../../operators/StageResult.js';
import type { StageWarning } from '../../operators/StageWarning.js';
import { dataWorkflow } from './support.js';

// An install without the model the bundled sdxl_base names (juggernautXL_v9Rundiffusionphoto2).
const WANTED = 'juggernautXL_v9Rundiffusionphoto2';
const SDXL_MAINS = ['sdxlUnstableDiffusers_v9DIVINITYMACHINE', 'sdxlUnstableDiffusers_v11Rundiffusion', 'stable-diffusion-xl-base-1.0'];
const SMALL = { width: 64, height: 64, steps: 2 };
const base = dataWorkflow('sdxl_base');

let emu: Emulator;
let client: Client;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, timing: { msPerStep: 0, msPerNode: 0 }, models: DEFAULT_MODELS.filter((m) => m.name !== WANTED) });
  client = InvokeAIClient.fromUrl(emu.url);
});

afterAll(async () => {
  client?.close();
  await emu?.close();
});

describe('a workflow model the server lacks', () => {
  it('fails the stage with ModelNotFoundError naming the field and the candidates, enqueuing nothing', async () => {
    const before = emu.queue.items().length;
    const error = await lastValueFrom(of('a red fox').pipe(generateBase(client, { workflow: base, params: SMALL }))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isModelNotFoundError(error)).toBe(true);
    const e = error as ModelNotFoundError;
    expect(e).toMatchObject({ index: 8, fieldName: 'model', wanted: { name: WANTED, base: 'sdxl', type: 'main' } });
    expect(e.candidates.map((c) => c.name).sort()).toEqual([...SDXL_MAINS].sort());
    expect(e.message).toContain(WANTED);
    expect(emu.queue.items().length).toBe(before);
  });

  it("with modelFallback 'same-base' runs on another sdxl/main model, warns once and records it", async () => {
    const warnings: StageWarning[] = [];
    const results = (await lastValueFrom(
      of('a red fox', 'a grey wolf').pipe(
        generateBase(client, { workflow: base, params: SMALL, modelFallback: 'same-base', warnings: (w) => warnings.push(w) }),
        toArray(),
      ),
    )) as StageResult[];
    expect(results).toHaveLength(2);
    // The first installed sdxl/main model by name stands in.
    const used = DEFAULT_MODELS.find((m) => m.name === 'sdxlUnstableDiffusers_v11Rundiffusion')!;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ stage: 'generateBase', kind: 'model-substituted', model: { index: 8, substituted: true } });
    expect(warnings[0]!.message).toContain(WANTED);
    expect(warnings[0]!.message).toContain(used.name);
    for (const r of results) {
      expect(r.models).toEqual([
        expect.objectContaining({ index: 8, fieldName: 'model', wanted: expect.objectContaining({ name: WANTED }), used: expect.objectContaining({ key: used.key }), matchedBy: 'base', substituted: true }),
      ]);
      // The server ran the substitute: its queue item's graph names it.
      const item = emu.queue.get(r.item_id)!;
      const nodes = Object.values((item.session as { graph: { nodes: Record<string, { type: string; model?: { key: string } }> } }).graph.nodes);
      expect(nodes.find((n) => n.type === 'sdxl_model_loader')!.model!.key).toBe(used.key);
    }
  });

  it("refuses modelFallback 'same-base' without a warnings sink, at creation", () => {
    expect(() => generateBase(client, { workflow: base, modelFallback: 'same-base' })).toThrow(/warnings sink/);
    expect(() => generateBase(client, { workflow: base, modelFallback: 'any' as never })).toThrow(/modelFallback must be/);
  });
});
