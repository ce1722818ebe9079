import type { Graph, GraphNode } from '../../schemas/graph.js';
import type { FieldTableData, NodeSpec } from '../../workflow/fieldTable.js';
import { coerceFieldValue } from './checkFieldValue.js';

const NODE_ATTRIBUTES = new Set(['id', 'type', 'is_intermediate', 'use_cache']);

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * A node as the server's pydantic model dumps it: node attributes, then every input that has a
 * value (server defaults filled in, literals coerced, nulls and unknown keys dropped), then `type`.
 */
export function normalizeNode(node: GraphNode, spec: NodeSpec | undefined): GraphNode {
  if (!spec) return clone(node);
  const out: Record<string, unknown> = {
    id: node.id,
    is_intermediate: node.is_intermediate ?? false,
    use_cache: node.use_cache ?? spec.cache ?? true,
  };
  const raw = node as Record<string, unknown>;
  for (const [name, field] of Object.entries(spec.f)) {
    const value = raw[name] !== undefined ? raw[name] : field.d;
    if (value === undefined || value === null) continue;
    out[name] = clone(coerceFieldValue(field, value));
  }
  if (spec.extra) {
    for (const [k, v] of Object.entries(raw)) if (!(k in out) && !NODE_ATTRIBUTES.has(k) && v !== null && v !== undefined) out[k] = clone(v);
  }
  out.type = node.type;
  return out as GraphNode;
}

/** The graph as the server stores it after parsing `Batch.graph` (see {@link normalizeNode}). */
export function normalizeGraph(graph: Graph, table: FieldTableData): Graph & { id: string } {
  const nodes: Record<string, GraphNode> = {};
  for (const [id, node] of Object.entries(graph.nodes)) nodes[id] = normalizeNode(node, table.nodes[node.type]);
  return { id: graph.id ?? crypto.randomUUID(), nodes, edges: clone(graph.edges) };
}
