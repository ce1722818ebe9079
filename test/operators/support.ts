import { fileURLToPath } from 'node:url';
import { WITH_6_14 } from '../support/fieldTable.js';
import { of, type Observable } from 'rxjs';
import type { InvokeAIClient } from '../../src/client/types.js';
import type { RunEvent, RunResult } from '../../src/run/types.js';
import type { OutputMapping } from '../../src/workflow/mapOutputs.js';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import type { Workflow } from '../../src/workflow/Workflow.js';
import type { RunWorkflowFn } from '../../operators/internal/stage/stageConfig.js';
import type { ModelConfig } from '../../src/schemas/model.js';
import { fakeClient, fakeQueueItem, type FakeClient, type FakeClientSpec } from '../support/fakeClient.js';

/**
 * The repository's example workflows (the ones the default bindings describe), bound to InvokeAI
 * 6.14's table for fake runs; `{ table: false }` leaves them without one, as a connected run
 * loads them (the server's table is then bound at run time).
 */
export function dataWorkflow(name: string, options: { table?: boolean } = {}): Workflow {
  const path = fileURLToPath(new URL(`../../data/workflows/${name}.json`, import.meta.url));
  return options.table === false ? loadWorkflowFile(path) : loadWorkflowFile(path, WITH_6_14);
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

/** The models `data/workflows` reference, exactly as they reference them (model sync is then a no-op). */
export const DATA_MODELS: ModelConfig[] = [
  { key: '914b2e5a-b8d3-4da1-965f-b3775bbc5745', hash: 'blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74', name: 'juggernautXL_v9Rundiffusionphoto2', base: 'sdxl', type: 'main' },
  { key: '3c7c4a2e-58f1-4d0b-9a47-1e2f6b8d90a3', hash: 'blake3:5f0d8e2b9c4a7163e8d2f0b1a9c6e4d3b2a1908f7e6d5c4b3a29180f7e6d5c4b', name: 'stable-diffusion-xl-refiner-1.0', base: 'sdxl-refiner', type: 'main' },
  { key: '6b9e1f04-2d7a-4c38-b5e1-8f3a0c2d7e69', hash: 'blake3:a3e1c7f9b2d4068e5c1a9f3b7d2e6c0a4f8b1d5e9c3a7f2b6d0e4c8a1f5b9d3e', name: 'stable-diffusion-v1-5', base: 'sd-1', type: 'main' },
  { key: 'e2a48c1d-7f35-4b96-8d0e-3c5b7a9f1e24', hash: 'blake3:8d4f2a6c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f', name: 'RealESRGAN_x4plus', base: 'any', type: 'spandrel_image_to_image' },
];

/** A fake client for stages: `models.list` answers {@link DATA_MODELS} (synchronously) unless faked. */
export function stageClient(spec: FakeClientSpec = {}): FakeClient {
  return fakeClient({ ...spec, models: { list: () => of(DATA_MODELS), ...spec.models } });
}
