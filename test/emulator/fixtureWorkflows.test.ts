import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from 'fast-png';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import { DEFAULT_MODELS, emulatorModel } from '../../src/emulator/defaultModels.js';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { isQueueItemFailedError } from '../../src/errors/guards.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { Batch, Graph, GraphNode } from '../../src/schemas/graph.js';
import type { SessionQueueItem } from '../../src/schemas/queue.js';
import type { ModelConfig } from '../../src/schemas/model.js';
import { buildBatch } from '../../src/workflow/buildBatch.js';
import { buildGraph, type BuildGraphOptions } from '../../src/workflow/buildGraph.js';
import { DEFAULT_FIELD_TABLE } from '../../src/workflow/fieldTable.js';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import type { NodeValueChange, Workflow } from '../../src/workflow/Workflow.js';
import { expectResponse } from './support/openApi.js';
import { listWorkflowFiles, STALE_WORKFLOWS } from '../workflow/fixtures.js';

// Every shared fixture workflow, filled in the way a user fills it, run on the bundled executor.

/** The picture uploaded for every image input a user has to supply. */
const INPUT = { width: 256, height: 192 } as const;

const main = { trigger_phrases: null, default_settings: null };
/** Records the InvokeAI default workflows pick from beyond DEFAULT_MODELS (each a valid 6.14 config). */
const EXTRA_MODELS = [
  emulatorModel('CogView4-6B', 'cogview4', 'main', 'diffusers', { ...main, repo_variant: '' }),
  emulatorModel('control_v11p_sd15_canny', 'sd-1', 'controlnet', 'diffusers', { repo_variant: '', default_settings: null }),
  emulatorModel('ip_adapter_sd15', 'sd-1', 'ip_adapter', 'invokeai', { image_encoder_model_id: 'InvokeAI/ip_adapter_sd_image_encoder' }),
  emulatorModel('ip_adapter_sd_image_encoder', 'any', 'clip_vision', 'diffusers', { repo_variant: '', cpu_only: null }),
  emulatorModel('Wan2.2-T2V-A14B-Diffusers', 'wan', 'main', 'diffusers', {
    ...main,
    repo_variant: '',
    variant: 't2v_a14b',
    has_dual_expert: true,
    boundary_ratio: 0.875,
  }),
  emulatorModel('Wan2.1_VAE', 'wan', 'vae', 'diffusers', { repo_variant: '', cpu_only: null, latent_channels: 16 }),
  emulatorModel('umt5-xxl-enc', 'any', 'wan_t5_encoder', 'wan_t5_encoder', { cpu_only: null }),
  emulatorModel('Wan2.2-Lightning-T2V-A14B-4steps', 'wan', 'lora', 'lycoris', { ...main, expert: null, variant: 'a14b' }),
];

/**
 * Workflows no server can complete, with the failure they must end in (node type of the failing
 * node, exception class, and what its message names).
 *
 * - `example-nodes.json` is an unwired scratch workflow (no form, no edges): every node but `add`
 *   and `noise` lacks a required input. InvokeAI 6.14 runs ready nodes grouped by invocation class,
 *   classes in name order: `AddInvocation` runs (its inputs default to 0), then
 *   `DenoiseLatentsInvocation`, whose first required field `positive_conditioning` is
 *   connection-only, so `RequiredConnectionException` (not `MissingInputException`, which only
 *   fields that also take a literal raise).
 * - The Wan workflow makes a video, which the emulator does not simulate (a server with Wan weights
 *   runs it): everything up to the latents runs, the latents-to-video node `wan_l2v` fails.
 */
const EXPECTED_FAILURES: Record<string, { nodeType: string; error_type: string; names: string[] }> = {
  'workflows/py-client/example-nodes.json': {
    nodeType: 'denoise_latents',
    error_type: 'RequiredConnectionException',
    names: ['denoise_latents', 'positive_conditioning'],
  },
  'workflows/invokeai-defaults/Text to Video - Wan 2.2 Lightning.json': {
    nodeType: 'wan_l2v',
    error_type: 'NotImplementedError',
    names: ['wan_l2v'],
  },
};

let emu: Emulator;
let client: InvokeAIClient;
let models: ModelConfig[];
let inputImage: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, models: [...DEFAULT_MODELS, ...EXTRA_MODELS] });
  client = createInvokeAIClient({ baseUrl: emu.url });
  models = await firstValueFrom(client.models.list());
  const pixels = new Uint8Array(INPUT.width * INPUT.height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (i >> 9)) & 0xff;
  const png = encode({ width: INPUT.width, height: INPUT.height, channels: 3, depth: 8, data: pixels });
  inputImage = (await firstValueFrom(client.images.upload(png, { fileName: 'input.png' }))).image_name;
});
afterAll(async () => {
  client?.close();
  await emu?.close();
});

