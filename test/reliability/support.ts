import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import type { ClientOptions, InvokeAIClient } from '../../src/client/types.js';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import type { Batch } from '../../src/schemas/graph.js';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import type { Workflow } from '../../src/workflow/Workflow.js';

/**
 * Shared pieces of the reliability suite: clients with a fast retry policy (the policy is what is
 * under test, not its default delays), the repository's workflows at toy sizes, model-free
 * one-node workflows for high-volume runs, and waiting helpers for the asynchronous emulator.
 */

/** A client of `emu` whose retries wait milliseconds instead of seconds. */
export function fastClient(emu: Pick<Emulator, 'url'>, options: ClientOptions = {}): InvokeAIClient {
  return createInvokeAIClient({
    baseUrl: emu.url,
    ...options,
    retry: { baseDelay: 5, backoffLimit: 2_000, limit: 6, ...options.retry },
  });
}

/**
 * One emulator and a {@link fastClient} of it for the enclosing `describe`: started before its
 * tests, both closed after them. `use` receives the pair once started.
 */
export function emulatorWithClient(use: (emu: Emulator, client: InvokeAIClient) => void): void {
  let emu: Emulator | undefined;
  let client: InvokeAIClient | undefined;
  beforeAll(async () => {
    emu = await startEmulator();
    client = fastClient(emu);
    use(emu, client);
  });
  afterAll(async () => {
    client?.close();
    await emu?.close();
  });
}

/** The repository's example workflows (what the CLI and the default bindings use). */
export function dataWorkflow(name: 'sdxl_base' | 'sdxl_refiner' | 'esrgan_upscale' | 'face_restore' | 'masked_refine'): Workflow {
  return loadWorkflowFile(fileURLToPath(new URL(`../../data/workflows/${name}.json`, import.meta.url)));
}

/** Stage params that make the data workflows cheap on the emulator: 64 px, one step. */
export const TINY_BASE = { width: 64, height: 64, steps: 1 } as const;
export const TINY_REFINE = { steps: 1 } as const;
export const TINY_UPSCALE = { scale: 1 } as const;

/** Bounds for `vi.waitFor` on the emulator, which works on real timers. */
export const REAL_TIME = { timeout: 20_000, interval: 10 } as const;

/** Items of the emulator's queue that are not finished. */
export function unfinished(emu: Emulator): { item_id: number; status: string; batch_id: string }[] {
  return emu.queue.items().filter((i) => i.status === 'pending' || i.status === 'in_progress' || i.status === 'waiting');
}

