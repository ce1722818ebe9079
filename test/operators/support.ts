import { fileURLToPath } from 'node:url';
import type { Observable } from 'rxjs';
import type { InvokeAIClient } from '../../src/client/types.js';
import type { RunEvent, RunResult } from '../../src/run/types.js';
import type { OutputMapping } from '../../src/workflow/mapOutputs.js';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import type { Workflow } from '../../src/workflow/Workflow.js';
import type { RunWorkflowFn } from '../../operators/internal/runStage.js';
import { fakeQueueItem } from '../support/fakeClient.js';

/** The repository's example workflows (the ones the default bindings describe). */
export function dataWorkflow(name: string): Workflow {
  return loadWorkflowFile(fileURLToPath(new URL(`../../data/workflows/${name}.json`, import.meta.url)));
}

/** A `completed` RunEvent whose gallery output is `imageName`. */
export function completed(
  item_id: number,
  imageName: string,
  options: { boardId?: string | null; extraOutputs?: OutputMapping[]; enqueuedAt?: number; startedAt?: number | null; completedAt?: number } = {},
): Extract<RunEvent, { type: 'completed' }> {
  const result: RunResult = {
    item: fakeQueueItem({ item_id, batch_id: `batch-${item_id}`, status: 'completed' }),
    outputs: [
      ...(options.extraOutputs ?? []),
      {
        nodeId: 'out',
        nodeType: 'l2i',
        isIntermediate: false,
        imageNames: [imageName],
        boardId: options.boardId ?? null,
        boardInputIndex: 7,
      },
    ],
    images: [imageName],
    timings: { enqueuedAt: options.enqueuedAt ?? 0, startedAt: options.startedAt ?? 1, completedAt: options.completedAt ?? 5 },
  };
  return { type: 'completed', item_id, result };
}

export function enqueued(item_id: number): RunEvent {
  return { type: 'enqueued', batch_id: `batch-${item_id}`, item_ids: [item_id], at: 0 };
}

/** One recorded call of the fake `run`. */
export interface RunCall {
  workflow: Workflow;
  /** Form values of the workflow as run, by index. */
  values: unknown[];
}

/**
 * A fake `runWorkflow` that answers each call with the next observable `respond` gives for it,
 * recording the workflow it was called with.
 */
export function fakeRun(respond: (call: RunCall, n: number) => Observable<RunEvent>): RunWorkflowFn & { calls: RunCall[] } {
  const calls: RunCall[] = [];
  const run = ((_client: InvokeAIClient, workflow: Workflow) => {
    const call = { workflow, values: workflow.inputs.map((i) => i.value) };
    calls.push(call);
    return respond(call, calls.length - 1);
  }) as RunWorkflowFn & { calls: RunCall[] };
  run.calls = calls;
  return run;
}

/** The image name a run was given at form index `index`. */
export function imageAt(call: RunCall, index = 0): string {
  return (call.values[index] as { image_name: string }).image_name;
}
