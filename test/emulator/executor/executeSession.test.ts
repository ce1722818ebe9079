import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createExecutor,
  executeSession,
  isNodeFailure,
  meanAbsDiff,
  type NodeFailure,
  type Raster,
  type SessionState,
} from '../../../src/emulator/executor/index.js';
import type { Graph } from '../../../src/schemas/graph.js';
import { createFakeHost, modelsOf } from './fakeHost.js';
import { outputSchemaName, validateAgainst } from './openapiValidator.js';

const edge = (s: string, sf: string, d: string, df: string) => ({ source: { node_id: s, field: sf }, destination: { node_id: d, field: df } });
const resultOf = (session: SessionState, source: string, i = 0) => session.results[session.source_prepared_mapping[source]![i]!]!;

/** Whether a node failure's session records `text` as the error of the failed node. */
const errorOfFailedNode = (text: string) => (failure: NodeFailure) => failure.session.errors[failure.node_id] === text;

const MODEL = { key: 'sd15', hash: 'blake3:00', name: 'sd-1.5', base: 'sd-1', type: 'main', format: 'checkpoint' };
const modelField = { key: MODEL.key, hash: MODEL.hash, name: MODEL.name, base: MODEL.base, type: MODEL.type };

function gradient(width: number, height: number): Raster {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([(x * 255) / (width - 1), (y * 255) / (height - 1), 128], (y * width + x) * 3);
  return { width, height, channels: 3, data };
}

describe('executeSession: graph semantics', () => {
  it('runs a math chain, records prepared ids, defaults and history', async () => {
    const { host, events } = createFakeHost();
    const graph: Graph = {
      id: 'g',
      nodes: {
        a: { id: 'a', type: 'integer', value: 2 },
        b: { id: 'b', type: 'integer', value: 3 },
        sum: { id: 'sum', type: 'add' },
        times: { id: 'times', type: 'mul', b: 10 },
      },
      edges: [edge('a', 'value', 'sum', 'a'), edge('b', 'value', 'sum', 'b'), edge('sum', 'value', 'times', 'a')],
    };
    const session = await executeSession('s', graph, host);
    expect(resultOf(session, 'times')).toEqual({ output_meta: null, value: 50, type: 'integer_output' });
    for (const source of ['a', 'b', 'sum', 'times']) {
      const [prepared] = session.source_prepared_mapping[source]!;
      expect(prepared).not.toBe(source);
      expect(session.prepared_source_mapping[prepared!]).toBe(source);
      expect(session.executed).toContain(prepared);
      expect(session.executed).toContain(source);
    }
    expect(session.executed_history.slice(2)).toEqual(['sum', 'times']);
    expect(session.graph.nodes.sum).toEqual({ id: 'sum', is_intermediate: false, use_cache: true, a: 0, b: 0, type: 'add' });
    const times = session.execution_graph.nodes[session.source_prepared_mapping.times![0]!]!;
    expect(times).toMatchObject({ a: 5, b: 10, type: 'mul' });
    expect(session.execution_graph.edges).toContainEqual(edge(session.source_prepared_mapping.sum![0]!, 'value', times.id, 'a'));
    expect(session.errors).toEqual({});
    // started → complete per node, in execution order
    expect(events.map((e) => e.event)).toEqual(Array(4).fill(['invocation_started', 'invocation_complete']).flat());
    expect(events[1]!.payload.result).toEqual(session.results[events[1]!.payload.invocation.id as string]);
    expect(session.workflow_call_stack).toEqual([]);
  });

  it('expands iterate per item and gathers with collect in iteration order', async () => {
    const { host, events } = createFakeHost();
    const graph: Graph = {
      nodes: {
        r: { id: 'r', type: 'range', start: 1, stop: 4, step: 1 },
        it: { id: 'it', type: 'iterate' },
        m: { id: 'm', type: 'mul', b: 10 },
        c: { id: 'c', type: 'collect' },
      },
      edges: [edge('r', 'collection', 'it', 'collection'), edge('it', 'item', 'm', 'a'), edge('m', 'value', 'c', 'item')],
    };
    const session = await executeSession('s', graph, host);
    expect(session.source_prepared_mapping.it).toHaveLength(3);
    expect(session.source_prepared_mapping.m).toHaveLength(3);
    expect(resultOf(session, 'c')).toEqual({ output_meta: null, collection: [10, 20, 30], type: 'collect_output' });
    const iterResults = session.source_prepared_mapping.it!.map((id) => session.results[id]);
    expect(iterResults).toContainEqual({ output_meta: null, item: 2, index: 1, total: 3, type: 'iterate_output' });
    expect(session.executed_history).toEqual(['r', 'it', 'm', 'c']);
    const started = events.filter((e) => e.event === 'invocation_started').map((e) => e.payload.invocation);
    expect(started.find((n) => n.type === 'collect')!.collection).toEqual([]);
    expect(session.execution_graph.nodes[session.source_prepared_mapping.c![0]!]!.collection).toEqual([10, 20, 30]);
    const paths = session.source_prepared_mapping.m!.map((id) => session.prepared_iteration_paths![id]);
    expect(paths.sort()).toEqual([[0], [1], [2]]);
    expect(validateAgainst('GraphExecutionState', JSON.parse(JSON.stringify(session)))).toEqual([]);
  });

  it('runs string nodes', async () => {
    const { host } = createFakeHost();
    const graph: Graph = {
      nodes: {
        j: { id: 'j', type: 'string_join_three', string_left: 'a cat', string_middle: ', ', string_right: 'A CAT' },
        r: { id: 'r', type: 'string_replace', search_string: 'cat', replace_string: 'dog' },
        s: { id: 's', type: 'string_split', delimiter: ', ' },
        n: { id: 'n', type: 'string_split_neg', string: 'a photo [blurry, ugly] of a cat' },
      },
      edges: [edge('j', 'value', 'r', 'string'), edge('r', 'value', 's', 'string')],
    };
    const session = await executeSession('s', graph, host);
    expect(resultOf(session, 'r').value).toBe('a dog, A dog');
    expect(resultOf(session, 's')).toMatchObject({ string_1: 'a dog', string_2: 'A dog' });
    expect(resultOf(session, 'n')).toMatchObject({ positive_string: 'a photo   of a cat', negative_string: 'blurry, ugly' });
  });
});

