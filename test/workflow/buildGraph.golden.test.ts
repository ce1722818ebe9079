import { describe, expect, it } from 'vitest';
import { TABLE_6_14, WITH_6_14 } from '../support/fieldTable.js';
import { buildGraph } from '../../src/workflow/buildGraph.js';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import { listWorkflowFiles, pyClientWorkflow, recordedItem, STALE_WORKFLOWS } from './fixtures.js';

const edgeKey = (e: { source: { node_id: string; field: string }; destination: { node_id: string; field: string } }) =>
  `${e.source.node_id}.${e.source.field} -> ${e.destination.node_id}.${e.destination.field}`;

// Each recorded GUI run, with the auto-add board the GUI had selected at the time (visible on the
// recorded intermediate nodes whose board input was "auto"; none for the other two runs).
const RECORDINGS = [
  { workflow: 'sdxl-text-to-image', item: 'sdxl-text-to-image', autoAddBoardId: null },
  { workflow: 'quick-sdxl-text-to-image', item: 'sdxl-text-to-image', autoAddBoardId: null },
  { workflow: 'flux-image-to-image', item: 'flux-image-to-image', autoAddBoardId: null },
  { workflow: 'sdxl-flux-refine', item: 'sdxl-flux-refine', autoAddBoardId: 'abf4afa1-5797-48a0-8e4c-f072b51f2151' },
] as const;

describe('buildGraph against graphs recorded from a real InvokeAI', () => {
  describe.each(RECORDINGS)('$workflow', ({ workflow, item, autoAddBoardId }) => {
    const recorded = recordedItem(item).session.graph as { nodes: Record<string, Record<string, unknown>>; edges: any[] };
    const { graph, warnings } = buildGraph(pyClientWorkflow(workflow), { autoAddBoardId });

    it('has the same node ids and types', () => {
      expect(warnings).toEqual([]);
      const types = (nodes: Record<string, { type?: unknown }>) =>
        Object.fromEntries(Object.entries(nodes).map(([id, n]) => [id, n.type]));
      expect(types(graph.nodes)).toEqual(types(recorded.nodes));
    });

    it('has the same edge set', () => {
      expect(graph.edges.map(edgeKey).sort()).toEqual(recorded.edges.map(edgeKey).sort());
      expect(new Set(graph.edges.map(edgeKey)).size).toBe(graph.edges.length);
    });

    it('sends exactly the recorded value for every key it sends', () => {
      for (const [id, node] of Object.entries(graph.nodes)) {
        for (const [key, value] of Object.entries(node)) {
          expect({ id, key, value }).toEqual({ id, key, value: recorded.nodes[id]![key] });
        }
      }
    });

    it('omits only keys whose recorded value is the server default', () => {
      let omitted = 0;
      for (const [id, stored] of Object.entries(recorded.nodes)) {
        const sent = graph.nodes[id]!;
        const spec = TABLE_6_14.nodes[sent.type]!;
        for (const [key, value] of Object.entries(stored)) {
          if (key in sent) continue;
          omitted++;
          expect(spec.f[key], `${id}.${key} is a declared input`).toBeDefined();
          expect({ id, key, value }).toEqual({ id, key, value: spec.f[key]!.d });
        }
      }
      expect(omitted).toBeGreaterThan(0);
    });

    it('omits every input an edge feeds', () => {
      for (const e of graph.edges) expect(graph.nodes[e.destination.node_id]).not.toHaveProperty(e.destination.field);
    });
  });

  it('omits the stale literals of edge-fed inputs, as the GUI did (neg_cond prompt "naked")', () => {
    const { graph } = buildGraph(pyClientWorkflow('sdxl-text-to-image'));
    expect(graph.nodes['neg_cond:5ZtbrHJgrO']).not.toHaveProperty('prompt');
    expect(graph.nodes['core_metadata:gSiDdR3ubW']).not.toHaveProperty('negative_prompt');
    expect(graph.nodes['core_metadata:gSiDdR3ubW']).toHaveProperty('negative_style_prompt');
  });
});

describe('every fixture workflow', () => {
  it.each(listWorkflowFiles())('%s parses, lists inputs and builds', (name, path) => {
    const wf = loadWorkflowFile(path, WITH_6_14);
    expect(wf.warnings).toEqual([]);
    expect(wf.inputs.every((input, i) => input.index === i)).toBe(true);
    const raw = wf.raw as { nodes: { type: string; data: { type?: string } }[] };
    const executable = raw.nodes.filter((n) => n.type === 'invocation' && TABLE_6_14.nodes[n.data.type!]);

    if (STALE_WORKFLOWS.has(name)) {
      expect(() => buildGraph(wf)).toThrow(expect.objectContaining({ name: 'UnknownNodeTypeError', nodeType: 'canny_image_processor' }));
      const { graph, warnings } = buildGraph(wf, { unknownNodeTypes: 'drop' });
      expect(warnings.join('\n')).toContain('canny_image_processor');
      expect(Object.keys(graph.nodes)).toHaveLength(executable.length);
      expect(Object.keys(graph.nodes)).toHaveLength(raw.nodes.length - 1);
    } else {
      const { graph } = buildGraph(wf);
      expect(Object.keys(graph.nodes).sort()).toEqual(executable.map((n: any) => n.id).sort());
      for (const e of graph.edges) {
        expect(graph.nodes[e.source.node_id]).toBeDefined();
        expect(graph.nodes[e.destination.node_id]).toBeDefined();
      }
    }
  });

  it('lists the legacy exposedFields of form-less default workflows, as the editor does', () => {
    const wf = loadWorkflowFile(listWorkflowFiles().find(([n]) => n.endsWith('Text to Image - SDXL.json'))![1], WITH_6_14);
    expect(wf.formSource).toBe('exposedFields');
    const exposed = (wf.raw as { exposedFields: { nodeId: string; fieldName: string }[] }).exposedFields;
    expect(wf.inputs.map((i) => [i.nodeId, i.fieldName])).toEqual(exposed.map((f) => [f.nodeId, f.fieldName]));
  });

  it('walks the form from rootElementId (CogView4 has a non-"root" root)', () => {
    const wf = loadWorkflowFile(listWorkflowFiles().find(([n]) => n.endsWith('CogView4_TextToImage.json'))![1], WITH_6_14);
    expect(wf.formSource).toBe('form');
    expect(wf.inputs.map((i) => i.fieldName)).toEqual(['prompt', 'prompt', 'model']);
  });
});
