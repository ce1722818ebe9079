import type { RunResult } from '../run/types.js';
import { type QueueItemLike, mapOutputs } from '../workflow/mapOutputs.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { OutputImageMapping } from './types.js';

/**
 * The images a completed queue item (or run result) produced, per output node: nodes whose board
 * the form exposes (in form order), then the other non-intermediate image nodes (in workflow order).
 */
export function mapOutputsToImages(workflow: Workflow, item: QueueItemLike | RunResult): OutputImageMapping[] {
  const queueItem = 'outputs' in item && 'item' in item ? item.item : item;
  const mappings = mapOutputs(workflow, queueItem).filter((m) => !m.isIntermediate || m.boardInputIndex !== null);
  const exposed = mappings.filter((m) => m.boardInputIndex !== null).sort((a, b) => a.boardInputIndex! - b.boardInputIndex!);
  const others = mappings.filter((m) => m.boardInputIndex === null);
  return [...exposed, ...others].map((m) => ({
    nodeId: m.nodeId,
    nodeType: m.nodeType,
    boardId: m.boardId ?? 'none',
    imageNames: [...m.imageNames],
    inputIndex: m.boardInputIndex,
    isIntermediate: m.isIntermediate,
  }));
}

/** Ids of the nodes whose invocation outputs images. */
export function imageProducingNodeIds(workflow: Workflow): Set<string> {
  return new Set(mapOutputs(workflow, {}).map((m) => m.nodeId));
}
