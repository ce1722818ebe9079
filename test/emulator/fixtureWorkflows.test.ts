import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from 'fast-png';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import { DEFAULT_MODELS, emulatorModel, toModelConfig } from '../../src/emulator/defaultModels.js';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { isQueueItemFailedError } from '../../src/errors/guards.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import type { Graph, GraphNode } from '../../src/schemas/graph.js';
import type { ModelConfig } from '../../src/schemas/model.js';
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
 * Workflows no server can complete, with the failure they must end in. `example-nodes.json` is an
 * unwired scratch workflow (no form, no edges): its first node with a required input fails. The Wan
 * workflow makes a video, which the emulator does not simulate (a real server with Wan weights would
 * run it): it fails at the VAE decode to video.
 */
const EXPECTED_FAILURES: Record<string, { error_type: string; nodeType: string }> = {
  'workflows/py-client/example-nodes.json': { error_type: 'MissingInputException', nodeType: 'flux_controlnet' },
  'workflows/invokeai-defaults/Text to Video - Wan 2.2 Lightning.json': { error_type: 'NotImplementedError', nodeType: 'wan_l2v' },
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
      const spec = wf.fieldTable.nodes[input.nodeType]!.f[input.fieldName]!;
      values[input.index] = firstModel(spec.mb, spec.mt);
    }
  }
  const filled = wf.with(values);
  const { graph } = buildGraph(filled, build);
  const orphaned: NodeValueChange[] = [];
  for (const edge of wf.json.edges) {
    if (edge.type !== 'default' || graph.nodes[edge.source] || !graph.nodes[edge.target]) continue;
    const node = graph.nodes[edge.target]!;
    const spec = wf.fieldTable.nodes[node.type]!.f[edge.targetHandle!]!;
    if (spec.k === 'image' && node[edge.targetHandle!] === undefined) {
      orphaned.push({ nodeId: edge.target, fieldName: edge.targetHandle!, value: { image_name: inputImage } });
    }
  }
  return filled.withNodeValues(orphaned);
}

/** Runs to the item's terminal event: `completed` or (with `itemErrors: 'emit'`) `failed`. */
async function run(wf: Workflow, build: BuildGraphOptions) {
  const events = await lastValueFrom(
    runWorkflow(client, wf, { itemErrors: 'emit', buildOptions: build, timeouts: { total: 60_000 } }).pipe(toArray()),
  );
  const last = events.at(-1) as Extract<RunEvent, { type: 'completed' | 'failed' }>;
  expect(['completed', 'failed']).toContain(last.type);
  return last;
}

const png = async (name: string) => decode(await firstValueFrom(client.images.download(name)));

describe('the shared fixture workflows on the emulator', () => {
  it('serves the extra model records as valid model configs', () => {
    for (const m of EXTRA_MODELS) expectResponse('GET', '/api/v2/models/i/{key}', 200, toModelConfig(m));
  });

  it.each(listWorkflowFiles())('%s', async (name, path) => {
    const build: BuildGraphOptions = STALE_WORKFLOWS.has(name) ? { unknownNodeTypes: 'drop' } : {};
    const wf = await fill(loadWorkflowFile(path), build);
    const end = await run(wf, build);
    const failure = EXPECTED_FAILURES[name];
    if (failure) {
      expect(end.type).toBe('failed');
      if (end.type !== 'failed' || !isQueueItemFailedError(end.error)) throw new Error('expected a failed item');
      expect(end.error.item.status).toBe('failed');
      expect(end.error.error_type).toBe(failure.error_type);
      expect(end.error.error_message).toContain(failure.nodeType);
      return;
    }
    if (end.type === 'failed') throw end.error;
    const { item, outputs } = end.result;
    expect(item.status).toBe('completed');
    console.log(name, JSON.stringify(outputs));
  });
});
