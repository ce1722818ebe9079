import type { BatchDatum } from '../schemas/graph.js';
import { isDataEdge, resolveConnectorTargets } from './graphTopology.js';
import { BATCH_NODE_FIELDS, GENERATOR_NODE_TYPES } from './nodeTypes.js';
import type { Workflow } from './Workflow.js';
import type { InvocationNode, WorkflowNode } from './workflowSchema.js';

/**
 * The `batch.data` sweeps the editor derives from batch nodes (`image_batch`, `string_batch`,
 * `integer_batch`, `float_batch`): for every edge leaving a batch node, a datum substituting its
 * items into the target input. Ungrouped batch nodes (`batch_group_id` `"None"`) each become their
 * own inner list (cartesian product); nodes sharing a group share one inner list (zipped).
 *
 * @throws TypeError when a batch node is fed by a generator node (not resolved by this client),
 *   has no items, or when zipped lists differ in length.
 */
export function batchDataFromNodes(wf: Workflow): BatchDatum[][] {
  const { nodes, edges } = wf.json;
  const byId = new Map<string, WorkflowNode>(nodes.map((n) => [n.id, n]));
  const ungrouped: BatchDatum[][] = [];
  const groups = new Map<string, BatchDatum[]>();
  const batchNodes = nodes.filter((n): n is InvocationNode => n.type === 'invocation' && n.data.type in BATCH_NODE_FIELDS);

  for (const node of batchNodes) {
    const fields = BATCH_NODE_FIELDS[node.data.type]!;
    const feeding = edges.find((e) => isDataEdge(e) && e.target === node.id && e.targetHandle === fields.items);
    if (feeding) {
      const source = byId.get(feeding.source);
      const isGenerator = source?.type === 'invocation' && GENERATOR_NODE_TYPES.has(source.data.type);
      const what = `${isGenerator ? 'generator node' : 'node'} ${feeding.source}`;
      throw new TypeError(
        `Batch node ${node.id} (${node.data.type}) takes its ${fields.items} from ${what}, which this client cannot resolve. ` +
          `Replace the connection by a literal list of ${fields.items} on the batch node, or pass batch data explicitly (options.data).`,
      );
    }
    const items = node.data.inputs[fields.items]?.value;
    if (!Array.isArray(items) || items.length === 0) {
      throw new TypeError(`Batch node ${node.id} (${node.data.type}) has no ${fields.items}; add at least one item in the editor or remove the node.`);
    }
    const targets: { nodeId: string; handle: string }[] = [];
    for (const e of edges) {
      if (!isDataEdge(e) || e.source !== node.id || e.sourceHandle !== fields.output || !e.targetHandle) continue;
      if (byId.get(e.target)?.type === 'connector') targets.push(...resolveConnectorTargets(e.target, byId, edges));
      else targets.push({ nodeId: e.target, handle: e.targetHandle });
    }
    const datums = targets.map((t) => ({ node_path: t.nodeId, field_name: t.handle, items: structuredClone(items) as BatchDatum['items'] }));
    if (datums.length === 0) continue;
    const group = (node.data.inputs.batch_group_id?.value as string | undefined) ?? 'None';
    if (group === 'None') {
      ungrouped.push(datums);
    } else {
      const list = groups.get(group) ?? [];
      list.push(...datums);
      groups.set(group, list);
    }
  }
  for (const [group, datums] of groups) {
    const lengths = new Set(datums.map((d) => d.items.length));
    if (lengths.size > 1) {
      throw new TypeError(
        `Batch nodes of ${JSON.stringify(group)} are zipped and must have the same number of items, but have ${[...lengths].join(', ')}. ` +
          'Make the lists equally long or put the nodes in different groups.',
      );
    }
  }
  return [...ungrouped, ...groups.values()];
}
