import { describe, expect, it } from 'vitest';
import { normalizeGraph, normalizeNode } from '../../../src/emulator/executor/normalizeGraph.js';
import type { GraphEdge, GraphNode } from '../../../src/schemas/graph.js';
import { buildGraph } from '../../../src/workflow/buildGraph.js';
import { DEFAULT_FIELD_TABLE } from '../../../src/workflow/fieldTable.js';
import { pyClientWorkflow, recordedItem } from '../../workflow/fixtures.js';

// The recorded GUI runs, with the auto-add board the GUI had selected (see buildGraph.golden).
const RECORDINGS = [
  { workflow: 'sdxl-text-to-image', autoAddBoardId: null },
  { workflow: 'flux-image-to-image', autoAddBoardId: null },
  { workflow: 'sdxl-flux-refine', autoAddBoardId: 'abf4afa1-5797-48a0-8e4c-f072b51f2151' },
] as const;

// Inputs the field table's server version declares and the recording server did not have yet:
// the normaliser fills their defaults, the recordings cannot show them.
const NEWER_INPUTS: Record<string, readonly string[]> = {
  noise: ['noise_type'],
  denoise_latents: ['hidiffusion', 'hidiffusion_raunet', 'hidiffusion_window_attn', 'hidiffusion_t1_ratio', 'hidiffusion_t2_ratio'],
  denoise_latents_meta: ['hidiffusion', 'hidiffusion_raunet', 'hidiffusion_window_attn', 'hidiffusion_t1_ratio', 'hidiffusion_t2_ratio'],
  flux_denoise_meta: ['scheduler', 'dype_preset'],
};

const edgeKey = (e: GraphEdge) => JSON.stringify([e.source.node_id, e.source.field, e.destination.node_id, e.destination.field]);

function withoutNewerInputs(node: GraphNode): Record<string, unknown> {
  const newer = NEWER_INPUTS[node.type] ?? [];
  return Object.fromEntries(Object.entries(node).filter(([k]) => !newer.includes(k)));
}

describe('normalizeGraph turns the graph the client sends into the graph the server stored', () => {
  describe.each(RECORDINGS)('$workflow', ({ workflow, autoAddBoardId }) => {
    const recorded = recordedItem(workflow).session.graph as { id: string; nodes: Record<string, GraphNode>; edges: GraphEdge[] };
    const { graph: sent } = buildGraph(pyClientWorkflow(workflow), { autoAddBoardId });
    const stored = normalizeGraph({ ...sent, id: recorded.id });

    it('is not vacuous: the client omits inputs the server stores', () => {
      const omitted = Object.entries(recorded.nodes).flatMap(([id, n]) => Object.keys(n).filter((k) => !(k in sent.nodes[id]!)));
      expect(omitted.length).toBeGreaterThan(0);
    });

    it('stores the recorded nodes: same ids, values and key order', () => {
      expect(Object.keys(stored.nodes).sort()).toEqual(Object.keys(recorded.nodes).sort());
      for (const [id, node] of Object.entries(stored.nodes)) {
        const actual = withoutNewerInputs(node);
        expect({ id, node: actual }).toEqual({ id, node: recorded.nodes[id] });
        expect({ id, keys: Object.keys(actual) }).toEqual({ id, keys: Object.keys(recorded.nodes[id]!) });
      }
    });

    it('fills the inputs newer than the recording with the server defaults', () => {
      for (const node of Object.values(stored.nodes)) {
        for (const key of NEWER_INPUTS[node.type] ?? []) {
          expect(recorded.nodes[node.id]).not.toHaveProperty(key);
          expect({ type: node.type, key, value: (node as Record<string, unknown>)[key] }).toEqual({
            type: node.type,
            key,
            value: DEFAULT_FIELD_TABLE.nodes[node.type]!.f[key]!.d,
          });
        }
      }
    });

    it('stores the recorded edges and keeps the graph id', () => {
      expect(stored.edges.map(edgeKey).sort()).toEqual(recorded.edges.map(edgeKey).sort());
      expect(stored.edges).toHaveLength(recorded.edges.length);
      expect(stored.id).toBe(recorded.id);
    });

    it('is idempotent: normalising the stored graph changes nothing', () => {
      expect(JSON.stringify(normalizeGraph(stored))).toBe(JSON.stringify(stored));
    });
  });
});

describe('normalizeNode', () => {
  const spec = DEFAULT_FIELD_TABLE.nodes.add!;

  it('drops nulls (pydantic keeps None, exclude_none drops it) instead of filling the default', () => {
    expect(normalizeNode({ id: 'n', type: 'add', a: null, b: 2 } as GraphNode, spec)).toEqual({ id: 'n', is_intermediate: false, use_cache: true, b: 2, type: 'add' });
  });

  it('coerces literals as pydantic does and drops unknown keys', () => {
    expect(normalizeNode({ id: 'n', type: 'add', a: '4', junk: 1 } as unknown as GraphNode, spec)).toEqual({
      id: 'n',
      is_intermediate: false,
      use_cache: true,
      a: 4,
      b: 0,
      type: 'add',
    });
  });

  it('leaves nodes of unknown types as they are', () => {
    const node = { id: 'x', type: 'not_a_node', anything: [1] } as unknown as GraphNode;
    expect(normalizeNode(node, undefined)).toEqual(node);
  });
});
