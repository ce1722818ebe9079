import type { EnqueueBatchBody } from '../schemas/graph.js';
import { buildBatch, type BuildBatchOptions } from './buildBatch.js';
import type { Workflow } from './Workflow.js';

export interface BuildEnqueueBodyOptions extends BuildBatchOptions {
  /** Put the batch at the front of the queue. @default false */
  prepend?: boolean;
}

/** The body of `POST /api/v1/queue/{queue_id}/enqueue_batch`: `{prepend, batch}`. */
export function buildEnqueueBody(wf: Workflow, options: BuildEnqueueBodyOptions = {}): EnqueueBatchBody {
  const { prepend = false, ...batchOptions } = options;
  return { prepend, batch: buildBatch(wf, batchOptions) };
}
