import type { FieldTableData } from './fieldTableTypes.js';
import type { Workflow } from './Workflow.js';

/** The images one image-producing workflow node made in one queue item. */
export interface OutputMapping {
  /** Workflow (source) node id. */
  nodeId: string;
  nodeType: string;
  /** Intermediate images are hidden from the gallery (and usually cleaned up). */
  isIntermediate: boolean;
  /** Image names in execution order; several when the node ran inside an iteration. */
  imageNames: string[];
  /** Board the images went to; `null` for "Uncategorized" or when unknown. */
  boardId: string | null;
  /** Form index of the node's `board` input, when the form exposes it. */
  boardInputIndex: number | null;
}

/** The parts of a completed queue item that output mapping reads. */
export interface QueueItemLike {
  session?: {
    source_prepared_mapping?: Record<string, readonly string[]>;
    results?: Record<string, unknown>;
    graph?: { nodes?: Record<string, unknown> };
  } | null;
}

/**
 * Invocations whose output merely passes an existing image through (the image primitive, show
 * image, batch/collection nodes); their "output" is an input, not something the run produced.
 */
const PASS_THROUGH_TYPES: ReadonlySet<string> = new Set(['image', 'show_image', 'image_collection', 'image_batch', 'image_generator']);

/**
 * Maps a completed queue item back to the workflow: for every image-producing node (its output
 * schema has an image or image-collection field and it does not just pass an input through), the
 * names of the images it made, found via `session.source_prepared_mapping` and `session.results`.
 * Nodes are reported in workflow order, including those that produced nothing (`imageNames: []`).
 * Without a table (a workflow not bound to a server), the output fields holding `{image_name}`
 * values are read from the results, and only nodes whose results hold images are reported.
 *
 * @param fieldTable Table whose output schemas decide which fields hold images. @default wf.fieldTable
 */
export function mapOutputs(wf: Workflow, item: QueueItemLike, fieldTable: FieldTableData | null = wf.fieldTable): OutputMapping[] {
  const session = item.session ?? {};
  const prepared = session.source_prepared_mapping ?? {};
  const results = session.results ?? {};
  const graphNodes = session.graph?.nodes ?? {};
  const mappings: OutputMapping[] = [];
  for (const node of wf.json.nodes) {
    if (node.type !== 'invocation' || PASS_THROUGH_TYPES.has(node.data.type)) continue;
    const spec = fieldTable?.nodes[node.data.type];
    const output = spec?.out ? fieldTable?.outputs[spec.out] : undefined;
    if (fieldTable && !output) continue;
    const imageFields = output ? Object.entries(output.f).filter(([, k]) => k === 'image' || k === 'list[image]').map(([f]) => f) : null;
    if (imageFields?.length === 0) continue;

    const imageNames: string[] = [];
    for (const preparedId of prepared[node.id] ?? []) {
      const result = results[preparedId] as Record<string, unknown> | undefined;
      if (!result || typeof result !== 'object') continue;
      for (const field of imageFields ?? Object.keys(result)) {
        const value = result[field];
        for (const image of Array.isArray(value) ? value : [value]) {
          const name = (image as { image_name?: unknown } | null | undefined)?.image_name;
          if (typeof name === 'string' && !imageNames.includes(name)) imageNames.push(name);
        }
      }
    }
    if (!imageFields && imageNames.length === 0) continue;
    const boardInput = wf.inputs.find((i) => i.nodeId === node.id && i.fieldName === 'board');
    mappings.push({
      nodeId: node.id,
      nodeType: node.data.type,
      isIntermediate: node.data.isIntermediate ?? true,
      imageNames,
      boardId: boardOf(graphNodes[node.id], node.data.inputs.board?.value),
      boardInputIndex: boardInput ? boardInput.index : null,
    });
  }
  return mappings;
}

/** The board as the server stored it in the session graph, else as the workflow states it. */
function boardOf(storedNode: unknown, workflowValue: unknown): string | null {
  const stored = (storedNode as { board?: { board_id?: unknown } } | undefined)?.board?.board_id;
  if (storedNode !== undefined) return typeof stored === 'string' && stored !== 'none' ? stored : null;
  const id = (workflowValue as { board_id?: unknown } | undefined)?.board_id;
  if (typeof id === 'string' && id !== 'none') return id;
  if (typeof workflowValue === 'string' && workflowValue !== 'auto' && workflowValue !== 'none' && workflowValue !== '') return workflowValue;
  return null;
}