/** Batch ids that own more than one queue item (a resubmitted enqueue). */
export function duplicatedBatches(emu: Emulator, batchIds?: ReadonlySet<string>): string[] {
  const counts = new Map<string, number>();
  for (const i of emu.queue.items()) {
    if (batchIds && !batchIds.has(i.batch_id)) continue;
    counts.set(i.batch_id, (counts.get(i.batch_id) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([b]) => b);
}

/** The settled outcome of a promise, for asserting on errors. */
export async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** One-node-per-stage workflows: model-free and nearly free to execute, for volume and pool tests. */
export interface TinyWorkflows {
  /** `prompt` (string primitive, index 0, carried as the prompt) + `blank_image` 8×8 saved to the board (index 1). */
  base: Workflow;
  /** `image` (index 0) → `img_blur` saved to the board (index 1). */
  refine: Workflow;
  /** Like `base`, but the saved image comes from `esrgan` (8×8 blank → 16×16), so it can be stalled. */
  stallableBase: Workflow;
  /** `image` (index 0) → `esrgan` ×2 saved to the board (index 1); the one node with simulated GPU work (stallable). */
  upscale: Workflow;
}

export const TINY_BASE_BINDING = { prompt: 0, board: 1 } as const;
export const TINY_IMAGE_BINDING = { image: 0, board: 1 } as const;

export function tinyWorkflows(): TinyWorkflows {
  return {
    base: parseWorkflow(
      exportJson('Tiny base', [
        node('prompt', 'string', '1.0.1', true, { value: { value: '' } }),
        node('out', 'blank_image', '1.2.2', false, {
          board: { value: 'auto' },
          width: { value: 8 },
          height: { value: 8 },
          mode: { value: 'RGB' },
          color: { value: { r: 10, g: 20, b: 30, a: 255 } },
        }),
      ], [], [['prompt', 'value', 'string-field-config'], ['out', 'board', null]]),
      { source: 'tiny-base.json' },
    ),
    stallableBase: parseWorkflow(
      exportJson('Tiny stallable base', [
        node('prompt', 'string', '1.0.1', true, { value: { value: '' } }),
        node('blank', 'blank_image', '1.2.2', true, { width: { value: 8 }, height: { value: 8 }, mode: { value: 'RGB' } }),
        node('out', 'esrgan', '1.3.2', false, { board: { value: 'auto' }, image: {}, model_name: { value: 'RealESRGAN_x2plus.pth' }, tile_size: { value: 0 } }),
      ], [['blank', 'image', 'out', 'image']], [['prompt', 'value', 'string-field-config'], ['out', 'board', null]]),
      { source: 'tiny-stallable-base.json' },
    ),
    refine: parseWorkflow(
      exportJson('Tiny refine', [
        node('image', 'image', '1.0.2', true, { image: {} }),
        node('out', 'img_blur', '1.2.2', false, { board: { value: 'auto' }, image: {}, radius: { value: 1 }, blur_type: { value: 'box' } }),
      ], [['image', 'image', 'out', 'image']], [['image', 'image', null], ['out', 'board', null]]),
      { source: 'tiny-refine.json' },
    ),
    upscale: parseWorkflow(
      exportJson('Tiny upscale', [
        node('image', 'image', '1.0.2', true, { image: {} }),
        node('out', 'esrgan', '1.3.2', false, { board: { value: 'auto' }, image: {}, model_name: { value: 'RealESRGAN_x2plus.pth' }, tile_size: { value: 0 } }),
      ], [['image', 'image', 'out', 'image']], [['image', 'image', null], ['out', 'board', null]]),
      { source: 'tiny-upscale.json' },
    ),
  };
}

function node(id: string, type: string, version: string, isIntermediate: boolean, inputs: Record<string, { value?: unknown }>) {
  return {
    id,
    type: 'invocation',
    data: {
      id,
      version,
      label: '',
      notes: '',
      type,
      isOpen: true,
      isIntermediate,
      useCache: false,
      inputs: Object.fromEntries(Object.entries(inputs).map(([name, v]) => [name, { name, label: '', ...v }])),
    },
    position: { x: 0, y: 0 },
  };
}

function exportJson(
  name: string,
  nodes: ReturnType<typeof node>[],
  edges: [string, string, string, string][],
  fields: [string, string, string | null][],
) {
  const ids = fields.map((_, i) => `f${i}`);
  return {
    name,
    author: 'invokeai-rx tests',
    description: 'Model-free test workflow',
    version: '1.0.0',
    contact: '',
    tags: 'test',
    notes: '',
    exposedFields: [],
    meta: { version: '4.0.0', category: 'user' },
    nodes,
    edges: edges.map(([source, sourceHandle, target, targetHandle]) => ({
      id: `e-${source}-${target}-${targetHandle}`,
      type: 'default',
      source,
      target,
      sourceHandle,
      targetHandle,
    })),
    form: {
      rootElementId: 'root',
      elements: {
        root: { id: 'root', type: 'container', data: { layout: 'column', children: ids } },
        ...Object.fromEntries(
          fields.map(([nodeId, fieldName, settings], i) => [
            ids[i],
            {
              id: ids[i],
              type: 'node-field',
              parentId: 'root',
              data: { fieldIdentifier: { nodeId, fieldName }, showDescription: false, ...(settings ? { settings: { type: settings, component: 'input' } } : {}) },
            },
          ]),
        ),
      },
    },
  };
}

/** blank → ESRGAN: ESRGAN does simulated GPU work, so `failNode`/`stallNode` can fail or hold it. */
export function upscaleBatch(runs = 1): Batch {
  return {
    graph: {
      id: 'upscale',
      nodes: {
        blank: { id: 'blank', type: 'blank_image', width: 8, height: 8, is_intermediate: true },
        up: { id: 'up', type: 'esrgan', model_name: 'RealESRGAN_x2plus.pth', is_intermediate: false },
      },
      edges: [{ source: { node_id: 'blank', field: 'image' }, destination: { node_id: 'up', field: 'image' } }],
    },
    runs,
  };
}
