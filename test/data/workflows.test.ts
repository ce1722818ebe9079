import { readFileSync, readdirSync } from 'node:fs';
import { TABLE_6_14, WITH_6_14 } from '../support/fieldTable.js';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { authorWorkflows } from '../../scripts/authorWorkflows.js';
import { buildGraph } from '../../src/workflow/buildGraph.js';
const TABLE = TABLE_6_14;
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';

// The shipped workflows are checked against independent truth: the brief's index tables (written
// out by hand below), InvokeAI's OpenAPI schema (ajv), and the field table generated from it.

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DIR = here('../../data/workflows/');
const openapi = JSON.parse(readFileSync(here('../fixtures/openapi/invokeai-6.14.0-alpha.openapi.json'), 'utf8'));

interface Input {
  name: string;
  label: string;
  description: string;
  value?: unknown;
}
interface Node {
  id: string;
  type: string;
  data: {
    id: string;
    type: string;
    version: string;
    nodePack: string;
    label: string;
    notes: string;
    isOpen: boolean;
    isIntermediate: boolean;
    useCache: boolean;
    inputs: Record<string, Input>;
  };
  position: { x: number; y: number };
}
interface Edge {
  id: string;
  type: string;
  source: string;
  target: string;
  sourceHandle: string;
  targetHandle: string;
}
interface Element {
  id: string;
  type: string;
  parentId?: string;
  data?: {
    layout?: string;
    children?: string[];
    fieldIdentifier?: { nodeId: string; fieldName: string };
    settings?: { type: string; min?: number; max?: number };
    content?: string;
  };
}
interface WorkflowFile {
  name: string;
  author: string;
  description: string;
  version: string;
  contact: string;
  tags: string;
  notes: string;
  exposedFields: { nodeId: string; fieldName: string }[];
  meta: { version: string; category: string };
  nodes: Node[];
  edges: Edge[];
  form: { elements: Record<string, Element>; rootElementId: string };
}

/** [invocation type, field name, label] per form index: the contract the pipeline operators bind to. */
const EXPECTED: Record<string, [string, string, string][]> = {
  'sdxl_base.json': [
    ['string', 'value', 'Positive Prompt'],
    ['string', 'value', 'Negative Prompt'],
    ['noise', 'seed', 'Seed'],
    ['denoise_latents', 'steps', 'Steps'],
    ['denoise_latents', 'cfg_scale', 'CFG Scale'],
    ['noise', 'width', 'Width'],
    ['noise', 'height', 'Height'],
    ['l2i', 'board', 'Board'],
    ['sdxl_model_loader', 'model', 'Model'],
  ],
  'sdxl_refiner.json': [
    ['image', 'image', 'Image'],
    ['string', 'value', 'Positive Prompt'],
    ['string', 'value', 'Negative Prompt'],
    ['denoise_latents', 'steps', 'Steps'],
    ['float_math', 'b', 'Strength'],
    ['denoise_latents', 'cfg_scale', 'CFG Scale'],
    ['l2i', 'board', 'Board'],
  ],
  'esrgan_upscale.json': [
    ['image', 'image', 'Image'],
    ['spandrel_image_to_image_autoscale', 'scale', 'Scale'],
    ['spandrel_image_to_image_autoscale', 'image_to_image_model', 'Upscaler Model'],
    ['spandrel_image_to_image_autoscale', 'board', 'Board'],
  ],
  'face_restore.json': [
    ['image', 'image', 'Image'],
    ['float_math', 'b', 'Strength'],
    ['main_model_loader', 'model', 'Face Model'],
    ['img_paste', 'board', 'Board'],
  ],
  'masked_refine.json': [
    ['image', 'image', 'Image'],
    ['image', 'image', 'Mask'],
    ['string', 'value', 'Prompt'],
    ['denoise_latents', 'steps', 'Steps'],
    ['float_math', 'b', 'Strength'],
    ['denoise_latents', 'cfg_scale', 'CFG Scale'],
  ],
  'sdxl_with_refiner.json': [
    ['string', 'value', 'Positive Prompt'],
    ['string', 'value', 'Negative Prompt'],
    ['noise', 'seed', 'Seed'],
    ['denoise_latents', 'steps', 'Base Steps'],
    ['denoise_latents', 'steps', 'Refiner Steps'],
    ['float', 'value', 'Handoff'],
  ],
};
const FILES = Object.keys(EXPECTED);