describe('executeSession: failures', () => {
  it('fails a node missing a required input with MissingInputException', async () => {
    const { host, events } = createFakeHost();
    // AddInvocation sorts before ImageResizeInvocation, so `one` runs first.
    const graph: Graph = { nodes: { one: { id: 'one', type: 'add', a: 1 }, r: { id: 'r', type: 'img_resize' } }, edges: [] };
    const failed = executeSession('s', graph, host);
    await expect(failed).rejects.toMatchObject({
      kind: 'node_failure',
      source_node_id: 'r',
      info: {
        error_type: 'MissingInputException',
        error_message: 'Node img_resize missing value or connection for field image',
        error_traceback: expect.stringMatching(
          /^Traceback \(most recent call last\):\n {2}File .*\nMissingInputException: Node img_resize missing value or connection for field image\n$/s,
        ),
      },
    });
    await expect(failed).rejects.toSatisfy(errorOfFailedNode('MissingInputException: Node img_resize missing value or connection for field image'));
    await expect(failed).rejects.toSatisfy((f: NodeFailure) => Object.keys(f.session.errors).length === 1, 'records no other error');
    await expect(failed).rejects.toSatisfy((f: NodeFailure) => resultOf(f.session, 'one').value === 1, 'keeps the result of `one`');
    expect(events.at(-1)).toMatchObject({ event: 'invocation_started', payload: { invocation_source_id: 'r' } });
  });

  it('fails a loader whose model is unknown', async () => {
    const { host } = createFakeHost();
    const graph: Graph = { nodes: { m: { id: 'm', type: 'main_model_loader', model: modelField } }, edges: [] };
    const failed = executeSession('s', graph, host);
    await expect(failed).rejects.toMatchObject({ kind: 'node_failure', info: { error_type: 'Exception', error_message: 'Unknown model sd15' } });
    await expect(failed).rejects.toSatisfy(errorOfFailedNode('Exception: Unknown model sd15'));
  });

  it('rejects an invalid value arriving through an edge as NodeInputError, before the node starts', async () => {
    const { host, events, addImage } = createFakeHost();
    const image = addImage(gradient(4, 4));
    const graph: Graph = {
      nodes: { big: { id: 'big', type: 'integer', value: 300 }, l: { id: 'l', type: 'img_lerp', image: { image_name: image } } },
      edges: [edge('big', 'value', 'l', 'max')],
    };
    const failed = executeSession('s', graph, host);
    await expect(failed).rejects.toMatchObject({ kind: 'node_failure', info: { error_type: 'NodeInputError' } });
    await expect(failed).rejects.toSatisfy(
      (f: NodeFailure) => f.info.error_message === `Node ${f.node_id} has invalid incoming input for max`,
      'names the failed node and the field',
    );
    expect(events.some((e) => e.event === 'invocation_started' && e.payload.invocation_source_id === 'l')).toBe(false);
  });

  it('uses an injected failure and propagates cancellation unchanged', async () => {
    const injected = { error_type: 'RuntimeError', error_message: 'CUDA out of memory', error_traceback: 'tb' };
    const { host } = createFakeHost({ failures: { add: injected } });
    const failed = executeSession('s', { nodes: { x: { id: 'x', type: 'add' } }, edges: [] }, host);
    await expect(failed).rejects.toSatisfy(isNodeFailure);
    await expect(failed).rejects.toHaveProperty('info', injected);
    await expect(failed).rejects.toSatisfy(errorOfFailedNode('RuntimeError: CUDA out of memory'));

    const second = createFakeHost();
    second.host.cancel();
    await expect(executeSession('s', { nodes: { x: { id: 'x', type: 'add' } }, edges: [] }, second.host)).rejects.toMatchObject({ name: 'CanceledException' });
  });

  it('names the node type in NotImplementedError for nodes it cannot simulate', async () => {
    const { host } = createFakeHost();
    const graph: Graph = { nodes: { p: { id: 'p', type: 'prompt_template', style_preset: { style_preset_id: 'x' } } }, edges: [] };
    await expect(executeSession('s', graph, host)).rejects.toMatchObject({
      kind: 'node_failure',
      info: { error_type: 'NotImplementedError', error_message: expect.stringMatching(/'prompt_template'/) },
    });
  });
});

