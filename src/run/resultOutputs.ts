import type { SessionQueueItem } from '../schemas/queue.js';
import { type OutputMapping, mapOutputs } from '../workflow/mapOutputs.js';
import type { Workflow } from '../workflow/Workflow.js';

/** Node types whose image output is an input passed through, not something the run produced. */
const PASS_THROUGH_TYPES: ReadonlySet<string> = new Set(['image', 'show_image', 'image_collection', 'image_batch', 'image_generator']);

/**
 * The image outputs of a completed queue item, and all their image names: non-intermediate nodes
 * first, each group in node order.
 *
 * With the workflow, the mapping is {@link mapOutputs} (output schemas from the field table).
 * Without one (a run of a prebuilt batch), it is read from the session the way the InvokeAI UI
 * reads `invocation_complete` results: every output field holding `{image_name}` or a list of them.
 */
export function resultOutputs(item: SessionQueueItem, workflow?: Workflow): { outputs: OutputMapping[]; images: string[] } {
  const outputs = workflow ? mapOutputs(workflow, item) : outputsFromSession(item);
  const images = [
    ...outputs.filter((o) => !o.isIntermediate).flatMap((o) => o.imageNames),
    ...outputs.filter((o) => o.isIntermediate).flatMap((o) => o.imageNames),
  ];
  return { outputs, images: [...new Set(images)] };
}

function outputsFromSession(item: SessionQueueItem): OutputMapping[] {
  const { graph, results, source_prepared_mapping: prepared } = item.session;
  const outputs: OutputMapping[] = [];
  for (const [nodeId, node] of Object.entries(graph.nodes)) {
    if (PASS_THROUGH_TYPES.has(node.type)) continue;
    const imageNames: string[] = [];
    for (const preparedId of prepared[nodeId] ?? []) {
      for (const value of Object.values(results[preparedId] ?? {})) {
        for (const entry of Array.isArray(value) ? value : [value]) {
          const name = (entry as { image_name?: unknown } | null)?.image_name;
          if (typeof name === 'string' && !imageNames.includes(name)) imageNames.push(name);
        }
      }
    }
    if (imageNames.length === 0) continue;
    const board = (node as { board?: { board_id?: unknown } }).board?.board_id;
    outputs.push({
      nodeId,
      nodeType: node.type,
      isIntermediate: node.is_intermediate ?? false,
      imageNames,
      boardId: typeof board === 'string' && board !== 'none' ? board : null,
      boardInputIndex: null,
    });
  }
  return outputs;
}