const load = (file: string): WorkflowFile => JSON.parse(readFileSync(DIR + file, 'utf8'));

/** Depth-first pre-order over the form from the root; only node-field elements get an index. */
function formFields(wf: WorkflowFile): { nodeId: string; fieldName: string }[] {
  const out: { nodeId: string; fieldName: string }[] = [];
  const visit = (id: string): void => {
    const element = wf.form.elements[id]!;
    if (element.type === 'node-field') out.push(element.data!.fieldIdentifier!);
    for (const child of element.data?.children ?? []) visit(child);
  };
  visit(wf.form.rootElementId);
  return out;
}

const nodeById = (wf: WorkflowFile, id: string): Node => {
  const node = wf.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
};
const edgesInto = (wf: WorkflowFile, nodeId: string, field: string) =>
  wf.edges.filter((e) => e.target === nodeId && e.targetHandle === field);
const sourceOf = (wf: WorkflowFile, nodeId: string, field: string): Node => {
  const edges = edgesInto(wf, nodeId, field);
  expect(edges, `${nodeId}.${field} should have exactly one incoming edge`).toHaveLength(1);
  return nodeById(wf, edges[0]!.source);
};
const targetsOf = (wf: WorkflowFile, nodeId: string, handle?: string) =>
  wf.edges
    .filter((e) => e.source === nodeId && (handle === undefined || e.sourceHandle === handle))
    .map((e) => ({ node: nodeById(wf, e.target), field: e.targetHandle }));
const outputNode = (wf: WorkflowFile): Node => {
  const outputs = wf.nodes.filter((n) => !n.data.isIntermediate);
  expect(outputs, 'exactly one node saves to the gallery').toHaveLength(1);
  return outputs[0]!;
};
const fieldAt = (wf: WorkflowFile, index: number) => {
  const ref = formFields(wf)[index]!;
  return { node: nodeById(wf, ref.nodeId), fieldName: ref.fieldName };
};

/** Output handle kind compatible with an input: same kind/schema, int into float, anything into `collect.item`. */
function compatible(outKind: string, targetType: string, targetField: string): boolean {
  const spec = TABLE.nodes[targetType]!.f[targetField]!;
  if (targetType === 'collect' && targetField === 'item') return true;
  if (spec.k === 'json') return spec.ref === outKind;
  if (spec.k === outKind) return true;
  return spec.k === 'float' && outKind === 'integer';
}

