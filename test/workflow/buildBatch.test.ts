import { describe, expect, it } from 'vitest';
import { WITH_6_14 } from '../support/fieldTable.js';
import { zEnqueueBatchBody } from '../../src/schemas/graph.js';
import { batchDataFromNodes } from '../../src/workflow/batchData.js';
import { buildBatch } from '../../src/workflow/buildBatch.js';
import { buildEnqueueBody } from '../../src/workflow/buildEnqueueBody.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import { connector, edge, invocation, workflowJson } from './builders.js';
import { pyClientWorkflow } from './fixtures.js';

describe('buildBatch', () => {
  it('wraps the graph as the editor does: workflow minus id, runs, origin, destination', () => {
    const wf = pyClientWorkflow('flux-image-to-image').set(5, 'a cat');
    const batch = buildBatch(wf, { id: 'g' });
    expect(batch).toMatchObject({ runs: 1, origin: 'workflows', destination: 'gallery' });
    expect(batch.graph.id).toBe('g');
    expect(batch).not.toHaveProperty('data');
    expect(batch).not.toHaveProperty('batch_id');
    expect(batch.workflow).not.toHaveProperty('id');
    expect((wf.raw as any).id).toBe('4f79d152-dbdb-40ec-94b4-c05d061756b8');
    expect(batch.workflow).toMatchObject({ name: 'flux-image-to-image', meta: { version: '3.0.0' } });
    const encoder = (batch.workflow as any).nodes.find((n: any) => n.data.label === 'Positive Prompt - FLUX');
    expect(encoder.data.inputs.prompt.value).toBe('a cat');
  });

  it('honours its options', () => {
    const wf = pyClientWorkflow('copy-image');
    const data = [[{ node_path: 'node-save', field_name: 'image', items: [{ image_name: 'a.png' }, { image_name: 'b.png' }] }]];
    const batch = buildBatch(wf, { runs: 3, origin: 'script', destination: null, batch_id: 'b-1', includeWorkflow: false, data });
    expect(batch).toMatchObject({ runs: 3, origin: 'script', destination: null, batch_id: 'b-1', data });
    expect(batch).not.toHaveProperty('workflow');
    expect(() => buildBatch(wf, { runs: 0 })).toThrowError(TypeError);
    expect(() => buildBatch(wf, { runs: 1.5 })).toThrowError(/runs must be an integer/);
  });

  it('forwards graph warnings', () => {
    const wf = parseWorkflow(workflowJson({ nodes: [invocation('a', 'add', { a: 1, zzz: 2 })] }), WITH_6_14);
    const warnings: string[] = [];
    buildBatch(wf, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
  });

  it('builds a valid enqueue_batch body', () => {
    const body = buildEnqueueBody(pyClientWorkflow('sdxl-text-to-image'), { prepend: true });
    expect(Object.keys(body)).toEqual(['prepend', 'batch']);
    expect(body.prepend).toBe(true);
    expect(zEnqueueBatchBody.safeParse(body).success).toBe(true);
    expect(buildEnqueueBody(pyClientWorkflow('sdxl-text-to-image')).prepend).toBe(false);
  });
});

describe('batch data from batch nodes', () => {
  const nodes = () => [
    invocation('strings', 'string_batch', { strings: ['a', 'b', 'c'], batch_group_id: 'None' }),
    invocation('ints', 'integer_batch', { integers: [1, 2], batch_group_id: 'Group 1' }),
    invocation('floats', 'float_batch', { floats: [0.5, 0.7], batch_group_id: 'Group 1' }),
    invocation('images', 'image_batch', { images: [{ image_name: 'x.png' }], batch_group_id: 'None' }),
    connector('c'),
    invocation('join', 'string_join', { string_left: '', string_right: '' }),
    invocation('add', 'add', { a: 0, b: 0 }),
    invocation('mul', 'float_math', { a: 1, b: 1 }),
    invocation('blur', 'img_blur', {}),
  ];

  it('makes one inner list per ungrouped node (product) and one per group (zipped)', () => {
    const wf = parseWorkflow(
      workflowJson({
        nodes: nodes(),
        edges: [
          edge('strings', 'value', 'join', 'string_left'),
          edge('strings', 'value', 'c', 'in'),
          edge('c', 'out', 'join', 'string_right'),
          edge('ints', 'value', 'add', 'a'),
          edge('floats', 'value', 'mul', 'b'),
          edge('images', 'image', 'blur', 'image'),
        ],
      }), WITH_6_14
    );
    expect(batchDataFromNodes(wf)).toEqual([
      [
        { node_path: 'join', field_name: 'string_left', items: ['a', 'b', 'c'] },
        { node_path: 'join', field_name: 'string_right', items: ['a', 'b', 'c'] },
      ],
      [{ node_path: 'blur', field_name: 'image', items: [{ image_name: 'x.png' }] }],
      [
        { node_path: 'add', field_name: 'a', items: [1, 2] },
        { node_path: 'mul', field_name: 'b', items: [0.5, 0.7] },
      ],
    ]);
    const batch = buildBatch(wf);
    expect(batch.data).toHaveLength(3);
    expect(Object.keys(batch.graph.nodes).sort()).toEqual(['add', 'blur', 'join', 'mul']);
    expect(batch.graph.edges).toEqual([]);
  });

  it('rejects zipped lists of different lengths', () => {
    const n = nodes();
    (n[2] as any).data.inputs.floats.value = [0.1];
    const wf = parseWorkflow(workflowJson({ nodes: n, edges: [edge('ints', 'value', 'add', 'a'), edge('floats', 'value', 'mul', 'b')] }), WITH_6_14);
    expect(() => batchDataFromNodes(wf)).toThrowError(/"Group 1" are zipped and must have the same number of items, but have 2, 1/);
  });

  it('rejects generator-fed and empty batch nodes with an actionable message', () => {
    const fed = parseWorkflow(
      workflowJson({
        nodes: [invocation('gen', 'integer_generator', { generator: { type: 'integer_generator_arithmetic_sequence' } }), invocation('ints', 'integer_batch', { batch_group_id: 'None' }, { bare: ['integers'] }), invocation('add', 'add', {})],
        edges: [edge('gen', 'integers', 'ints', 'integers'), edge('ints', 'value', 'add', 'a')],
      }), WITH_6_14
    );
    expect(() => buildBatch(fed)).toThrowError(/takes its integers from generator node gen/);
    const empty = parseWorkflow(workflowJson({ nodes: [invocation('s', 'string_batch', { strings: [] }), invocation('j', 'string_join', {})], edges: [edge('s', 'value', 'j', 'string_left')] }), WITH_6_14);
    expect(() => buildBatch(empty)).toThrowError(/has no strings/);
  });
});