const hasImage = async (value: unknown): Promise<boolean> => {
  const name = (value as { image_name?: unknown } | undefined)?.image_name;
  if (typeof name !== 'string') return false;
  return firstValueFrom(client.images.get(name)).then(
    () => true,
    () => false,
  );
};

/** The first listed model a picker with these filters offers, as a `ModelIdentifierField`. */
function firstModel(bases: readonly string[] | undefined, types: readonly string[] | undefined) {
  const m = models.find((c) => (!bases?.length || bases.includes(c.base)) && (!types?.length || types.includes(c.type)));
  if (!m) throw new Error(`no emulator model with base ${String(bases)} and type ${String(types)}`);
  return { key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type };
}

/**
 * What a user fills before pressing Invoke: every form image input without an image the server has
 * gets the uploaded picture, every form model input without a value the first model its picker
 * offers. Boards stay as they are. An input whose only source was a dropped (stale) node is empty
 * in the UI and gets the same treatment, through `withNodeValues` since it is not in the form.
 */
async function fill(wf: Workflow, build: BuildGraphOptions): Promise<Workflow> {
  const values: Record<number, unknown> = {};
  for (const input of wf.inputs) {
    if (input.kind === 'image' && !(await hasImage(input.value))) values[input.index] = inputImage;
    if (input.kind === 'model' && (input.value === undefined || input.value === null)) {
      const spec = DEFAULT_FIELD_TABLE.nodes[input.nodeType]!.f[input.fieldName]!;
      values[input.index] = firstModel(spec.mb, spec.mt);
    }
  }
  const filled = wf.with(values);
  const { graph } = buildGraph(filled, build);
  const orphaned: NodeValueChange[] = [];
  for (const edge of wf.json.edges) {
    if (edge.type !== 'default' || graph.nodes[edge.source] || !graph.nodes[edge.target]) continue;
    const node = graph.nodes[edge.target]!;
    const spec = DEFAULT_FIELD_TABLE.nodes[node.type]!.f[edge.targetHandle!]!;
    if (spec.k === 'image' && node[edge.targetHandle!] === undefined) {
      orphaned.push({ nodeId: edge.target, fieldName: edge.targetHandle!, value: { image_name: inputImage } });
    }
  }
  return filled.withNodeValues(orphaned);
}

/** Runs a prebuilt batch to the item's terminal event: `completed` or (with `itemErrors: 'emit'`) `failed`. */
async function run(batch: Batch, workflow: Workflow) {
  const run$ = runWorkflow(client, { batch, workflow }, { itemErrors: 'emit', timeouts: { total: 50_000 } });
  const events = await lastValueFrom(run$.pipe(toArray()));
  const last = events.at(-1)!;
  if (last.type !== 'completed' && last.type !== 'failed') throw new Error(`run ended with a ${last.type} event`);
  return last;
}

const decodePng = async (name: string) => decode(await firstValueFrom(client.images.download(name)));

// ── What the graph asks for, read from the built graph (not from the emulator) ──────────────────

type Size = readonly [width: number, height: number];

/** The one node of a type in the graph. */
function only(g: Graph, type: string): GraphNode {
  const nodes = Object.values(g.nodes).filter((n) => n.type === type);
  expect(nodes, `one ${type} node`).toHaveLength(1);
  return nodes[0]!;
}

/** The node and output field an edge feeds into `node.field`, if any. */
function feeder(g: Graph, node: GraphNode, field: string): { node: GraphNode; field: string } | undefined {
  const e = g.edges.find((x) => x.destination.node_id === node.id && x.destination.field === field);
  return e && { node: g.nodes[e.source.node_id]!, field: e.source.field };
}

