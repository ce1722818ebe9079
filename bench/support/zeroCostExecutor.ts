import { randomUUID } from 'node:crypto';
import { emptySession } from '../../src/emulator/executor/executionState.js';
import type { ExecutionHost, SessionState } from '../../src/emulator/executor/types.js';
import type { EmulatorExecutor } from '../../src/emulator/types.js';
import type { Graph } from '../../src/schemas/graph.js';
import { DEFAULT_FIELD_TABLE } from '../../src/workflow/fieldTable.js';

const TINY = { width: 8, height: 8, channels: 3 as const, data: new Uint8Array(8 * 8 * 3).fill(96) };

/**
 * An executor whose nodes cost nothing but the simulated time the emulator's `timing` gives
 * them: every node emits `invocation_started` / `invocation_complete` like InvokeAI, calls
 * `host.work` once (so `msPerNode` applies to every node), and produces an output of its schema's
 * type. Image outputs are 8×8 images saved through the host; other fields are left out (the
 * client reads only images). It lets the benchmark measure the client and the protocol, not the
 * emulator's image synthesis.
 */
export const zeroCostExecutor: EmulatorExecutor = {
  validateGraph: () => [],

  async executeSession(sessionId: string, graph: Graph, host: ExecutionHost): Promise<SessionState> {
    const session = emptySession(sessionId, graph);
    const order = topologicalOrder(graph);
    const preparedIds = new Map(order.map((id) => [id, randomUUID()] as const));
    for (const sourceId of order) {
      host.checkCanceled();
      const preparedId = preparedIds.get(sourceId)!;
      const node: Record<string, unknown> = { ...(graph.nodes[sourceId] as Record<string, unknown>), id: preparedId };
      for (const e of graph.edges) {
        if (e.destination.node_id !== sourceId) continue;
        const from = session.results[preparedIds.get(e.source.node_id)!] as Record<string, unknown> | undefined;
        if (from && e.source.field in from) node[e.destination.field] = from[e.source.field];
      }
      session.execution_graph.nodes[preparedId] = node as never;
      session.prepared_source_mapping[preparedId] = sourceId;
      session.source_prepared_mapping[sourceId] = [preparedId];
      host.emit('invocation_started', { invocation: node, invocation_source_id: sourceId });
      await host.work(String(node.type), 0);
      const result = output(node, host, sessionId, preparedId);
      session.results[preparedId] = result;
      session.executed.push(preparedId, sourceId);
      session.executed_history.push(sourceId);
      host.emit('invocation_complete', { invocation: node, invocation_source_id: sourceId, result });
    }
    return session;
  },
};

function output(node: Record<string, unknown>, host: ExecutionHost, sessionId: string, nodeId: string): Record<string, unknown> {
  const spec = DEFAULT_FIELD_TABLE.nodes[String(node.type)];
  const out = spec?.out ? DEFAULT_FIELD_TABLE.outputs[spec.out] : undefined;
  if (!out) return { type: 'unknown_output' };
  const result: Record<string, unknown> = { type: out.type };
  for (const [field, kind] of Object.entries(out.f)) {
    if (kind !== 'image') continue;
    // An `image` primitive passes its input through; every other node makes a new image.
    const given = node.type === 'image' ? (node.image as { image_name?: string } | undefined) : undefined;
    const image_name =
      given?.image_name ??
      host.saveImage(TINY, {
        is_intermediate: Boolean(node.is_intermediate ?? true),
        board_id: (node.board as { board_id?: string } | undefined)?.board_id ?? null,
        image_category: 'general',
        session_id: sessionId,
        node_id: nodeId,
      });
    result[field] = { image_name };
    result.width = TINY.width;
    result.height = TINY.height;
  }
  return result;
}

function topologicalOrder(graph: Graph): string[] {
  const incoming = new Map<string, string[]>();
  for (const e of graph.edges) incoming.set(e.destination.node_id, [...(incoming.get(e.destination.node_id) ?? []), e.source.node_id]);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const source of incoming.get(id) ?? []) visit(source);
    out.push(id);
  };
  for (const id of Object.keys(graph.nodes)) visit(id);
  return out;
}
