import { describe, expect, it } from 'vitest';
import { WITH_6_14 } from '../support/fieldTable.js';
import { buildGraph } from '../../src/workflow/buildGraph.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import { connector, edge, invocation, notes, workflowJson } from './builders.js';

const build = (json: unknown, options?: Parameters<typeof buildGraph>[1]) => buildGraph(parseWorkflow(json, WITH_6_14), options);
const edgeKeys = (g: ReturnType<typeof build>['graph']) => g.edges.map((e) => `${e.source.node_id}.${e.source.field}->${e.destination.node_id}.${e.destination.field}`);

describe('buildGraph', () => {
  it('emits {id, type, ...values, use_cache, is_intermediate} for invocation nodes only', () => {
    const { graph } = build(
      workflowJson({
        nodes: [
          invocation('a', 'integer', { value: 3 }, { label: 'ignored', isIntermediate: false, useCache: false }),
          notes('n1'),
          invocation('b', 'add', { a: 1, b: 2 }, { bare: [] }),
        ],
      }),
      { id: 'g1' },
    );
    expect(graph).toEqual({
      id: 'g1',
      nodes: {
        a: { id: 'a', type: 'integer', value: 3, use_cache: false, is_intermediate: false },
        b: { id: 'b', type: 'add', a: 1, b: 2, use_cache: true, is_intermediate: true },
      },
      edges: [],
    });
  });

  it('generates a fresh uuid graph id by default', () => {
    const json = workflowJson({ nodes: [invocation('a', 'integer', { value: 1 })] });
    const a = build(json).graph.id!;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(build(json).graph.id).not.toBe(a);
  });

  it('drops batch and generator nodes and their edges', () => {
    const { graph } = build(
      workflowJson({
        nodes: [
          invocation('gen', 'integer_generator', { generator: {} }),
          invocation('batch', 'integer_batch', { integers: [1, 2], batch_group_id: 'None' }),
          invocation('add', 'add', { a: 0, b: 1 }),
        ],
        edges: [edge('gen', 'integers', 'batch', 'integers'), edge('batch', 'value', 'add', 'a')],
      }),
    );
    expect(Object.keys(graph.nodes)).toEqual(['add']);
    expect(graph.edges).toEqual([]);
    expect(graph.nodes.add).toEqual({ id: 'add', type: 'add', a: 0, b: 1, use_cache: true, is_intermediate: true });
  });

  it('resolves connectors through chains, ignores collapsed edges, removes duplicates and edge-fed values', () => {
    const { graph, warnings } = build(
      workflowJson({
        nodes: [
          invocation('src', 'integer', { value: 5 }),
          connector('c1'),
          connector('c2'),
          invocation('dst', 'add', { a: 99, b: 1 }),
          invocation('dst2', 'add', { a: 7, b: 8 }),
        ],
        edges: [
          edge('src', 'value', 'c1', 'in'),
          edge('c1', 'out', 'c2', 'in'),
          edge('c2', 'out', 'dst', 'a'),
          edge('src', 'value', 'dst', 'a'), // duplicate once the connector chain is resolved
          edge('src', 'value', 'dst2', 'b', 'collapsed'),
          { id: 'no-handle', type: 'default', source: 'src', target: 'dst2', sourceHandle: 'value' },
        ],
      }),
    );
    expect(edgeKeys(graph)).toEqual(['src.value->dst.a']);
    expect(graph.nodes.dst).toEqual({ id: 'dst', type: 'add', b: 1, use_cache: true, is_intermediate: true });
    expect(graph.nodes.dst2).toMatchObject({ a: 7, b: 8 });
    expect(warnings).toEqual(['edge no-handle is missing a handle; dropped']);
  });

  it('drops an edge from a connector with no source, with a warning', () => {
    const { graph, warnings } = build(
      workflowJson({ nodes: [connector('c'), invocation('dst', 'add', { a: 1, b: 1 })], edges: [edge('c', 'out', 'dst', 'a')] }),
    );
    expect(graph.edges).toEqual([]);
    expect(graph.nodes.dst).toMatchObject({ a: 1 });
    expect(warnings[0]).toContain('connector c');
  });

  describe('board inputs', () => {
    const boards = (value: unknown, autoAddBoardId?: string | null) =>
      build(workflowJson({ nodes: [invocation('s', 'save_image', { board: value, image: { image_name: 'x.png' } })] }), {
        autoAddBoardId,
      }).graph.nodes.s!.board;

    it.each([
      ['auto', null, undefined],
      ['auto', 'none', undefined],
      ['auto', 'b-auto', { board_id: 'b-auto' }],
      [undefined, 'b-auto', { board_id: 'b-auto' }],
      [undefined, null, undefined],
      ['none', 'b-auto', undefined],
      [{ board_id: 'b1' }, 'b-auto', { board_id: 'b1' }],
      ['b2', null, { board_id: 'b2' }],
    ])('%j with auto-add board %j → %j', (value, auto, expected) => {
      expect(boards(value, auto)).toEqual(expected);
    });
  });

  it('drops inputs the invocation does not declare, except on nodes accepting extras', () => {
    const { graph, warnings } = build(
      workflowJson({
        nodes: [
          invocation('a', 'add', { a: 1, b: 2, bogus: 3 }),
          invocation('m', 'core_metadata', { generation_mode: 'txt2img', my_extra: 'kept' }),
        ],
      }),
    );
    expect(graph.nodes.a).not.toHaveProperty('bogus');
    expect(graph.nodes.m).toMatchObject({ my_extra: 'kept' });
    expect(warnings).toEqual(['node a (add) has input "bogus", which the server\'s invocation does not declare; dropped']);
  });

  it('never sends literals for connection-only inputs, nor null values', () => {
    const { graph } = build(
      workflowJson({ nodes: [invocation('l', 'l2i', { latents: { latents_name: 'stale' }, vae: null, tiled: true, fp32: null })] }),
    );
    expect(graph.nodes.l).toEqual({ id: 'l', type: 'l2i', tiled: true, use_cache: true, is_intermediate: true });
  });

  it('passes color and list values through untouched', () => {
    const color = { r: 1, g: 2, b: 3, a: 255 };
    const { graph } = build(
      workflowJson({ nodes: [invocation('f', 'infill_rgba', { color }), invocation('d', 'denoise_latents', { cfg_scale: [7, 6.5, 5] })] }),
    );
    expect(graph.nodes.f).toMatchObject({ color });
    expect(graph.nodes.d).toMatchObject({ cfg_scale: [7, 6.5, 5] });
  });

  it('folds call_saved_workflow dynamic inputs into workflow_inputs', () => {
    const { graph, warnings } = build(
      workflowJson({
        nodes: [invocation('call', 'call_saved_workflow', { workflow_id: 'wf-1', 'saved_workflow_input::node-1::a': 23 })],
      }),
    );
    expect(warnings).toEqual([]);
    expect(graph.nodes.call).toEqual({
      id: 'call',
      type: 'call_saved_workflow',
      workflow_id: 'wf-1',
      workflow_inputs: { 'saved_workflow_input::node-1::a': 23 },
      use_cache: true,
      is_intermediate: true,
    });
  });

  it('returns values the caller may mutate without touching the workflow', () => {
    const wf = parseWorkflow(workflowJson({ nodes: [invocation('s', 'save_image', { image: { image_name: 'x.png' } })] }), WITH_6_14);
    const { graph } = buildGraph(wf);
    (graph.nodes.s!.image as { image_name: string }).image_name = 'changed';
    expect(buildGraph(wf).graph.nodes.s!.image).toEqual({ image_name: 'x.png' });
  });

  it('throws UnknownNodeTypeError naming every unknown node, or drops them with their edges', () => {
    const json = workflowJson({
      nodes: [invocation('old', 'canny_image_processor', { low_threshold: 100 }), invocation('old2', 'midas_depth_image_processor', {}), invocation('dst', 'img_blur', { radius: 2 })],
      edges: [edge('old', 'image', 'dst', 'image')],
    });
    expect(() => build(json)).toThrowError(/canny_image_processor \(node old\), midas_depth_image_processor \(node old2\)/);
    expect(() => build(json)).toThrow(
      expect.objectContaining({ name: 'UnknownNodeTypeError', nodeId: 'old', nodeType: 'canny_image_processor', serverVersion: '6.14.0-alpha' }),
    );
    const { graph, warnings } = build(json, { unknownNodeTypes: 'drop' });
    expect(Object.keys(graph.nodes)).toEqual(['dst']);
    expect(graph.edges).toEqual([]);
    expect(warnings).toHaveLength(2);
  });

  it('uses the given server table instead of the bundled one', () => {
    const json = workflowJson({ nodes: [invocation('a', 'add', { a: 1, b: 2 })] });
    const table = { version: 'custom', nodes: { add: { t: 'Add', v: '1', out: null, f: { a: { k: 'integer' as const, in: 'any' as const } } } }, outputs: {} };
    const { graph, warnings } = build(json, { fieldTable: table });
    expect(graph.nodes.a).toEqual({ id: 'a', type: 'add', a: 1, use_cache: true, is_intermediate: true });
    expect(warnings).toHaveLength(1);
    expect(() => build(workflowJson({ nodes: [invocation('s', 'sub', {})] }), { fieldTable: table })).toThrowError(/InvokeAI custom/);
  });
});