// ---------------------------------------------------------------------------------------------

const recorded = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/api-calls/call-wf-sdxl-text-to-image.json', import.meta.url)), 'utf8'),
) as { session: { graph: Graph } };

/** The recorded SDXL graph with its random seed replaced by a fixed one. */
function sdxlGraph(seed: number): Graph {
  const graph = JSON.parse(JSON.stringify(recorded.session.graph)) as Graph;
  const randId = Object.keys(graph.nodes).find((id) => graph.nodes[id]!.type === 'rand_int')!;
  graph.nodes[randId] = { id: randId, type: 'integer', value: seed, is_intermediate: true };
  return graph;
}

async function runSdxl(seed: number, executor = createExecutor()) {
  const graph = sdxlGraph(seed);
  const fake = createFakeHost({ models: modelsOf(graph), progressImages: true });
  const session = await executor.executeSession('s', graph, fake.host);
  const output = resultOf(session, 'canvas_output:JbPTiAJ26r') as { image: { image_name: string }; width: number; height: number };
  const saved = fake.images.get(output.image.image_name)!;
  return { session, output, saved, fake };
}

describe('executeSession: recorded SDXL text-to-image graph', () => {
  it('produces a width×height image, the same for the same seed and different for another', async () => {
    const a = await runSdxl(42);
    const b = await runSdxl(42);
    const c = await runSdxl(43);
    expect([a.output.width, a.output.height]).toEqual([768, 1024]);
    expect([a.saved.raster.width, a.saved.raster.height]).toEqual([768, 1024]);
    expect(a.saved.options).toMatchObject({ is_intermediate: false, image_category: 'general', board_id: null, session_id: 's' });
    expect(a.saved.options.metadata).toMatchObject({ seed: 42, positive_prompt: 'deep space, high quality, colorful' });
    expect(Buffer.from(b.saved.raster.data).equals(Buffer.from(a.saved.raster.data))).toBe(true);
    expect(meanAbsDiff(a.saved.raster, c.saved.raster)).toBeGreaterThan(10);
  });

  it('follows the recorded graph: same sources, one prepared node each, valid 6.14 results', async () => {
    const { session, fake } = await runSdxl(7);
    expect(Object.keys(session.source_prepared_mapping).sort()).toEqual(Object.keys(recorded.session.graph.nodes).sort());
    expect(Object.values(session.source_prepared_mapping).every((ids) => ids.length === 1)).toBe(true);
    for (const result of Object.values(session.results)) {
      expect(validateAgainst(outputSchemaName(result.type as string), result)).toEqual([]);
    }
    expect(validateAgainst('GraphExecutionState', JSON.parse(JSON.stringify(session)))).toEqual([]);
    // 30 denoise steps reported through host.work and progress (percentage step/steps, with previews)
    expect(fake.work.filter((w) => w.type === 'denoise_latents')).toHaveLength(30);
    const progress = fake.events.filter((e) => e.event === 'invocation_progress' && e.payload.invocation.type === 'denoise_latents');
    expect(progress.map((e) => e.payload.percentage)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) / 30));
    expect((progress[0]!.payload.image as { dataURL: string }).dataURL).toMatch(/^data:image\/png;base64,/);
    // l2i: started → "Saving image" → complete
    const l2i = fake.events.filter((e) => e.payload.invocation.type === 'l2i').map((e) => [e.event, e.payload.message]);
    expect(l2i).toEqual([
      ['invocation_started', undefined],
      ['invocation_progress', 'Saving image'],
      ['invocation_complete', undefined],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

function img2imgGraph(image: string, denoisingStart: number, mask?: string): Graph {
  const nodes: Graph['nodes'] = {
    model: { id: 'model', type: 'main_model_loader', model: modelField },
    pos: { id: 'pos', type: 'compel', prompt: 'a watercolor landscape' },
    neg: { id: 'neg', type: 'compel', prompt: '' },
    i2l: { id: 'i2l', type: 'i2l', image: { image_name: image } },
    noise: { id: 'noise', type: 'noise', seed: 5, width: 64, height: 64 },
    den: { id: 'den', type: 'denoise_latents', steps: 10, denoising_start: denoisingStart },
    l2i: { id: 'l2i', type: 'l2i' },
  };
  const edges = [
    edge('model', 'clip', 'pos', 'clip'),
    edge('model', 'clip', 'neg', 'clip'),
    edge('model', 'vae', 'i2l', 'vae'),
    edge('model', 'unet', 'den', 'unet'),
    edge('model', 'vae', 'l2i', 'vae'),
    edge('pos', 'conditioning', 'den', 'positive_conditioning'),
    edge('neg', 'conditioning', 'den', 'negative_conditioning'),
    edge('noise', 'noise', 'den', 'noise'),
    edge('i2l', 'latents', 'den', 'latents'),
    edge('den', 'latents', 'l2i', 'latents'),
  ];
  if (mask) {
    nodes.mask = { id: 'mask', type: 'create_denoise_mask', mask: { image_name: mask } };
    edges.push(edge('model', 'vae', 'mask', 'vae'), edge('mask', 'denoise_mask', 'den', 'denoise_mask'));
  }
  return { nodes, edges };
}

describe('executeSession: image-to-image, masks, upscalers, faces', () => {
  it('stays closer to the input at low strength', async () => {
    const fake = createFakeHost({ models: [MODEL] });
    const input = gradient(64, 64);
    const name = fake.addImage(input);
    const run = async (start: number) => {
      const session = await executeSession('s', img2imgGraph(name, start), fake.host);
      const out = resultOf(session, 'l2i') as { image: { image_name: string } };
      return fake.images.get(out.image.image_name)!.raster;
    };
    const low = await run(0.9); // strength 0.1
    const high = await run(0.1); // strength 0.9
    expect(meanAbsDiff(low, input)).toBeLessThan(meanAbsDiff(high, input));
    expect(meanAbsDiff(low, input)).toBeLessThan(15);
  });

  it('changes only the masked region when denoising with a denoise mask (black = denoised, white = kept)', async () => {
    const fake = createFakeHost({ models: [MODEL] });
    const input = gradient(64, 64);
    const name = fake.addImage(input);
    // InvokeAI's GradientMaskOutput: "0.0 … fully denoised, 1.0 … preserved".
    const maskData = new Uint8Array(64 * 64).fill(255);
    for (let y = 0; y < 64; y++) for (let x = 32; x < 64; x++) maskData[y * 64 + x] = 0;
    const mask = fake.addImage({ width: 64, height: 64, channels: 1, data: maskData });
    const session = await executeSession('s', img2imgGraph(name, 0, mask), fake.host);
    const out = fake.images.get((resultOf(session, 'l2i') as { image: { image_name: string } }).image.image_name)!.raster;
    let changedLeft = 0;
    let changedRight = 0;
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++)
        for (let c = 0; c < 3; c++) {
          const i = (y * 64 + x) * 3 + c;
          if (out.data[i] !== input.data[i]) x < 32 ? changedLeft++ : changedRight++;
        }
    expect(changedLeft).toBe(0);
    expect(changedRight).toBeGreaterThan(1000);
  });

  it('upscales by exactly the model scale', async () => {
    const x2 = { key: 'up2', hash: 'h', name: '2x-UltraSharp', base: 'any', type: 'spandrel_image_to_image', format: 'checkpoint', scale: 2 };
    const fake = createFakeHost({ models: [x2] });
    const name = fake.addImage(gradient(16, 12));
    const ref = { key: x2.key, hash: x2.hash, name: x2.name, base: x2.base, type: x2.type };
    const graph: Graph = {
      nodes: {
        e: { id: 'e', type: 'esrgan', image: { image_name: name } },
        e2: { id: 'e2', type: 'esrgan', image: { image_name: name }, model_name: 'RealESRGAN_x2plus.pth' },
        s: { id: 's', type: 'spandrel_image_to_image', image: { image_name: name }, image_to_image_model: ref },
        a: { id: 'a', type: 'spandrel_image_to_image_autoscale', image: { image_name: name }, image_to_image_model: ref, scale: 3 },
      },
      edges: [],
    };
    const session = await executeSession('s', graph, fake.host);
    const size = (id: string) => {
      const r = resultOf(session, id) as { image: { image_name: string }; width: number; height: number };
      const raster = fake.images.get(r.image.image_name)!.raster;
      expect([raster.width, raster.height]).toEqual([r.width, r.height]);
      return [r.width, r.height];
    };
    expect(size('e')).toEqual([64, 48]);
    expect(size('e2')).toEqual([32, 24]);
    expect(size('s')).toEqual([32, 24]);
    expect(size('a')).toEqual([48, 36]);
  });

  it('face nodes change no pixel outside the face mask', async () => {
    const fake = createFakeHost();
    const input = gradient(96, 80);
    const name = fake.addImage(input);
    const graph: Graph = {
      nodes: {
        mask: { id: 'mask', type: 'face_mask_detection', image: { image_name: name } },
        ident: { id: 'ident', type: 'face_identifier', image: { image_name: name } },
        off: { id: 'off', type: 'face_off', image: { image_name: name }, padding: 4 },
      },
      edges: [],
    };
    const session = await executeSession('s', graph, fake.host);
    const load = (field: unknown) => fake.images.get((field as { image_name: string }).image_name)!;
    const maskResult = resultOf(session, 'mask') as { mask: unknown };
    const mask = load(maskResult.mask);
    expect(mask.options.image_category).toBe('mask');
    const out = load((resultOf(session, 'ident') as { image: unknown }).image).raster;
    let outside = 0;
    let inside = 0;
    for (let i = 0; i < 96 * 80; i++) {
      const same = [0, 1, 2].every((c) => out.data[i * 3 + c] === input.data[i * 3 + c]);
      if (mask.raster.data[i] === 255) {
        outside++;
        expect(same).toBe(true);
      } else if (!same) inside++;
    }
    // Both parts exist, so the check above compared real pixels.
    expect(outside).toBeGreaterThan(0);
    expect(inside).toBeGreaterThan(0);
    const off = resultOf(session, 'off') as { image: unknown; mask: unknown; x: number; y: number; width: number; height: number };
    const crop = load(off.image).raster;
    const cropMask = load(off.mask).raster;
    expect([cropMask.width, cropMask.height]).toEqual([crop.width, crop.height]);
    expect([off.width, off.height]).toEqual([crop.width, crop.height]);
    expect(off.x + crop.width).toBeLessThanOrEqual(96);
    // the crop is the source region at (x, y)
    expect(Array.from(crop.data.subarray(0, 3))).toEqual(Array.from(input.data.subarray((off.y * 96 + off.x) * 3, (off.y * 96 + off.x) * 3 + 3)));
    expect(validateAgainst('FaceOffOutput', off)).toEqual([]);
    expect(validateAgainst('FaceMaskOutput', maskResult)).toEqual([]);
  });

  it('saves image-node output to the node board and as mask for mask nodes', async () => {
    const fake = createFakeHost();
    const name = fake.addImage({ width: 2, height: 1, channels: 4, data: Uint8Array.of(1, 2, 3, 0, 4, 5, 6, 255) });
    const graph: Graph = {
      nodes: {
        m: { id: 'm', type: 'tomask', image: { image_name: name }, board: { board_id: 'b1' }, is_intermediate: true },
        p: { id: 'p', type: 'image', image: { image_name: name } },
      },
      edges: [],
    };
    const session = await executeSession('s', graph, fake.host);
    const m = resultOf(session, 'm') as { image: { image_name: string } };
    expect(fake.images.get(m.image.image_name)!.options).toMatchObject({ board_id: 'b1', image_category: 'mask', is_intermediate: true });
    expect(Array.from(fake.images.get(m.image.image_name)!.raster.data)).toEqual([0, 255]);
    expect(resultOf(session, 'p')).toEqual({ output_meta: null, image: { image_name: name }, width: 2, height: 1, type: 'image_output' });
  });
});
