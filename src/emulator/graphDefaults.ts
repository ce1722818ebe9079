import type { Graph, GraphNode } from '../schemas/graph.js';
import { DEFAULT_FIELD_TABLE, type FieldTableData } from '../workflow/fieldTable.js';

/**
 * The graph as the server stores it after pydantic parsed it and dumped it with
 * `exclude_none=True`: every node gets `is_intermediate`, `use_cache` and each declared input's
 * non-null default (connected inputs included), unknown keys are dropped (except on nodes that
 * allow extras, like `core_metadata`), and null values disappear. Key order follows the recorded
 * queue items: `id`, `is_intermediate`, `use_cache`, the inputs, `type`.
 */
export function storedGraph(graph: Graph, table: FieldTableData = DEFAULT_FIELD_TABLE): Graph & { id: string } {
  const nodes: Record<string, GraphNode> = {};
  for (const [key, node] of Object.entries(graph.nodes)) nodes[key] = storedNode(node, table);
  return { id: graph.id ?? crypto.randomUUID(), nodes, edges: graph.edges.map((e) => structuredClone(e)) };
}

function storedNode(node: GraphNode, table: FieldTableData): GraphNode {
  const spec = table.nodes[node.type];
  if (!spec) return structuredClone(node);
  const out: Record<string, unknown> = {
    id: node.id,
    is_intermediate: node.is_intermediate ?? false,
    use_cache: node.use_cache ?? spec.cache !== false,
  };
  for (const [field, f] of Object.entries(spec.f)) {
    const v = (node as Record<string, unknown>)[field];
    if (v !== undefined && v !== null) out[field] = structuredClone(v);
    else if (f.d !== undefined) out[field] = structuredClone(f.d);
  }
  if (spec.extra)
    for (const [k, v] of Object.entries(node)) if (!(k in out) && k !== 'type' && v !== null && v !== undefined) out[k] = structuredClone(v);
  out.type = node.type;
  return out as GraphNode;
}