/** Python's `round` (half to even), as `float_to_int`'s Nearest uses it. */
const pyRound = (x: number) => (Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

/**
 * A numeric input: its literal (or the invocation's default), or the value of the `integer` /
 * `float` / `float_to_int` chain that feeds it. Anything else needs a derivation by hand.
 */
function num(g: Graph, node: GraphNode, field: string): number {
  const src = feeder(g, node, field);
  if (!src) return (node[field] ?? DEFAULT_FIELD_TABLE.nodes[node.type]!.f[field]!.d) as number;
  if ((src.node.type === 'integer' || src.node.type === 'float') && src.field === 'value') return num(g, src.node, 'value');
  if (src.node.type === 'float_to_int' && src.field === 'value') {
    const q = num(g, src.node, 'value') / num(g, src.node, 'multiple');
    const method = (src.node.method ?? 'Nearest') as string;
    const rounded = method === 'Nearest' ? pyRound(q) : method === 'Floor' ? Math.floor(q) : method === 'Ceiling' ? Math.ceil(q) : Math.trunc(q);
    return rounded * num(g, src.node, 'multiple');
  }
  throw new Error(`${node.type}.${field} is fed by ${src.node.type}.${src.field}: derive it by hand`);
}

const sizeOf = (g: Graph, node: GraphNode): Size => [num(g, node, 'width'), num(g, node, 'height')];
/** Asserts that `node.width`/`.height` come from `source`'s `width`/`height` outputs. */
function expectSizeFedBy(g: Graph, node: GraphNode, source: GraphNode): void {
  for (const f of ['width', 'height']) expect(feeder(g, node, f), `${node.type}.${f}`).toEqual({ node: source, field: f });
}
/** Latents have 1/8 of the image's pixels per side; decoding them gives the size floored to 8. */
const latentSize = ([w, h]: Size): Size => [w - (w % 8), h - (h % 8)];

/** Per workflow: the size every non-intermediate image node must produce, by node id. */
const FINAL_SIZES: Record<string, (g: Graph) => Record<string, Size>> = {
  // save_image of the uploaded image.
  'workflows/py-client/copy-image.json': (g) => ({ [only(g, 'save_image').id]: [INPUT.width, INPUT.height] }),
  // image → flux_vae_encode, whose width/height outputs feed flux_denoise_meta: the denoise runs at
  // the encoded image's size, so the decode gives the input image back at its size (a multiple of 16).
  'workflows/py-client/flux-image-to-image.json': (g) => {
    const denoise = only(g, 'flux_denoise_meta');
    expectSizeFedBy(g, denoise, only(g, 'flux_vae_encode'));
    return { [only(g, 'flux_vae_decode').id]: latentSize([INPUT.width, INPUT.height]) };
  },
  'workflows/py-client/quick-sdxl-text-to-image.json': (g) => ({ [only(g, 'l2i').id]: sizeOf(g, only(g, 'noise')) }),
  'workflows/py-client/sdxl-text-to-image.json': (g) => ({ [only(g, 'l2i').id]: sizeOf(g, only(g, 'noise')) }),
  // noise width/height = float_to_int(integer 600 | 800, multiple 16, Nearest) = 608 × 800
  // (600 / 16 = 37.5 rounds half to even, to 38; the recorded real run has 608 × 800 too). Both FLUX passes take their width/height from the
  // SDXL l2i and the HED edge map of its image, so all three saved images have the noise's size.
  'workflows/py-client/sdxl-flux-refine.json': (g) => {
    const size = sizeOf(g, only(g, 'noise'));
    expect(size).toEqual([608, 800]);
    const passes = Object.values(g.nodes).filter((n) => n.type === 'flux_denoise_meta');
    expect(passes.map((n) => feeder(g, n, 'width')?.node.type).sort()).toEqual(['hed_edge_detection', 'l2i']);
    for (const pass of passes) expectSizeFedBy(g, pass, feeder(g, pass, 'width')!.node);
    return Object.fromEntries(Object.values(g.nodes).filter((n) => n.type === 'save_image').map((n) => [n.id, size]));
  },
  'workflows/invokeai-defaults/CogView4_TextToImage.json': (g) => ({ [only(g, 'cogview4_l2i').id]: sizeOf(g, only(g, 'cogview4_denoise')) }),
  // image → esrgan (RealESRGAN_x2plus.pth: ×2 per side) → i2l, whose width/height outputs feed the
  // noise: the denoise runs at twice the input size, 512 × 384 for 256 × 192 (multiples of 8, so the
  // latents lose nothing), and l2i decodes at that size.
  'workflows/invokeai-defaults/ESRGAN Upscaling with Canny ControlNet.json': (g) => {
    const esrgan = only(g, 'esrgan');
    expect(esrgan.model_name).toBe('RealESRGAN_x2plus.pth');
    expect(feeder(g, esrgan, 'image')!.node.type).toBe('image');
    const i2l = only(g, 'i2l');
    expect(feeder(g, i2l, 'image')!.node).toBe(esrgan);
    expectSizeFedBy(g, only(g, 'noise'), i2l);
    return { [only(g, 'l2i').id]: latentSize([INPUT.width * 2, INPUT.height * 2]) };
  },
  // l2i: the face crop resized to img_resize's literal 512 × 512 → i2l → lscale by the float
  // primitive (1.5) → the noise takes lscale's width/height: 768 × 768.
  // img_paste (crop off) pastes the resized face back into the input image at the crop's own
  // position and size, which lie inside the image: the result has the input image's size.
  'workflows/invokeai-defaults/Face Detailer with IP-Adapter & Canny (See Note in Details).json': (g) => {
    const lscale = only(g, 'lscale');
    expectSizeFedBy(g, only(g, 'noise'), lscale);
    const i2l = feeder(g, lscale, 'latents')!.node;
    const resize = feeder(g, i2l, 'image')!.node;
    expect(resize.type).toBe('img_resize');
    const factor = num(g, lscale, 'scale_factor');
    const [w, h] = sizeOf(g, resize);
    const paste = only(g, 'img_paste');
    expect(feeder(g, paste, 'base_image')!.node.type).toBe('image');
    expect(paste.crop ?? false).toBe(false);
    return {
      [only(g, 'l2i').id]: [Math.floor((w / 8) * factor) * 8, Math.floor((h / 8) * factor) * 8],
      [paste.id]: [INPUT.width, INPUT.height],
    };
  },
  'workflows/invokeai-defaults/Text to Image - SD1.5.json': (g) => ({ [only(g, 'l2i').id]: sizeOf(g, only(g, 'noise')) }),
  'workflows/invokeai-defaults/Text to Image - SDXL.json': (g) => ({ [only(g, 'l2i').id]: sizeOf(g, only(g, 'noise')) }),
};

/** The result of the prepared node that made an image, with the output field holding it. */
function resultOf(item: SessionQueueItem, nodeId: string, imageName: string): Record<string, unknown> {
  const session = item.session as unknown as { source_prepared_mapping: Record<string, string[]>; results: Record<string, Record<string, unknown>> };
  const hit = session.source_prepared_mapping[nodeId]!.map((p) => session.results[p]!).find((r) =>
    Object.values(r).some((v) => (v as { image_name?: unknown } | null)?.image_name === imageName),
  );
  expect(hit, `result of ${nodeId} holding ${imageName}`).toBeDefined();
  return hit!;
}

describe('the shared fixture workflows on the emulator', () => {
  it('serves the extra model records as valid model configs', () => {
    const served = models.filter((m) => EXTRA_MODELS.some((x) => x.key === m.key));
    expect(served).toHaveLength(EXTRA_MODELS.length);
    for (const m of served) expectResponse('GET', '/api/v2/models/i/{key}', 200, m);
  });

  it.each(listWorkflowFiles())('%s', async (name, path) => {
    const build: BuildGraphOptions = STALE_WORKFLOWS.has(name) ? { unknownNodeTypes: 'drop' } : {};
    const wf = await fill(loadWorkflowFile(path, { fieldTable: DEFAULT_FIELD_TABLE }), build);
    const batch = buildBatch(wf, build);
    const end = await run(batch, wf);

    const failure = EXPECTED_FAILURES[name];
    if (failure) {
      expect(end.type).toBe('failed');
      if (end.type !== 'failed' || !isQueueItemFailedError(end.error)) throw new Error('expected a failed queue item');
      expect(end.error.item.status).toBe('failed');
      expect(batch.graph.nodes[end.error.node_id!]?.type).toBe(failure.nodeType);
      expect(end.error.error_type).toBe(failure.error_type);
      for (const word of failure.names) expect(end.error.error_message).toContain(word);
      return;
    }

    if (end.type === 'failed') throw end.error;
    const { item, outputs } = end.result;
    expect(item.status).toBe('completed');

    // Every image any node made is a PNG of the size its node reports.
    let images = 0;
    for (const output of outputs) {
      for (const imageName of output.imageNames) {
        const result = resultOf(item, output.nodeId, imageName);
        const img = await decodePng(imageName);
        expect([img.width, img.height], `${output.nodeType} ${imageName}`).toEqual([result.width, result.height]);
        images++;
      }
    }
    expect(images).toBeGreaterThan(0);

    // The final images have the size the graph asks for.
    const expected = FINAL_SIZES[name]!(batch.graph);
    const finals = outputs.filter((o) => !o.isIntermediate);
    expect(finals.map((o) => o.nodeId).sort()).toEqual(Object.keys(expected).sort());
    for (const output of finals) {
      expect(output.imageNames, output.nodeType).toHaveLength(1);
      const img = await decodePng(output.imageNames[0]!);
      expect([img.width, img.height], `${output.nodeType} ${output.nodeId}`).toEqual(expected[output.nodeId]);
    }
  });
});
