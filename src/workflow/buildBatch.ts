import type { Batch, BatchDatum } from '../schemas/graph.js';
import { batchDataFromNodes } from './batchData.js';
import { buildGraph, type BuildGraphOptions } from './buildGraph.js';
import type { Workflow } from './Workflow.js';

export interface BuildBatchOptions extends BuildGraphOptions {
  /** How many times the whole batch runs (the editor's iterations). @default 1 */
  runs?: number;
  /** `batch.origin`, shown by the queue UI. @default 'workflows' (what the editor sends) */
  origin?: string | null;
  /** `batch.destination`. @default 'gallery' (what the editor sends) */
  destination?: string | null;
  /**
   * Client-chosen batch id: makes an ambiguous enqueue checkable (`GET .../b/{batch_id}/status`)
   * before any resubmission. @default none (the server generates one)
   */
  batch_id?: string;
  /** Extra sweeps, appended after the ones derived from batch nodes. @default [] */
  data?: BatchDatum[][];
  /**
   * Embed the workflow (current values, `id` removed) so output images carry it, as the editor does.
   * @default true
   */
  includeWorkflow?: boolean;
  /** Receives buildGraph's warnings. @default ignore them */
  onWarning?: (message: string) => void;
}

/**
 * The `batch` of an `enqueue_batch` request for a workflow, as the editor builds it: graph,
 * embedded workflow, runs, origin/destination and sweeps from batch nodes.
 * @throws UnknownNodeTypeError, TypeError (invalid `runs`, unresolvable batch nodes)
 */
export function buildBatch(wf: Workflow, options: BuildBatchOptions = {}): Batch {
  const runs = options.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`runs must be an integer >= 1, got ${String(runs)}`);
  const { graph, warnings } = buildGraph(wf, options);
  if (options.onWarning) for (const w of warnings) options.onWarning(w);
  const data = [...batchDataFromNodes(wf), ...(options.data ?? [])];
  const batch: Batch = { graph, runs };
  if (options.batch_id !== undefined) batch.batch_id = options.batch_id;
  batch.origin = options.origin === undefined ? 'workflows' : options.origin;
  batch.destination = options.destination === undefined ? 'gallery' : options.destination;
  if (data.length) batch.data = data;
  if (options.includeWorkflow !== false) {
    // `wf.json` is deep-frozen, so it is shared rather than cloned (a clone cost more than
    // building the graph itself).
    const { id: _id, ...workflow } = wf.json as unknown as Record<string, unknown>;
    batch.workflow = workflow;
  }
  return batch;
}
