import { UnknownNodeTypeError } from '../errors/UnknownNodeTypeError.js';
import type { Graph, GraphEdge, GraphNode } from '../schemas/graph.js';
import { MissingFieldTableError } from '../errors/MissingFieldTableError.js';
import type { FieldTableData } from './fieldTableTypes.js';
import { isDataEdge, resolveConnectorSource } from './graphTopology.js';
import { BATCH_NODE_TYPES, GENERATOR_NODE_TYPES, SAVED_WORKFLOW_INPUT_PREFIX } from './nodeTypes.js';
import type { Workflow } from './Workflow.js';
import type { InvocationNode, WorkflowNode } from './workflowSchema.js';
import { randomUUID } from '../util/randomUUID.js';

export interface BuildGraphOptions {
  /**
   * Invocation table of the target server (`client.app.fieldTable()`).
   * @default the workflow's table (`parseWorkflow`'s `fieldTable`, or the server's once a run bound it)
   */
  fieldTable?: FieldTableData;
  /**
   * Nodes whose type the table lacks: `'error'` throws `UnknownNodeTypeError`; `'drop'` skips the
   * node and its edges with a warning, as the editor does (downstream inputs then lack a value).
   * @default 'error'
   */
  unknownNodeTypes?: 'error' | 'drop';
  /**
   * Board that `board` inputs set to `'auto'` (or left empty) resolve to — the editor's auto-add
   * board. `null` or `'none'` leaves them unset, so images go to "Uncategorized".
   * @default null
   */
  autoAddBoardId?: string | null;
  /** Graph id. @default a random UUID (as the editor does) */
  id?: string;
}

export interface BuiltGraph {
  graph: Graph;
  /** What was dropped or adjusted, one sentence each. */
  warnings: string[];
}

/**
 * Converts a workflow into the graph the InvokeAI editor would enqueue (its `buildNodesGraph`):
 *
 * - only executable invocation nodes: notes, connectors, batch and generator nodes are dropped;
 * - each node is `{id, type, ...input values, use_cache, is_intermediate}`; `null` values are left
 *   out like absent ones (the server fills its defaults);
 * - `board` inputs: `'auto'`/empty → `autoAddBoardId` (or unset), `'none'` → unset, a plain id → `{board_id}`;
 * - inputs the invocation does not declare are dropped with a warning, except on nodes that accept
 *   extra fields (`core_metadata`); connection-only inputs never carry a literal;
 * - `call_saved_workflow` dynamic inputs are folded into `workflow_inputs`;
 * - only data (non-collapsed) edges between kept nodes, connectors resolved through chains,
 *   duplicates and edges missing a handle removed;
 * - every input an edge feeds is omitted from its node.
 *
 * @throws UnknownNodeTypeError for node types the table lacks (unless `unknownNodeTypes: 'drop'`).
 * @throws MissingFieldTableError when neither the options nor the workflow have a table.
 */
export function buildGraph(wf: Workflow, options: BuildGraphOptions = {}): BuiltGraph {
  const table = options.fieldTable ?? wf.fieldTable;
  if (!table) throw new MissingFieldTableError({ workflow: wf.name || wf.source, operation: 'buildGraph' });
  const autoBoard = options.autoAddBoardId === 'none' ? null : (options.autoAddBoardId ?? null);
  const warnings: string[] = [];
  const { nodes: workflowNodes, edges: workflowEdges } = wf.json;
  const byId = new Map<string, WorkflowNode>(workflowNodes.map((n) => [n.id, n]));

  const unknown = workflowNodes.filter(
    (n): n is InvocationNode => n.type === 'invocation' && !table.nodes[n.data.type] && !isBatchOrGenerator(n),
  );
  if (unknown.length && options.unknownNodeTypes !== 'drop') {
    throw new UnknownNodeTypeError({
      nodes: unknown.map((n) => ({ nodeId: n.id, nodeType: n.data.type })),
      serverVersion: table.version,
    });
  }
  for (const n of unknown) {
    warnings.push(`node ${n.id} has type ${JSON.stringify(n.data.type)}, unknown to the server; dropped with its edges`);
  }

  const nodes: Record<string, GraphNode> = {};
  for (const node of workflowNodes) {
    if (node.type !== 'invocation' || isBatchOrGenerator(node)) continue;
    const spec = table.nodes[node.data.type];
    if (!spec) continue;
    const out: GraphNode = { id: node.id, type: node.data.type };
    const savedWorkflowInputs: Record<string, unknown> = {};
    for (const [name, input] of Object.entries(node.data.inputs)) {
      if (node.data.type === 'call_saved_workflow' && name.startsWith(SAVED_WORKFLOW_INPUT_PREFIX)) {
        if (input.value !== undefined && input.value !== null) savedWorkflowInputs[name] = structuredClone(input.value);
        continue;
      }
      const field = spec.f[name];
      if (!field && !spec.extra) {
        warnings.push(`node ${node.id} (${node.data.type}) has input ${JSON.stringify(name)}, which the server's invocation does not declare; dropped`);
        continue;
      }
      if (field?.in === 'connection') continue;
      const value = field?.k === 'board' ? resolveBoard(input.value, autoBoard) : input.value;
      if (value === undefined || value === null) continue;
      out[name] = structuredClone(value);
    }
    if (node.data.type === 'call_saved_workflow') {
      out.workflow_inputs = { ...((out.workflow_inputs as Record<string, unknown> | undefined) ?? {}), ...savedWorkflowInputs };
    }
    out.use_cache = node.data.useCache ?? spec.cache !== false;
    out.is_intermediate = node.data.isIntermediate ?? true;
    nodes[node.id] = out;
  }

  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const edge of workflowEdges) {
    if (!isDataEdge(edge)) continue;
    if (!edge.sourceHandle || !edge.targetHandle) {
      warnings.push(`edge ${edge.id ?? `${edge.source} -> ${edge.target}`} is missing a handle; dropped`);
      continue;
    }
    if (!nodes[edge.target]) continue;
    let source = { nodeId: edge.source, handle: edge.sourceHandle };
    if (byId.get(edge.source)?.type === 'connector') {
      const resolved = resolveConnectorSource(edge.source, byId, workflowEdges);
      if (!resolved) {
        warnings.push(`connector ${edge.source} feeding ${edge.target}.${edge.targetHandle} has no source; edge dropped`);
        continue;
      }
      source = resolved;
    }
    if (!nodes[source.nodeId]) continue;
    const key = JSON.stringify([source.nodeId, source.handle, edge.target, edge.targetHandle]);
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({
      source: { node_id: source.nodeId, field: source.handle },
      destination: { node_id: edge.target, field: edge.targetHandle },
    });
  }
  for (const edge of edges) delete nodes[edge.destination.node_id]![edge.destination.field];

  return { graph: { id: options.id ?? randomUUID(), nodes, edges }, warnings };
}

function isBatchOrGenerator(node: WorkflowNode): boolean {
  return node.type === 'invocation' && (BATCH_NODE_TYPES.has(node.data.type) || GENERATOR_NODE_TYPES.has(node.data.type));
}

/** The editor's board translation (`getBoardField`), plus plain board-id strings accepted as `{board_id}`. */
function resolveBoard(value: unknown, autoBoard: string | null): unknown {
  if (value === 'auto' || value === undefined || value === null || value === '') {
    return autoBoard === null ? undefined : { board_id: autoBoard };
  }
  if (value === 'none') return undefined;
  if (typeof value === 'string') return { board_id: value };
  return value;
}
