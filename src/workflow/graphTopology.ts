import { CONNECTOR_IN, CONNECTOR_OUT } from './nodeTypes.js';
import type { WorkflowEdge, WorkflowNode } from './workflowSchema.js';

/** `collapsed` edges are drawn between collapsed nodes only; every other edge carries data. */
export const isDataEdge = (edge: WorkflowEdge): boolean => edge.type !== 'collapsed';

/**
 * The invocation output that feeds a connector (reroute) node: follows `"in"` edges back through
 * chained connectors. `null` when the chain is dangling or loops.
 */
export function resolveConnectorSource(
  connectorId: string,
  nodes: ReadonlyMap<string, WorkflowNode>,
  edges: readonly WorkflowEdge[],
): { nodeId: string; handle: string } | null {
  const seen = new Set<string>();
  let current = connectorId;
  while (!seen.has(current)) {
    seen.add(current);
    const incoming = edges.find((e) => isDataEdge(e) && e.target === current && e.targetHandle === CONNECTOR_IN);
    if (!incoming?.sourceHandle) return null;
    const source = nodes.get(incoming.source);
    if (!source) return null;
    if (source.type !== 'connector') return { nodeId: incoming.source, handle: incoming.sourceHandle };
    current = incoming.source;
  }
  return null;
}

/** The invocation inputs a connector (reroute) node feeds: follows `"out"` edges forward through chained connectors. */
export function resolveConnectorTargets(
  connectorId: string,
  nodes: ReadonlyMap<string, WorkflowNode>,
  edges: readonly WorkflowEdge[],
  seen: Set<string> = new Set(),
): { nodeId: string; handle: string }[] {
  if (seen.has(connectorId)) return [];
  seen.add(connectorId);
  const out: { nodeId: string; handle: string }[] = [];
  for (const e of edges) {
    if (!isDataEdge(e) || e.source !== connectorId || e.sourceHandle !== CONNECTOR_OUT || !e.targetHandle) continue;
    const target = nodes.get(e.target);
    if (!target) continue;
    if (target.type === 'connector') out.push(...resolveConnectorTargets(e.target, nodes, edges, seen));
    else out.push({ nodeId: e.target, handle: e.targetHandle });
  }
  return out;
}