/** The editor's buildNodesGraph (§8.6), independently of src/workflow, for schema validation. */
function referenceGraph(wf: WorkflowFile) {
  const nodes: Record<string, Record<string, unknown>> = {};
  for (const node of wf.nodes) {
    const out: Record<string, unknown> = { type: node.data.type, id: node.id };
    for (const [name, input] of Object.entries(node.data.inputs)) {
      if (input.value === undefined) continue;
      // 'auto' resolves to the UI's auto-add board; with none selected the input is left out.
      if (TABLE.nodes[node.data.type]!.f[name]!.k === 'board' && (input.value === 'auto' || input.value === 'none')) continue;
      out[name] = input.value;
    }
    out.use_cache = node.data.useCache;
    out.is_intermediate = node.data.isIntermediate;
    nodes[node.id] = out;
  }
  for (const edge of wf.edges) delete nodes[edge.target]![edge.targetHandle];
  return { nodes, edges: wf.edges };
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi.json', components: openapi.components });
const schemaNameByType = new Map<string, string>();
for (const [name, schema] of Object.entries<{ properties?: { type?: { const?: string } } }>(openapi.components.schemas)) {
  const type = schema.properties?.type?.const;
  if (name.endsWith('Invocation') && type) schemaNameByType.set(type, name);
}
function schemaErrors(node: Record<string, unknown>): string[] {
  const name = schemaNameByType.get(node.type as string);
  if (!name) return [`no invocation schema for type ${String(node.type)}`];
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`)!;
  return validate(node) ? [] : (validate.errors ?? []).map((e) => `${node.type} ${e.instancePath} ${e.message}`);
}

describe('data/workflows', () => {
  it('holds exactly the six shipped workflows', () => {
    expect(readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()).toEqual([...FILES].sort());
  });

  it('are what scripts/authorWorkflows.ts writes (regenerate with `npx tsx scripts/authorWorkflows.ts`)', () => {
    const authored = authorWorkflows();
    for (const file of FILES) expect(readFileSync(DIR + file, 'utf8'), file).toBe(authored[file]);
  });

  describe.each(FILES)('%s', (file) => {
    const wf = load(file);
    const connected = new Set(wf.edges.map((e) => `${e.target}\u0000${e.targetHandle}`));
    const formKeys = new Set(formFields(wf).map((f) => `${f.nodeId}\u0000${f.fieldName}`));

    it('has the top-level keys the server requires (WorkflowWithoutID), as a 4.0.0 user workflow', () => {
      for (const key of ['name', 'author', 'description', 'version', 'contact', 'tags', 'notes']) {
        expect(typeof (wf as unknown as Record<string, unknown>)[key], key).toBe('string');
      }
      expect(wf.name).not.toBe('');
      expect(Array.isArray(wf.exposedFields)).toBe(true);
      expect(Array.isArray(wf.nodes)).toBe(true);
      expect(Array.isArray(wf.edges)).toBe(true);
      expect(wf.meta).toEqual({ version: '4.0.0', category: 'user' });
      expect(wf).not.toHaveProperty('id');
    });

    it('has a structurally valid form (§8.5 validateFormStructure)', () => {
      const { elements, rootElementId } = wf.form;
      const root = elements[rootElementId]!;
      expect(root.type).toBe('container');
      expect(root.parentId).toBeUndefined();
      const reached = new Set<string>([rootElementId]);
      const walk = (id: string): void => {
        for (const child of elements[id]!.data?.children ?? []) {
          expect(elements[child], `child ${child} exists`).toBeDefined();
          expect(elements[child]!.parentId, `${child}.parentId`).toBe(id);
          expect(reached.has(child), `${child} reached once`).toBe(false);
          reached.add(child);
          walk(child);
        }
      };
      walk(rootElementId);
      expect([...reached].sort()).toEqual(Object.keys(elements).sort());
      for (const [key, element] of Object.entries(elements)) {
        expect(element.id).toBe(key);
        expect(key).toMatch(/^(container|node-field|heading|text|divider)-[A-Za-z0-9]{10}$/);
        expect(key.startsWith(`${element.type}-`)).toBe(true);
        if (element.type === 'container') expect(['row', 'column']).toContain(element.data!.layout);
        if (element.type === 'node-field') {
          const { nodeId, fieldName } = element.data!.fieldIdentifier!;
          expect(nodeById(wf, nodeId).data.inputs[fieldName], `${nodeId}.${fieldName}`).toBeDefined();
        }
      }
      expect(() => parseWorkflow(wf, { source: file, onInvalidForm: 'error' })).not.toThrow();
    });

    it('has the form index table the pipeline binds to (own traversal and the engine agree)', () => {
      const own = formFields(wf).map(({ nodeId, fieldName }) => {
        const node = nodeById(wf, nodeId);
        return [node.data.type, fieldName, node.data.inputs[fieldName]!.label];
      });
      expect(own).toEqual(EXPECTED[file]);

      // No table: the bundled workflows label every form input themselves.
      const engine = parseWorkflow(wf, { source: file });
      expect(engine.formSource).toBe('form');
      expect(engine.warnings).toEqual([]);
      expect(engine.inputs.map((i) => [i.index, i.nodeType, i.fieldName, i.label])).toEqual(
        EXPECTED[file]!.map(([type, fieldName, label], index) => [index, type, fieldName, label]),
      );
      expect(engine.inputs.map((i) => ({ nodeId: i.nodeId, fieldName: i.fieldName }))).toEqual(formFields(wf));
    });

    it('lists the form fields, in form order, in exposedFields', () => {
      expect(wf.exposedFields).toEqual(formFields(wf));
    });

    it('uses only InvokeAI 6.14 node types, at their schema version, with exactly their inputs', () => {
      const ids = new Set<string>();
      for (const node of wf.nodes) {
        expect(node.type).toBe('invocation');
        expect(node.data.id).toBe(node.id);
        expect(node.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(ids.has(node.id)).toBe(false);
        ids.add(node.id);
        const spec = TABLE.nodes[node.data.type];
        expect(spec, node.data.type).toBeDefined();
        expect(schemaNameByType.has(node.data.type), node.data.type).toBe(true);
        expect(node.data.version).toBe(spec!.v);
        expect(node.data).toMatchObject({ nodePack: 'invokeai', notes: '', isOpen: true });
        expect(typeof node.data.label).toBe('string');
        expect(Object.keys(node.data.inputs)).toEqual(Object.keys(spec!.f));
        for (const [name, input] of Object.entries(node.data.inputs)) {
          expect(input.name).toBe(name);
          expect(typeof input.label).toBe('string');
          expect(input.description).toBe('');
        }
        expect(Number.isFinite(node.position.x) && Number.isFinite(node.position.y)).toBe(true);
      }
    });

    it('has edges between existing output and input fields of compatible kinds, in the editor id form', () => {
      const seen = new Set<string>();
      for (const edge of wf.edges) {
        const source = nodeById(wf, edge.source);
        const target = nodeById(wf, edge.target);
        const outputs = TABLE.outputs[TABLE.nodes[source.data.type]!.out!]!.f;
        expect(outputs[edge.sourceHandle], `${source.data.type} output ${edge.sourceHandle}`).toBeDefined();
        expect(TABLE.nodes[target.data.type]!.f[edge.targetHandle], `${target.data.type} input ${edge.targetHandle}`).toBeDefined();
        expect(compatible(outputs[edge.sourceHandle]!, target.data.type, edge.targetHandle), `${edge.id} kinds`).toBe(true);
        expect(edge.type).toBe('default');
        expect(edge.id).toBe(`reactflow__edge-${edge.source}${edge.sourceHandle}-${edge.target}${edge.targetHandle}`);
        const key = `${edge.target}\u0000${edge.targetHandle}`;
        expect(seen.has(key), `${key} fed twice`).toBe(false);
        seen.add(key);
      }
    });

    it('gives connected and connection-only inputs no value, and every required input a value, an edge or a form slot', () => {
      for (const node of wf.nodes) {
        for (const [name, input] of Object.entries(node.data.inputs)) {
          const spec = TABLE.nodes[node.data.type]!.f[name]!;
          const key = `${node.id}\u0000${name}`;
          if (connected.has(key) || spec.in === 'connection') expect(input, `${node.data.type}.${name}`).not.toHaveProperty('value');
          if (spec.in === 'connection' && spec.req) expect(connected.has(key), `${node.data.type}.${name} needs an edge`).toBe(true);
          if (spec.req && !connected.has(key) && input.value === undefined) {
            // Only the images the user supplies may be empty in the shipped file.
            expect(formKeys.has(key) && spec.k === 'image', `${node.data.type}.${name} is required`).toBe(true);
          }
        }
      }
    });

    it('is acyclic and every node contributes to the one image it saves', () => {
      const output = outputNode(wf);
      expect(output.data.useCache).toBe(false);
      const order: string[] = [];
      const state = new Map<string, 'open' | 'done'>();
      const visit = (id: string): void => {
        if (state.get(id) === 'done') return;
        expect(state.get(id), `cycle through ${id}`).not.toBe('open');
        state.set(id, 'open');
        for (const edge of wf.edges.filter((e) => e.source === id)) visit(edge.target);
        state.set(id, 'done');
        order.push(id);
      };
      for (const node of wf.nodes) visit(node.id);
      const feedsOutput = new Set<string>([output.id]);
      for (const id of order) {
        if (wf.edges.some((e) => e.source === id && feedsOutput.has(e.target))) feedsOutput.add(id);
      }
      expect(wf.nodes.filter((n) => !feedsOutput.has(n.id)).map((n) => n.data.type)).toEqual([]);
    });

    it('pins its models as ModelIdentifierFields the loader accepts, and boards to "auto"', () => {
      for (const node of wf.nodes) {
        for (const [name, input] of Object.entries(node.data.inputs)) {
          const spec = TABLE.nodes[node.data.type]!.f[name]!;
          if (spec.k === 'model') {
            const model = input.value as Record<string, string>;
            expect(model.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
            expect(model.hash).toMatch(/^blake3:[0-9a-f]{64}$/);
            if (spec.mb) expect(spec.mb).toContain(model.base);
            if (spec.mt) expect(spec.mt).toContain(model.type);
          }
          if (spec.k === 'board') expect(input.value).toBe(node.data.isIntermediate ? undefined : 'auto');
        }
      }
    });

    it('builds (own §8.6 conversion) into nodes that validate against the OpenAPI invocation schemas', () => {
      const graph = referenceGraph(wf);
      expect(Object.values(graph.nodes).flatMap(schemaErrors)).toEqual([]);
    });

    it('builds with the engine into the same graph, valid against the OpenAPI invocation schemas', () => {
      const { graph, warnings } = buildGraph(parseWorkflow(wf, { ...WITH_6_14, source: file }), { id: 'g' });
      expect(warnings).toEqual([]);
      expect(Object.values(graph.nodes).flatMap((n) => schemaErrors(n as Record<string, unknown>))).toEqual([]);
      const reference = referenceGraph(wf);
      expect(graph.nodes).toEqual(reference.nodes);
      expect(graph.edges).toHaveLength(wf.edges.length);
    });

    it('still validates with a board id and with user images set through the engine', () => {
      const images = EXPECTED[file]!.flatMap(([type], index) => (type === 'image' ? [index] : []));
      const values = Object.fromEntries(images.map((i) => [i, { image_name: `input-${i}.png` }]));
      const { graph } = buildGraph(parseWorkflow(wf, { ...WITH_6_14, source: file }).with(values), { autoAddBoardId: 'board-1' });
      expect(Object.values(graph.nodes).flatMap((n) => schemaErrors(n as Record<string, unknown>))).toEqual([]);
      const saved = Object.values(graph.nodes).filter((n) => n.is_intermediate === false);
      expect(saved.map((n) => n.board)).toEqual([{ board_id: 'board-1' }]);
      for (const i of images) {
        const { node } = fieldAt(wf, i);
        expect(graph.nodes[node.id]!.image).toEqual({ image_name: `input-${i}.png` });
      }
    });
  });
});

describe('the schema check', () => {
  it('rejects what the server would reject (so the passes above mean something)', () => {
    const noise = { id: 'n', type: 'noise', seed: -1, width: 1020, height: 1024 };
    expect(schemaErrors(noise)).toEqual([
      'noise /seed must be >= 0',
      'noise /width must be multiple of 8',
    ]);
    expect(schemaErrors({ id: 'm', type: 'sdxl_model_loader', model: { name: 'x' } })).not.toEqual([]);
    expect(schemaErrors({ id: 'd', type: 'denoise_latents', scheduler: 'nope' })).not.toEqual([]);
  });
});

describe('workflow wiring', () => {
  /** Follows a conditioning input back to the string node whose value is its prompt. */
  const promptSource = (wf: WorkflowFile, denoise: Node, which: 'positive_conditioning' | 'negative_conditioning') =>
    sourceOf(wf, sourceOf(wf, denoise.id, which).id, 'style');

  /** The strength field is `b` of a float_math SUB with a = 1, feeding denoising_start. */
  const expectStrength = (wf: WorkflowFile, index: number, denoise: Node) => {
    const { node, fieldName } = fieldAt(wf, index);
    expect(fieldName).toBe('b');
    expect(node.data.inputs.operation!.value).toBe('SUB');
    expect(node.data.inputs.a!.value).toBe(1);
    const b = node.data.inputs.b!.value as number;
    expect(b).toBeGreaterThan(0);
    expect(b).toBeLessThanOrEqual(1);
    expect(sourceOf(wf, denoise.id, 'denoising_start').id).toBe(node.id);
  };

  it('sdxl_base: prompts, seed, steps, cfg and size drive the SDXL denoise that the saved l2i decodes', () => {
    const wf = load('sdxl_base.json');
    const output = outputNode(wf);
    expect(output.data.type).toBe('l2i');
    const denoise = sourceOf(wf, output.id, 'latents');
    expect(sourceOf(wf, denoise.id, 'unet').data.type).toBe('sdxl_model_loader');
    expect(promptSource(wf, denoise, 'positive_conditioning').id).toBe(fieldAt(wf, 0).node.id);
    expect(sourceOf(wf, sourceOf(wf, denoise.id, 'positive_conditioning').id, 'prompt').id).toBe(fieldAt(wf, 0).node.id);
    expect(promptSource(wf, denoise, 'negative_conditioning').id).toBe(fieldAt(wf, 1).node.id);
    const noise = sourceOf(wf, denoise.id, 'noise');
    for (const i of [2, 5, 6]) expect(fieldAt(wf, i).node.id).toBe(noise.id);
    for (const i of [3, 4]) expect(fieldAt(wf, i).node.id).toBe(denoise.id);
    expect(fieldAt(wf, 7).node.id).toBe(output.id);
    expect(noise.data.inputs.width!.value).toBe(1024);
    expect(noise.data.inputs.height!.value).toBe(1024);
    expect(denoise.data.inputs.denoising_start!.value).toBe(0);
    expect(denoise.data.inputs).not.toHaveProperty('latents.value');
    expect((fieldAt(wf, 8).node.data.inputs.model!.value as { name: string }).name).toBe('juggernautXL_v9Rundiffusionphoto2');
  });

  it('sdxl_refiner: the image is encoded with the refiner VAE and re-denoised from 1 - strength', () => {
    const wf = load('sdxl_refiner.json');
    const output = outputNode(wf);
    const denoise = sourceOf(wf, output.id, 'latents');
    const loader = sourceOf(wf, denoise.id, 'unet');
    expect(loader.data.type).toBe('sdxl_refiner_model_loader');
    expect(loader.data.inputs.model!.value).toMatchObject({ name: 'stable-diffusion-xl-refiner-1.0', base: 'sdxl-refiner', type: 'main' });
    const i2l = sourceOf(wf, denoise.id, 'latents');
    expect(i2l.data.type).toBe('i2l');
    expect(sourceOf(wf, i2l.id, 'image').id).toBe(fieldAt(wf, 0).node.id);
    expect(sourceOf(wf, i2l.id, 'vae').id).toBe(loader.id);
    expect(sourceOf(wf, output.id, 'vae').id).toBe(loader.id);
    expect(promptSource(wf, denoise, 'positive_conditioning').id).toBe(fieldAt(wf, 1).node.id);
    expect(promptSource(wf, denoise, 'negative_conditioning').id).toBe(fieldAt(wf, 2).node.id);
    expect(sourceOf(wf, denoise.id, 'positive_conditioning').data.type).toBe('sdxl_refiner_compel_prompt');
    expectStrength(wf, 4, denoise);
    for (const i of [3, 5]) expect(fieldAt(wf, i).node.id).toBe(denoise.id);
    expect(fieldAt(wf, 6).node.id).toBe(output.id);
  });

  it('esrgan_upscale: the image goes through one Spandrel autoscale node that saves to the board', () => {
    const wf = load('esrgan_upscale.json');
    const output = outputNode(wf);
    expect(output.data.type).toBe('spandrel_image_to_image_autoscale');
    expect(sourceOf(wf, output.id, 'image').id).toBe(fieldAt(wf, 0).node.id);
    expect(output.data.inputs.image_to_image_model!.value).toMatchObject({
      name: 'RealESRGAN_x4plus',
      base: 'any',
      type: 'spandrel_image_to_image',
    });
    for (const i of [1, 2, 3]) expect(fieldAt(wf, i).node.id).toBe(output.id);
  });

  it('face_restore: FaceOff crop -> SD1.5 denoise from 1 - strength -> pasted back through the face mask', () => {
    const wf = load('face_restore.json');
    const output = outputNode(wf);
    expect(output.data.type).toBe('img_paste');
    const image = fieldAt(wf, 0).node;
    expect(sourceOf(wf, output.id, 'base_image').id).toBe(image.id);
    const faceOff = wf.nodes.find((n) => n.data.type === 'face_off')!;
    expect(sourceOf(wf, faceOff.id, 'image').id).toBe(image.id);
    expect(sourceOf(wf, output.id, 'x').id).toBe(faceOff.id);
    expect(sourceOf(wf, output.id, 'y').id).toBe(faceOff.id);
    const blur = sourceOf(wf, output.id, 'mask');
    expect(sourceOf(wf, blur.id, 'image').id).toBe(faceOff.id);
    expect(edgesInto(wf, blur.id, 'image')[0]!.sourceHandle).toBe('mask');
    const denoise = wf.nodes.find((n) => n.data.type === 'denoise_latents')!;
    const loader = sourceOf(wf, denoise.id, 'unet');
    expect(loader.id).toBe(fieldAt(wf, 2).node.id);
    expect(loader.data.inputs.model!.value).toMatchObject({ name: 'stable-diffusion-v1-5', base: 'sd-1', type: 'main' });
    expectStrength(wf, 1, denoise);
    expect(fieldAt(wf, 3).node.id).toBe(output.id);
    expect(targetsOf(wf, faceOff.id, 'image').map((t) => t.node.data.type)).toEqual(['img_resize']);
  });

  it('masked_refine: the mask becomes the denoise mask and the result is pasted back over the image', () => {
    const wf = load('masked_refine.json');
    const output = outputNode(wf);
    expect(output.data.type).toBe('canvas_paste_back');
    const image = fieldAt(wf, 0).node;
    const mask = fieldAt(wf, 1).node;
    expect(image.id).not.toBe(mask.id);
    const denoise = wf.nodes.find((n) => n.data.type === 'denoise_latents')!;
    const gradient = sourceOf(wf, denoise.id, 'denoise_mask');
    expect(gradient.data.type).toBe('create_gradient_mask');
    expect(sourceOf(wf, gradient.id, 'mask').id).toBe(mask.id);
    expect(sourceOf(wf, gradient.id, 'image').id).toBe(image.id);
    expect(sourceOf(wf, sourceOf(wf, denoise.id, 'latents').id, 'image').id).toBe(image.id);
    expect(sourceOf(wf, output.id, 'source_image').id).toBe(image.id);
    expect(sourceOf(wf, output.id, 'mask').id).toBe(gradient.id);
    expect(promptSource(wf, denoise, 'positive_conditioning').id).toBe(fieldAt(wf, 2).node.id);
    for (const i of [3, 5]) expect(fieldAt(wf, i).node.id).toBe(denoise.id);
    expectStrength(wf, 4, denoise);
  });

  it('sdxl_with_refiner: base denoises to the handoff, the refiner continues from it with the same noise', () => {
    const wf = load('sdxl_with_refiner.json');
    const output = outputNode(wf);
    const refiner = sourceOf(wf, output.id, 'latents');
    const base = sourceOf(wf, refiner.id, 'latents');
    expect([base.data.type, refiner.data.type]).toEqual(['denoise_latents', 'denoise_latents']);
    expect(sourceOf(wf, base.id, 'unet').data.type).toBe('sdxl_model_loader');
    expect(sourceOf(wf, refiner.id, 'unet').data.type).toBe('sdxl_refiner_model_loader');
    const noise = sourceOf(wf, base.id, 'noise');
    expect(sourceOf(wf, refiner.id, 'noise').id).toBe(noise.id);
    expect(fieldAt(wf, 2).node.id).toBe(noise.id);
    const handoff = fieldAt(wf, 5).node;
    expect(sourceOf(wf, base.id, 'denoising_end').id).toBe(handoff.id);
    expect(sourceOf(wf, refiner.id, 'denoising_start').id).toBe(handoff.id);
    expect(fieldAt(wf, 3).node.id).toBe(base.id);
    expect(fieldAt(wf, 4).node.id).toBe(refiner.id);
    for (const denoise of [base, refiner]) {
      expect(promptSource(wf, denoise, 'positive_conditioning').id).toBe(fieldAt(wf, 0).node.id);
      expect(promptSource(wf, denoise, 'negative_conditioning').id).toBe(fieldAt(wf, 1).node.id);
    }
  });
});

describe('data/README.md', () => {
  it.each(FILES)('documents %s with its `invokeai-rx inputs` table', (file) => {
    const readme = readFileSync(here('../../data/README.md'), 'utf8');
    const start = readme.indexOf(`### ${file}`);
    expect(start, `section for ${file}`).toBeGreaterThanOrEqual(0);
    const end = readme.indexOf('\n### ', start + 1);
    const section = readme.slice(start, end === -1 ? undefined : end);
    const rows = section
      .split('\n')
      .map((line) => /^(\d+) {2}(.+?) {2,}(\w+) +(\w+) +\w+ +/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [Number(m[1]), m[3], m[4], m[2]]);
    expect(rows).toEqual(EXPECTED[file]!.map(([type, fieldName, label], index) => [index, type, fieldName, label]));
  });
});
