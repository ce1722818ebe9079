import { describe, expect, it } from 'vitest';
import { NOT_EXECUTABLE_NODE_ERROR, validateGraph } from '../../../src/emulator/executor/index.js';
import type { Graph } from '../../../src/schemas/graph.js';

const edge = (s: string, sf: string, d: string, df: string) => ({ source: { node_id: s, field: sf }, destination: { node_id: d, field: df } });

const valid = (): Graph => ({
  nodes: {
    a: { id: 'a', type: 'integer', value: 2 },
    b: { id: 'b', type: 'integer', value: 3 },
    sum: { id: 'sum', type: 'add' },
  },
  edges: [edge('a', 'value', 'sum', 'a'), edge('b', 'value', 'sum', 'b')],
});

const graphError = (graph: Graph) => {
  const detail = validateGraph(graph);
  expect(detail).toHaveLength(1);
  expect(detail[0]!.type).toBe('value_error');
  expect(detail[0]!.loc).toEqual(['body', 'batch', 'graph']);
  return detail[0]!.msg;
};

describe('validateGraph', () => {
  it('accepts a valid graph', () => {
    expect(validateGraph(valid())).toEqual([]);
  });

  it('rejects an unknown node type with union_tag_invalid at the node', () => {
    const g = valid();
    g.nodes.z = { id: 'z', type: 'zzz' };
    const [d, ...rest] = validateGraph(g);
    expect(rest).toEqual([]);
    expect(d!.type).toBe('union_tag_invalid');
    expect(d!.loc).toEqual(['body', 'batch', 'graph', 'nodes', 'z']);
    expect(d!.msg).toMatch(/^Input tag 'zzz' found using 'type' does not match any of the expected tags: 'add', /);
  });

  it('reports literal values that break enums and numeric constraints, located at the field', () => {
    const g: Graph = {
      nodes: {
        r: { id: 'r', type: 'img_resize', width: 0, resample_mode: 'sharp' },
        l: { id: 'l', type: 'img_lerp', max: 256 },
        n: { id: 'n', type: 'noise', width: 513 },
      },
      edges: [],
    };
    const detail = validateGraph(g);
    const byLoc = Object.fromEntries(detail.map((d) => [d.loc.slice(4).join('.'), d]));
    expect(byLoc['r.img_resize.width']).toMatchObject({ type: 'greater_than', msg: 'Input should be greater than 0', ctx: { gt: 0 } });
    expect(byLoc['r.img_resize.resample_mode']).toMatchObject({
      type: 'literal_error',
      msg: "Input should be 'nearest', 'box', 'bilinear', 'hamming', 'bicubic' or 'lanczos'",
    });
    expect(byLoc['l.img_lerp.max']).toMatchObject({ type: 'less_than_equal', msg: 'Input should be less than or equal to 255' });
    expect(byLoc['n.noise.width']).toMatchObject({ type: 'multiple_of', msg: 'Input should be a multiple of 8' });
  });

  it('checks node ids, edge endpoints and fields', () => {
    const mismatch = valid();
    mismatch.nodes.a = { id: 'other', type: 'integer' };
    expect(graphError(mismatch)).toBe('Value error, Node ids must match, got a and other');

    const missing = valid();
    missing.edges.push(edge('ghost', 'value', 'sum', 'a'));
    expect(graphError(missing)).toBe('Value error, Edge source node ghost does not exist in the graph');

    const badField = valid();
    badField.edges[0] = edge('a', 'nope', 'sum', 'a');
    expect(graphError(badField)).toBe('Value error, Edge source field nope does not exist in node a');

    const badDest = valid();
    badDest.edges[0] = edge('a', 'value', 'sum', 'c');
    expect(graphError(badDest)).toBe('Value error, Edge destination field c does not exist in node sum');
  });

  it('rejects cycles', () => {
    const g: Graph = {
      nodes: { x: { id: 'x', type: 'add' }, y: { id: 'y', type: 'add' } },
      edges: [edge('x', 'value', 'y', 'a'), edge('y', 'value', 'x', 'a')],
    };
    expect(graphError(g)).toBe('Value error, Graph contains cycles');
  });

  it('rejects two edges into one input, except collect.item', () => {
    const g = valid();
    g.edges.push(edge('b', 'value', 'sum', 'a'));
    expect(graphError(g)).toBe('Value error, Edge already exists (b.value -> sum.a)');
    const collect: Graph = {
      nodes: { a: { id: 'a', type: 'integer' }, b: { id: 'b', type: 'integer' }, c: { id: 'c', type: 'collect' } },
      edges: [edge('a', 'value', 'c', 'item'), edge('b', 'value', 'c', 'item')],
    };
    expect(validateGraph(collect)).toEqual([]);
  });

  it('rejects mismatched primitive edge types and iterators without a collection', () => {
    const g: Graph = { nodes: { s: { id: 's', type: 'string' }, m: { id: 'm', type: 'add' } }, edges: [edge('s', 'value', 'm', 'a')] };
    expect(graphError(g)).toBe('Value error, Edge source and target types do not match (s.value -> m.a)');
    const it2: Graph = { nodes: { i: { id: 'i', type: 'iterate' } }, edges: [] };
    expect(graphError(it2)).toBe('Value error, Invalid iterator node (i): Iterator must have a collection input edge');
  });

  it('marks batch and generator nodes for a plain-text 500', () => {
    const g = valid();
    g.nodes.batch = { id: 'batch', type: 'image_batch', images: [] };
    expect(validateGraph(g)).toEqual([expect.objectContaining({ type: NOT_EXECUTABLE_NODE_ERROR, loc: ['body', 'batch', 'graph', 'nodes', 'batch'] })]);
  });
});
