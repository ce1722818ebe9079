import { describe, expect, it } from 'vitest';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import { form, invocation, workflowJson } from './builders.js';
import { FIXTURES, readJson } from './fixtures.js';

/** Matches a thrown WorkflowParseError with the given properties. */
const parseError = (properties: Record<string, unknown>) => expect.objectContaining({ name: 'WorkflowParseError', ...properties });
const twoStrings = () => [invocation('s1', 'string', { value: 'a' }), invocation('s2', 'string', { value: 'b' })];

describe('parseWorkflow', () => {
  it('reports invalid JSON with the source', () => {
    expect(() => parseWorkflow('{"nodes": [', { source: 'broken.json' })).toThrow(
      parseError({ source: 'broken.json', message: expect.stringMatching(/^Cannot read workflow broken\.json: not valid JSON/) }),
    );
  });

  it('reports structural problems with their JSON path', () => {
    const noNodes = { ...workflowJson({ nodes: [] }), nodes: undefined };
    expect(() => parseWorkflow(noNodes)).toThrow(parseError({ path: 'nodes' }));
    const badNode = workflowJson({ nodes: [{ id: 'x', type: 'invocation', data: { type: 'add' } }] });
    expect(() => parseWorkflow(badNode, { source: 'wf.json' })).toThrow(
      parseError({ path: 'nodes[0].data.inputs', message: expect.stringContaining('wf.json at nodes[0].data.inputs: missing') }),
    );
  });

  it('accepts meta.version 1.x to 4.x and rejects others', () => {
    for (const version of ['1.0.0', '2.0.0', '3.0.0', '4.0.0', '4.1.2']) {
      expect(parseWorkflow({ ...workflowJson({ nodes: [] }), meta: { version } }).inputs).toEqual([]);
    }
    for (const version of ['5.0.0', 'x']) {
      expect(() => parseWorkflow({ ...workflowJson({ nodes: [] }), meta: { version } })).toThrow(parseError({ path: 'meta.version' }));
    }
  });

  it('rejects duplicate node ids', () => {
    expect(() => parseWorkflow(workflowJson({ nodes: [invocation('a', 'add'), invocation('a', 'sub')] }))).toThrow(parseError({ path: 'nodes[1].id' }));
  });

  it('tolerates unknown keys and keeps the JSON as given, deep-frozen and detached from the caller', () => {
    const json = { ...workflowJson({ nodes: twoStrings() }), is_published: false, futureKey: { deep: [1] } };
    const wf = parseWorkflow(json);
    expect(wf.raw).toEqual(json);
    expect(wf.raw).not.toBe(json);
    expect(Object.isFrozen((wf.raw as any).futureKey.deep)).toBe(true);
    expect(Object.isFrozen(json.futureKey.deep)).toBe(false);
    expect(Object.isFrozen((wf.json.nodes[0] as any).data.inputs.value)).toBe(true);
    expect((wf.json as any).futureKey).toEqual({ deep: [1] });
  });

  it('warns about edges to nodes that do not exist', () => {
    const wf = parseWorkflow(workflowJson({ nodes: twoStrings(), edges: [{ type: 'default', source: 'ghost', sourceHandle: 'value', target: 's1', targetHandle: 'value' }] }));
    expect(wf.warnings).toEqual(['edges[0] references node "ghost", which the workflow does not have; ignored']);
  });
});

