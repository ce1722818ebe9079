import { randomUUID } from 'node:crypto';
import { emptySession } from '../../../src/emulator/executor/executionState.js';
import type { Graph } from '../../../src/schemas/graph.js';
import type { ExecutionHost, NodeFailure, SessionState } from '../../../src/emulator/executor/types.js';
import type { EmulatorExecutor } from '../../../src/emulator/types.js';
import { DEFAULT_FIELD_TABLE } from '../../../src/workflow/fieldTable.js';

/**
 * A deliberately tiny executor for the server's own tests: `integer`, `add`, `sub`, `mul`,
 * `blank_image` and `img_resize`, in topological order, one `host.work(type, steps)` per node.
 * It exists so the server tests do not depend on the real executor's progress.
 */
export const fakeExecutor: EmulatorExecutor = {
  validateGraph(graph) {
    const errors = [];
    for (const [id, node] of Object.entries(graph.nodes))
      if (!DEFAULT_FIELD_TABLE.nodes[node.type])
        errors.push({
          type: 'union_tag_invalid',
          loc: ['body', 'batch', 'graph', 'nodes', id],
          msg: `Input tag '${node.type}' found using 'type' does not match any of the expected tags`,
          input: node,
        });
    if (errors.length > 0) return errors;
    for (const e of graph.edges)
      for (const end of [e.source, e.destination])
        if (!graph.nodes[end.node_id])
          return [{ type: 'value_error', loc: ['body', 'batch', 'graph'], msg: `Value error, Edge node ${end.node_id} does not exist in the graph`, input: graph }];
    return [];
  },

  async executeSession(sessionId: string, graph: Graph, host: ExecutionHost): Promise<SessionState> {
    const session = emptySession(sessionId, graph);
    const order = topo(graph);
    const prepared = new Map<string, string>();
    for (const id of order) prepared.set(id, randomUUID());
    for (const sourceId of order) {
      host.checkCanceled();
      const preparedId = prepared.get(sourceId)!;
      const node: Record<string, unknown> = { ...graph.nodes[sourceId]!, id: preparedId };
      for (const e of graph.edges)
        if (e.destination.node_id === sourceId) node[e.destination.field] = session.results[prepared.get(e.source.node_id)!]?.[e.source.field];
      session.execution_graph.nodes[preparedId] = node as never;
      session.prepared_source_mapping[preparedId] = sourceId;
      session.source_prepared_mapping[sourceId] = [preparedId];
      host.emit('invocation_started', { invocation: node, invocation_source_id: sourceId });
      const type = String(node.type);
      const injected = host.injectedFailure(type, preparedId);
      if (injected) {
        session.errors[preparedId] = `${injected.error_type}: ${injected.error_message}`;
        const failure: NodeFailure = { kind: 'node_failure', node_id: preparedId, source_node_id: sourceId, invocation: node, info: injected, session };
        throw failure;
      }
      await host.work(type, 2);
      host.emit('invocation_progress', { invocation: node, invocation_source_id: sourceId, message: 'Working', percentage: 0.5 });
      const result = run(type, node, host, sessionId, preparedId);
      session.results[preparedId] = result;
      session.executed.push(preparedId, sourceId);
      session.executed_history.push(sourceId);
      host.emit('invocation_complete', { invocation: node, invocation_source_id: sourceId, result });
    }
    return session;
  },
};

function topo(graph: Graph): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const e of graph.edges) if (e.destination.node_id === id) visit(e.source.node_id);
    out.push(id);
  };
  Object.keys(graph.nodes).forEach(visit);
  return out;
}

function run(type: string, n: Record<string, unknown>, host: ExecutionHost, sessionId: string, nodeId: string): Record<string, unknown> {
  const int = (v: unknown) => Number(v ?? 0);
  switch (type) {
    case 'integer':
      return { type: 'integer_output', value: int(n.value), output_meta: null };
    case 'add':
      return { type: 'integer_output', value: int(n.a) + int(n.b), output_meta: null };
    case 'sub':
      return { type: 'integer_output', value: int(n.a) - int(n.b), output_meta: null };
    case 'mul':
      return { type: 'integer_output', value: int(n.a) * int(n.b), output_meta: null };
    case 'blank_image':
    case 'img_resize': {
      const width = int(n.width ?? 64);
      const height = int(n.height ?? 64);
      const data = new Uint8Array(width * height * 3).fill(128);
      const image_name = host.saveImage(
        { width, height, channels: 3, data },
        { is_intermediate: Boolean(n.is_intermediate), board_id: null, image_category: 'general', session_id: sessionId, node_id: nodeId },
      );
      return { type: 'image_output', image: { image_name }, width, height, output_meta: null };
    }
    default:
      throw new Error(`fake executor cannot run ${type}`);
  }
}
