import type { Batch } from '../schemas/graph.js';
import { buildBatch } from '../workflow/buildBatch.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { RunInput, RunWorkflowOptions } from './runWorkflowOptions.js';
import { randomUUID } from '../util/randomUUID.js';

/** The batch a run enqueues, with the ids the run chose for it. */
export interface PreparedBatch {
  /** Always has `batch_id` and `origin`. */
  batch: Batch;
  /** `batch.batch_id`: chosen before the enqueue, to match events and cancel before its answer arrives. */
  batchId: string;
  /** The workflow whose form maps the outputs, when known. */
  workflow: Workflow | undefined;
  /** The origin was made up by the run (so unique to it): events may be matched by origin too. */
  generatedOrigin: boolean;
}

/**
 * Builds the batch to enqueue, choosing its `batch_id` (and, unless given, a unique `origin`) on
 * the client. A fresh id on every call: a resubscribed run is a new batch.
 */
export function prepareBatch(input: RunInput, options: RunWorkflowOptions): PreparedBatch {
  const generatedOrigin = options.origin === undefined && !('batch' in input && input.batch.origin);
  const origin = options.origin ?? `invokeai-rx:${randomUUID()}`;
  if ('batch' in input) {
    const given = input.batch;
    const batchId = options.batchId ?? given.batch_id ?? randomUUID();
    const batch: Batch = {
      ...given,
      batch_id: batchId,
      origin: options.origin ?? given.origin ?? origin,
    };
    if (options.runs !== undefined) batch.runs = options.runs;
    if (options.data) batch.data = [...(given.data ?? []), ...options.data];
    if (options.destination !== undefined) batch.destination = options.destination;
    return { batch, batchId, workflow: input.workflow, generatedOrigin };
  }
  const batchId = options.batchId ?? randomUUID();
  const batch = buildBatch(input, {
    ...options.buildOptions,
    batch_id: batchId,
    origin,
    ...(options.runs !== undefined ? { runs: options.runs } : {}),
    ...(options.data ? { data: options.data } : {}),
    ...(options.destination !== undefined ? { destination: options.destination } : {}),
  });
  return { batch, batchId, workflow: input, generatedOrigin };
}
