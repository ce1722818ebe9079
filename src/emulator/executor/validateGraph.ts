import type { Graph, GraphEdge } from '../../schemas/graph.js';
import type { FieldSpec, FieldTableData } from '../../workflow/fieldTable.js';
import { DEFAULT_FIELD_TABLE } from '../../workflow/fieldTable.js';
import { checkFieldValue, type FieldError } from './checkFieldValue.js';

/**
 * `type` of the detail entry returned for a graph containing a batch or generator node. The real
 * server does not answer 422 there: the node's `__init__` raises `TypeError` during body
 * validation and FastAPI answers a bare plain-text `500 Internal Server Error`. A server should
 * map an entry of this type to exactly that response.
 */
export const NOT_EXECUTABLE_NODE_ERROR = 'not_executable_node' as const;

const NODE_ATTRIBUTES = ['id', 'type', 'is_intermediate', 'use_cache'];
const GRAPH_LOC = ['body', 'batch', 'graph'];

export function isBatchOrGeneratorType(type: string, table: FieldTableData = DEFAULT_FIELD_TABLE): boolean {
  return /_(batch|generator)$/.test(type) && table.nodes[type]?.cat === 'batch';
}

export function edgeToString(edge: GraphEdge): string {
  return `${edge.source.node_id}.${edge.source.field} -> ${edge.destination.node_id}.${edge.destination.field}`;
}

// Compatibility of the kinds a conservative check can be sure about (pydantic casts int→float/str, float→str).
const PRIMITIVE_TARGETS: Record<string, readonly string[]> = {
  integer: ['integer', 'float', 'string'],
  float: ['float', 'string'],
  string: ['string'],
  boolean: ['boolean'],
  image: ['image'],
};

function edgeTypesClash(outType: string | undefined, input: FieldSpec | undefined): boolean {
  if (!outType || !input) return false;
  const targets = PRIMITIVE_TARGETS[outType];
  if (targets && input.k in PRIMITIVE_TARGETS) return !targets.includes(input.k);
  const listOf = /^list\[(\w+)\]$/.exec(outType)?.[1];
  if (listOf && listOf in PRIMITIVE_TARGETS && input.k in PRIMITIVE_TARGETS && !input.list) return true;
  return false;
}

function graphError(message: string, graph: Graph): FieldError {
  return { type: 'value_error', loc: GRAPH_LOC, msg: `Value error, ${message}`, input: graph, ctx: { error: {} } };
}

/**
 * Validates a graph as `enqueue_batch` does: first every node against its invocation model
 * (unknown `type` → `union_tag_invalid`; literal values breaking enums or numeric constraints →
 * pydantic errors located at `[..., "nodes", id, type, field]`), then, only if all nodes parse,
 * `Graph.validate_self()` whose first failure is one `value_error` at `["body","batch","graph"]`.
 * Returns FastAPI 422 `detail` entries; empty when valid. See {@link NOT_EXECUTABLE_NODE_ERROR}.
 */
export function validateGraph(graph: Graph, table: FieldTableData = DEFAULT_FIELD_TABLE): FieldError[] {
  const errors: FieldError[] = [];
  const tags = Object.keys(table.nodes)
    .sort()
    .map((t) => `'${t}'`)
    .join(', ');
  for (const [key, node] of Object.entries(graph.nodes)) {
    const loc = [...GRAPH_LOC, 'nodes', key];
    if (typeof node?.type !== 'string') {
      errors.push({ type: 'union_tag_not_found', loc, msg: "Unable to extract tag using discriminator 'type'", input: node, ctx: { discriminator: "'type'" } });
      continue;
    }
    const spec = table.nodes[node.type];
    if (!spec) {
      errors.push({
        type: 'union_tag_invalid',
        loc,
        msg: `Input tag '${node.type}' found using 'type' does not match any of the expected tags: ${tags}`,
        input: node,
        ctx: { discriminator: "'type'", tag: node.type, expected_tags: tags },
      });
      continue;
    }
    if (isBatchOrGeneratorType(node.type, table)) {
      errors.push({ type: NOT_EXECUTABLE_NODE_ERROR, loc, msg: 'Internal Server Error', input: node });
      continue;
    }
    if (typeof node.id !== 'string') errors.push({ type: 'missing', loc: [...loc, node.type, 'id'], msg: 'Field required', input: node });
    for (const [name, field] of Object.entries(spec.f)) {
      const err = checkFieldValue(field, (node as Record<string, unknown>)[name], [...loc, node.type, name]);
      if (err) errors.push(err);
    }
  }
  if (errors.length > 0) {
    const fatal = errors.find((e) => e.type === NOT_EXECUTABLE_NODE_ERROR);
    return fatal ? [fatal] : errors;
  }
  const selfError = validateSelf(graph, table);
  return selfError ? [graphError(selfError, graph)] : [];
}

