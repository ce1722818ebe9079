import type { Graph, GraphNode } from '../../schemas/graph.js';
import { DEFAULT_FIELD_TABLE, type FieldTableData, type NodeSpec } from '../../workflow/fieldTable.js';
import { coerceFieldValue } from './checkFieldValue.js';

const NODE_ATTRIBUTES = new Set(['id', 'type', 'is_intermediate', 'use_cache']);

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * A node as the server's pydantic model dumps it (`exclude_none=True`): every declared input
 * that has a value, with the server default filled in where the client sent none (edge-fed inputs
 * included), literals coerced, and nulls and unknown keys dropped (except on nodes that allow
 * extras, like `core_metadata`).
 *
 * Keys come in the model's field order, which the recorded queue items show: the mixin inputs
 * (`board`, `metadata`, the `internal` ones) come before the node attributes `id`,
 * `is_intermediate`, `use_cache`, then the node's own inputs, then `type`.
 */
export function normalizeNode(node: GraphNode, spec: NodeSpec | undefined): GraphNode {
  if (!spec) return clone(node);
  const raw = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const put = (name: string): void => {
    const field = spec.f[name]!;
    const value = raw[name] !== undefined ? raw[name] : field.d;
    if (value !== undefined && value !== null) out[name] = clone(coerceFieldValue(field, value));
  };
  const fields = Object.keys(spec.f);
  for (const name of fields) if (spec.f[name]!.internal) put(name);
  out.id = node.id;
  out.is_intermediate = node.is_intermediate ?? false;
  out.use_cache = node.use_cache ?? spec.cache ?? true;
  for (const name of fields) if (!spec.f[name]!.internal) put(name);
  if (spec.extra) {
    for (const [k, v] of Object.entries(raw)) if (!(k in out) && !NODE_ATTRIBUTES.has(k) && v !== null && v !== undefined) out[k] = clone(v);
  }
  out.type = node.type;
  return out as GraphNode;
}

/**
 * The graph as the server stores it after parsing `Batch.graph` (see {@link normalizeNode}): what
 * `enqueue_batch` stores and echoes, and what the executor runs.
 */
export function normalizeGraph(graph: Graph, table: FieldTableData = DEFAULT_FIELD_TABLE): Graph & { id: string } {
  const nodes: Record<string, GraphNode> = {};
  for (const [id, node] of Object.entries(graph.nodes)) nodes[id] = normalizeNode(node, table.nodes[node.type]);
  return { id: graph.id ?? crypto.randomUUID(), nodes, edges: clone(graph.edges) };
}