describe('form discovery', () => {
  const withForm = (f: unknown, exposedFields: unknown[] = []) => parseWorkflow(workflowJson({ nodes: twoStrings(), form: f, exposedFields }));
  const good = () => form([['s2', 'value'], ['s1', 'value']]);

  it('walks node-fields depth-first in children order, skipping headings, text and dividers', () => {
    const f = {
      rootElementId: 'top',
      elements: {
        top: { id: 'top', type: 'container', data: { layout: 'column', children: ['h', 'row', 'd', 'f1'] } },
        h: { id: 'h', type: 'heading', parentId: 'top', data: { content: 'Title' } },
        row: { id: 'row', type: 'container', parentId: 'top', data: { layout: 'row', children: ['f2', 't'] } },
        f2: { id: 'f2', type: 'node-field', parentId: 'row', data: { fieldIdentifier: { nodeId: 's2', fieldName: 'value' } } },
        t: { id: 't', type: 'text', parentId: 'row', data: { content: 'x' } },
        d: { id: 'd', type: 'divider', parentId: 'top' },
        f1: { id: 'f1', type: 'node-field', parentId: 'top', data: { fieldIdentifier: { nodeId: 's1', fieldName: 'value' } } },
      },
    };
    const wf = withForm(f);
    expect(wf.warnings).toEqual([]);
    expect(wf.inputs.map((i) => i.nodeId)).toEqual(['s2', 's1']);
  });

  const broken: [string, (f: any) => void, RegExp][] = [
    ['root missing', (f) => (f.rootElementId = 'nope'), /root element "nope" is missing/],
    ['cycle', (f) => {
      f.elements.inner = { id: 'inner', type: 'container', parentId: 'root', data: { layout: 'row', children: ['root'] } };
      f.elements.root.data.children.push('inner');
    }, /root element "root" has a parentId|reached twice/],
    ['cycle below the root', (f) => {
      f.elements.a = { id: 'a', type: 'container', parentId: 'b', data: { layout: 'row', children: ['b'] } };
      f.elements.b = { id: 'b', type: 'container', parentId: 'a', data: { layout: 'row', children: ['a'] } };
    }, /not reachable from the root/],
    ['child missing', (f) => f.elements.root.data.children.push('ghost'), /lists missing child "ghost"/],
    ['parent mismatch', (f) => (f.elements['node-field-0'].parentId = 'elsewhere'), /its parentId is "elsewhere"/],
    ['unreachable element', (f) => (f.elements.orphan = { id: 'orphan', type: 'divider', parentId: 'root' }), /"orphan" not reachable/],
    ['root not a container', (f) => (f.rootElementId = 'node-field-0'), /not a container/],
    ['malformed element', (f) => (f.elements['node-field-0'].data = {}), /fieldIdentifier/],
  ];

  it.each(broken)('replaces an invalid form (%s) by the default one, with a warning', (_, breakIt, reason) => {
    const f = good();
    breakIt(f);
    const wf = withForm(f);
    expect(wf.inputs).toEqual([]);
    expect(wf.warnings).toHaveLength(1);
    expect(wf.warnings[0]).toMatch(reason);
    expect(wf.warnings[0]).toContain('replaced by the default empty form');
    expect(() => parseWorkflow(workflowJson({ nodes: twoStrings(), form: f }), { onInvalidForm: 'error', source: 'x.json' })).toThrow(
      expect.objectContaining({ name: 'FormError', message: expect.stringMatching(reason) }),
    );
  });

  it('falls back to exposedFields when the (replaced) form is empty, as the editor does', () => {
    const f = good();
    f.rootElementId = 'nope';
    const wf = withForm(f, [{ nodeId: 's1', fieldName: 'value' }]);
    expect(wf.formSource).toBe('exposedFields');
    expect(wf.inputs.map((i) => i.nodeId)).toEqual(['s1']);
    expect(withForm(undefined, [{ nodeId: 's2', fieldName: 'value' }, { nodeId: 's1', fieldName: 'value' }]).inputs.map((i) => i.nodeId)).toEqual(['s2', 's1']);
  });

  it('ignores exposedFields when the form has fields', () => {
    const wf = withForm(good(), [{ nodeId: 's1', fieldName: 'value' }]);
    expect(wf.formSource).toBe('form');
    expect(wf.inputs.map((i) => i.nodeId)).toEqual(['s2', 's1']);
  });

  it('skips form fields and exposed fields whose node or input is gone, with a warning, without consuming an index', () => {
    const wf = withForm(form([['s1', 'value'], ['ghost', 'value'], ['s2', 'nope'], ['s2', 'value']]));
    expect(wf.inputs.map((i) => [i.index, i.nodeId])).toEqual([[0, 's1'], [1, 's2']]);
    expect(wf.warnings).toEqual([
      'form element "node-field-1" references node "ghost", which the workflow does not have; skipped',
      'form element "node-field-2" references input "nope" of node "s2", which that node does not have; skipped',
    ]);
    const exposed = withForm(undefined, [{ nodeId: 'ghost', fieldName: 'value' }, { nodeId: 's2', fieldName: 'value' }]);
    expect(exposed.inputs.map((i) => i.nodeId)).toEqual(['s2']);
    expect(exposed.warnings[0]).toContain('exposedFields[0]');
  });
});

describe('loadWorkflowFile', () => {
  it('reads a file and names it in errors', () => {
    const path = `${FIXTURES}workflows/py-client/copy-image.json`;
    const wf = loadWorkflowFile(path);
    expect(wf.source).toBe(path);
    expect(wf.raw).toEqual(readJson('workflows/py-client/copy-image.json'));
    expect(() => loadWorkflowFile(`${FIXTURES}workflows/nope.json`)).toThrow(parseError({ message: expect.stringContaining('nope.json: no such file') }));
    expect(() => loadWorkflowFile(`${FIXTURES}workflows`)).toThrow(parseError({ problem: expect.stringContaining('directory') }));
  });
});