/** `Graph.validate_self()`: the message of the first failing check, or null. */
export function validateSelf(graph: Graph, table: FieldTableData = DEFAULT_FIELD_TABLE): string | null {
  const nodes = graph.nodes;
  // Keys of a JSON object are unique, so duplicates can only show as two keys naming the same id.
  const ids = Object.values(nodes).map((n) => n.id);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length > 0) return `Node ids must be unique, found duplicates {${[...new Set(dup)].map((d) => `'${d}'`).join(', ')}}`;
  for (const [key, node] of Object.entries(nodes)) if (key !== node.id) return `Node ids must match, got ${key} and ${node.id}`;
  for (const edge of graph.edges) {
    const source = nodes[edge.source.node_id];
    if (!source) return `Edge source node ${edge.source.node_id} does not exist in the graph`;
    const destination = nodes[edge.destination.node_id];
    if (!destination) return `Edge destination node ${edge.destination.node_id} does not exist in the graph`;
    const sourceSpec = table.nodes[source.type]!;
    const outputs = sourceSpec.out ? table.outputs[sourceSpec.out]?.f : undefined;
    if (!outputs || !(edge.source.field in outputs))
      return `Edge source field ${edge.source.field} does not exist in node ${edge.source.node_id}`;
    const destSpec = table.nodes[destination.type]!;
    if (!(edge.destination.field in destSpec.f) && !NODE_ATTRIBUTES.includes(edge.destination.field))
      return `Edge destination field ${edge.destination.field} does not exist in node ${edge.destination.node_id}`;
  }
  if (hasCycle(graph)) return 'Graph contains cycles';
  for (const edge of graph.edges) {
    const sourceSpec = table.nodes[nodes[edge.source.node_id]!.type]!;
    const outType = table.outputs[sourceSpec.out!]!.f[edge.source.field];
    const input = table.nodes[nodes[edge.destination.node_id]!.type]!.f[edge.destination.field];
    if (edgeTypesClash(outType, input)) return `Edge source and target types do not match (${edgeToString(edge)})`;
  }
  const seen = new Set<string>();
  for (const edge of graph.edges) {
    const dest = nodes[edge.destination.node_id]!;
    const k = `${edge.destination.node_id}\u0000${edge.destination.field}`;
    if (seen.has(k) && !(dest.type === 'collect' && edge.destination.field === 'item')) return `Edge already exists (${edgeToString(edge)})`;
    seen.add(k);
  }
  for (const node of Object.values(nodes)) {
    const inputs = graph.edges.filter((e) => e.destination.node_id === node.id);
    if (node.type === 'iterate') {
      const coll = inputs.filter((e) => e.destination.field === 'collection');
      if (coll.length === 0) return `Invalid iterator node (${node.id}): Iterator must have a collection input edge`;
      if (coll.length > 1) return `Invalid iterator node (${node.id}): Iterator may only have one input edge`;
      const srcNode = nodes[coll[0]!.source.node_id]!;
      const srcSpec = table.nodes[srcNode.type]!;
      const t = table.outputs[srcSpec.out!]!.f[coll[0]!.source.field]!;
      if (!t.startsWith('list[')) return `Invalid iterator node (${node.id}): Iterator input must be a collection`;
    }
    if (node.type === 'collect') {
      const any = inputs.some((e) => e.destination.field === 'item' || e.destination.field === 'collection');
      if (!any) return `Invalid collector node (${node.id}): Collector must have at least one item or collection input edge`;
    }
  }
  return null;
}

function hasCycle(graph: Graph): boolean {
  const children = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = children.get(e.source.node_id) ?? [];
    list.push(e.destination.node_id);
    children.set(e.source.node_id, list);
  }
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): boolean => {
    const s = state.get(id);
    if (s === 1) return true;
    if (s === 2) return false;
    state.set(id, 1);
    for (const c of children.get(id) ?? []) if (visit(c)) return true;
    state.set(id, 2);
    return false;
  };
  return Object.keys(graph.nodes).some((id) => visit(id));
}
