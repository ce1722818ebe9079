import type { Graph, GraphNode } from '../../schemas/graph.js';
import { DEFAULT_FIELD_TABLE, type FieldTableData } from '../../workflow/fieldTable.js';
import { InvocationError, isInvocationError } from '../errors/InvocationError.js';
import { isNodeInputError } from '../errors/NodeInputError.js';
import { ExecutionState } from './executionState.js';
import { createNodeContext } from './nodeContext.js';
import { notImplemented } from './nodes/generic.js';
import { resolveImplementation } from './nodes/nodeImplementations.js';
import { normalizeGraph } from './normalizeGraph.js';
import { TensorStore } from './tensorStore.js';
import type { ExecutionHost, NodeErrorInfo, NodeFailure, SessionState } from './types.js';

export interface ExecuteOptions {
  /** @default DEFAULT_FIELD_TABLE (InvokeAI 6.14) */
  fieldTable?: FieldTableData;
  /** Latents/conditioning/mask storage shared by the sessions of one executor. @default a new store */
  tensors?: TensorStore;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A Python-looking traceback for a node failure (what `traceback.format_exc()` would end with). */
export function formatTraceback(nodeType: string, errorType: string, message: string): string {
  return [
    'Traceback (most recent call last):',
    '  File "invokeai/app/services/session_processor/session_processor_default.py", line 130, in run_node',
    '    output = invocation.invoke_internal(context=context, services=self._services)',
    '  File "invokeai/app/invocations/baseinvocation.py", line 241, in invoke_internal',
    '    output = self.invoke(context)',
    `  File "invokeai-rx emulator (${nodeType})", line 1, in invoke`,
    `${errorType}: ${message}`,
    '',
  ].join('\n');
}

function isCancellation(e: unknown): boolean {
  return e instanceof Error && e.name === 'CanceledException';
}

function errorInfo(nodeType: string, e: unknown): NodeErrorInfo {
  const error_type = isInvocationError(e) ? e.errorType : e instanceof Error ? (e.name === 'Error' ? 'Exception' : e.name) : 'Exception';
  const error_message = e instanceof Error ? e.message : String(e);
  return { error_type, error_message, error_traceback: formatTraceback(nodeType, error_type, error_message) };
}

/** The invocation as events carry it: iterate/collect with `collection` emptied. */
function eventInvocation(node: GraphNode): Record<string, unknown> {
  const copy = clone(node) as Record<string, unknown>;
  if (node.type === 'iterate' || node.type === 'collect') copy.collection = [];
  return copy;
}

/** `MissingInputException` / `RequiredConnectionException` from `invoke_internal`. */
function checkRequiredInputs(node: GraphNode, table: FieldTableData): void {
  const spec = table.nodes[node.type];
  if (!spec) return;
  for (const [name, field] of Object.entries(spec.f)) {
    const value = (node as Record<string, unknown>)[name];
    if (!field.req || (value !== undefined && value !== null)) continue;
    if (field.in === 'connection') throw new InvocationError('RequiredConnectionException', `Node ${node.type} missing connections for field ${name}`);
    throw new InvocationError('MissingInputException', `Node ${node.type} missing value or connection for field ${name}`);
  }
}

async function invokeNode(node: GraphNode, state: ExecutionState, host: ExecutionHost, table: FieldTableData, tensors: TensorStore) {
  const raw = node as Record<string, unknown>;
  if (node.type === 'iterate') {
    const collection = (raw.collection as unknown[]) ?? [];
    const index = raw.index as number;
    return { item: collection[index], index, total: collection.length };
  }
  if (node.type === 'collect') return { collection: [...((raw.collection as unknown[]) ?? [])] };
  if (node.type === 'if') return { value: raw.condition ? raw.true_input : raw.false_input };
  const impl = resolveImplementation(node.type, table);
  if (!impl) throw notImplemented(node.type, table.nodes[node.type], table);
  const ctx = createNodeContext({
    sessionId: state.session.id,
    node: raw,
    sourceNodeId: state.sourceOf(node.id),
    table,
    host,
    tensors,
    eventInvocation: eventInvocation(node),
  });
  return impl.run(ctx);
}

/**
 * Runs one session (see {@link ExecuteSession}): the graph is normalized as the server stores it,
 * nodes are prepared and scheduled like `GraphExecutionState`, each node emits
 * `invocation_started` → progress → `invocation_complete`, and the first failure records
 * `session.errors[prepared]` and rejects with a {@link NodeFailure}. Cancellation errors from the
 * host propagate unchanged.
 */
export async function executeSessionWith(sessionId: string, graph: Graph, host: ExecutionHost, options: ExecuteOptions = {}): Promise<SessionState> {
  const table = options.fieldTable ?? DEFAULT_FIELD_TABLE;
  const tensors = options.tensors ?? new TensorStore();
  const state = new ExecutionState(sessionId, normalizeGraph(graph, table), table);
  const fail = (node: GraphNode, info: NodeErrorInfo): NodeFailure => {
    state.fail(node.id, `${info.error_type}: ${info.error_message}`);
    return {
      kind: 'node_failure',
      node_id: node.id,
      source_node_id: state.sourceOf(node.id),
      invocation: eventInvocation(node),
      info,
      session: state.session,
    };
  };
  for (;;) {
    host.checkCanceled();
    let node: GraphNode | null;
    try {
      node = state.next();
    } catch (e) {
      if (isNodeInputError(e)) throw fail(e.node, errorInfo(e.node.type, e));
      throw e;
    }
    if (!node) return state.session;
    const payload = { invocation: eventInvocation(node), invocation_source_id: state.sourceOf(node.id) };
    host.emit('invocation_started', payload);
    const injected = host.injectedFailure(node.type, node.id);
    if (injected) throw fail(node, injected);
    let fields: Record<string, unknown>;
    try {
      checkRequiredInputs(node, table);
      fields = await invokeNode(node, state, host, table, tensors);
    } catch (e) {
      if (isCancellation(e)) throw e;
      throw fail(node, errorInfo(node.type, e));
    }
    const spec = table.nodes[node.type];
    const outputType = spec?.out ? table.outputs[spec.out]?.type : undefined;
    const result = { output_meta: null, ...fields, type: outputType ?? `${node.type}_output` };
    state.complete(node.id, result);
    host.emit('invocation_complete', { ...payload, result: clone(result) });
  }
}

let sharedTensors: TensorStore | undefined;

/**
 * `ExecuteSession` with the default field table. Sessions run through this function share one
 * bounded, content-addressed tensor store, so latents named by one session resolve in a later one.
 */
export function executeSession(sessionId: string, graph: Graph, host: ExecutionHost): Promise<SessionState> {
  return executeSessionWith(sessionId, graph, host, { tensors: (sharedTensors ??= new TensorStore()) });
}
