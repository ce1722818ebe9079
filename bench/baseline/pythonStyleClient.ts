import { resultOutputs } from '../../src/run/resultOutputs.js';
import type { SessionQueueItem } from '../../src/schemas/queue.js';
import { buildBatch } from '../../src/workflow/buildBatch.js';
import type { Workflow } from '../../src/workflow/Workflow.js';
import { preciseNow } from '../support/emulatorThread.js';
import type { StageWorkflows } from '../support/workflows.js';

/** One stage as the baseline saw it. */
export interface BaselineStage {
  stage: 'generateBase' | 'refine' | 'upscale';
  item_id: number;
  imageName: string;
  /** When the poll that saw the item completed returned (epoch ms, sub-ms precision). */
  resultAt: number;
  polls: number;
}

/**
 * What the Python client (`invokeai-py-client`) does, with plain `fetch`: `submit_sync` POSTs the
 * batch, then `wait_for_completion_sync` reads the queue item at once and every `poll_interval`
 * (0.5 s) until it is terminal; the output image is mapped from the completed item. One stage
 * at a time, one prompt at a time: its API is synchronous. No socket, no retries.
 */
export class PythonStyleClient {
  constructor(
    readonly baseUrl: string,
    readonly pollInterval = 500,
  ) {}

  /** `submit_sync`: returns the item id. */
  async submit(workflow: Workflow): Promise<number> {
    const batch = buildBatch(workflow, { origin: 'invokeai-py-client-baseline' });
    const response = await fetch(`${this.baseUrl}/api/v1/queue/default/enqueue_batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batch, prepend: false }),
    });
    if (!response.ok) throw new Error(`Workflow submission failed (${response.status}): ${await response.text()}`);
    const body = (await response.json()) as { item_ids: number[] };
    return body.item_ids[0]!;
  }

  /** `wait_for_completion_sync`: polls `GET /i/{id}` until completed (or throws). */
  async waitForCompletion(itemId: number, timeout = 120_000): Promise<{ item: SessionQueueItem; polls: number; at: number }> {
    const start = performance.now();
    let polls = 0;
    while (performance.now() - start < timeout) {
      const response = await fetch(`${this.baseUrl}/api/v1/queue/default/i/${itemId}`);
      polls += 1;
      if (!response.ok) throw new Error(`Queue item ${itemId} not found`);
      const item = (await response.json()) as SessionQueueItem;
      if (item.status === 'completed') return { item, polls, at: preciseNow() };
      if (item.status === 'failed') throw new Error(`Workflow execution failed: ${item.error_message ?? 'Unknown error'}`);
      if (item.status === 'canceled') throw new Error('Workflow execution was canceled');
      await new Promise((r) => setTimeout(r, this.pollInterval));
    }
    throw new Error(`Workflow execution timed out after ${timeout / 1000} seconds`);
  }

  async runStage(stage: BaselineStage['stage'], workflow: Workflow): Promise<BaselineStage> {
    const itemId = await this.submit(workflow);
    const { item, polls, at } = await this.waitForCompletion(itemId);
    const imageName = resultOutputs(item, workflow).images[0]!;
    return { stage, item_id: itemId, imageName, resultAt: at, polls };
  }

  /** base → refine → upscale for one prompt, each stage waiting for the previous one. */
  async runPipeline(workflows: StageWorkflows, prompt: string, onStage: (s: BaselineStage) => void): Promise<void> {
    const base = await this.runStage('generateBase', workflows.base.with({ 0: prompt, 3: 1, 5: 64, 6: 64 }));
    onStage(base);
    const refined = await this.runStage('refine', workflows.refiner.with({ 0: { image_name: base.imageName }, 1: prompt, 3: 1 }));
    onStage(refined);
    const upscaled = await this.runStage('upscale', workflows.upscaler.with({ 0: { image_name: refined.imageName }, 1: 1 }));
    onStage(upscaled);
  }
}
