import { from, lastValueFrom, toArray } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fullPipeline, generateBase, refine, type StageFailure, type StageFallback } from '../../operators/index.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import type { Emulator } from '../../src/emulator/index.js';
import { isQueueItemFailedError } from '../../src/errors/guards.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import {
  REAL_TIME,
  TINY_BASE,
  TINY_BASE_BINDING,
  TINY_IMAGE_BINDING,
  TINY_REFINE,
  TINY_UPSCALE,
  dataWorkflow,
  emulatorWithClient,
  settle,
  tinyWorkflows,
  unfinished,
  upscaleBatch,
} from './support.js';

const wf = tinyWorkflows();


describe('reliability: a node fails', () => {
  let emu: Emulator;
  let client: InvokeAIClient;
  emulatorWithClient((e, c) => ([emu, client] = [e, c]));
  beforeEach(() => emu.faults.clear());

  it("the stage errors with the server's error_type, error_message, traceback and the workflow node id", async () => {
    emu.faults.failNode('blank_image', { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    const outcome = await settle(lastValueFrom(from(['doomed']).pipe(generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }))));
    expect(outcome.ok).toBe(false);
    const error = !outcome.ok ? outcome.error : null;
    expect(isQueueItemFailedError(error)).toBe(true);
    if (!isQueueItemFailedError(error)) return;
    expect(error.error_type).toBe('OutOfMemoryError');
    expect(error.error_message).toBe('CUDA out of memory. Tried to allocate 2.00 GiB');
    expect(error.error_traceback).toContain('OutOfMemoryError: CUDA out of memory');
    expect(error.node_id).toBe('out');
    expect(error.message).toContain('OutOfMemoryError');
    expect(error.message).toContain('node out');
    expect(error.message).not.toMatch(/unknown error/i);
    expect(emu.queue.get(error.item_id)?.status).toBe('failed');
  });

  it('fullPipeline: a failed refinement falls back to the base image and the chain goes on; other prompts are unaffected', async () => {
    const base = dataWorkflow('sdxl_base');
    const refiner = dataWorkflow('sdxl_refiner');
    const upscaler = dataWorkflow('esrgan_upscale');
    // `i2l` only exists in the refiner: the first refinement fails, the others do not.
    emu.faults.failNode('i2l', { error_type: 'RuntimeError', error_message: 'VAE encode failed' });
    const prompts = ['castle', 'lighthouse', 'forest'];
    const results = await lastValueFrom(
      from(prompts).pipe(
        fullPipeline(client, {
          base: { workflow: base, params: TINY_BASE },
          refiner: { workflow: refiner, params: TINY_REFINE },
          upscaler: { workflow: upscaler, params: TINY_UPSCALE },
        }),
        toArray(),
      ),
    );
    const perPrompt = (p: string) => results.filter((r) => r.lineage.prompt === p || (r.stage === 'generateBase' && r.params['prompt'] === p));
    for (const p of prompts) expect(perPrompt(p).map((r) => r.stage), p).toEqual(['generateBase', 'refine', 'upscale']);

    const fallbacks = results.filter((r): r is Extract<typeof r, StageFallback> => !r.ok);
    expect(fallbacks).toHaveLength(1);
    const fallback = fallbacks[0]!;
    const baseOfIt = results.find((r) => r.stage === 'generateBase' && r.lineage.prompt === fallback.lineage.prompt)!;
    expect(fallback.stage).toBe('refine');
    expect(fallback.imageName).toBe(baseOfIt.imageName);
    expect(isQueueItemFailedError(fallback.error) && [fallback.error.error_type, fallback.error.error_message]).toEqual([
      'RuntimeError',
      'VAE encode failed',
    ]);
    // The upscale of that prompt ran on the base image.
    const upscaled = results.find((r) => r.stage === 'upscale' && r.lineage.prompt === fallback.lineage.prompt)!;
    expect(upscaled.ok).toBe(true);
    expect(upscaled.input).toBe(baseOfIt.imageName);
    // The two other prompts were refined normally.
    expect(results.filter((r) => r.stage === 'refine' && r.ok)).toHaveLength(2);
  });

  it("onError 'skip': the failure reaches the sink with the server's fields; the other prompts complete", async () => {
    emu.faults.failNode('img_blur', { error_type: 'ValueError', error_message: 'blur radius exploded' });
    const failures: StageFailure[] = [];
    const results = await lastValueFrom(
      from(['a', 'b', 'c']).pipe(
        generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }),
        refine(client, { workflow: wf.refine, binding: TINY_IMAGE_BINDING, onError: 'skip', failures: (f) => failures.push(f) }),
        toArray(),
      ),
    );
    expect(results.map((r) => r.lineage.prompt)).toEqual(['b', 'c']);
    expect(failures).toHaveLength(1);
    const [f] = failures;
    expect(f!.prompt).toBe('a');
    expect(f!.stage).toBe('refine');
    expect(isQueueItemFailedError(f!.error) && [f!.error.error_type, f!.error.error_message, f!.error.node_id]).toEqual([
      'ValueError',
      'blur radius exploded',
      'out',
    ]);
    expect(f!.item_id).toBe((f!.error as { item_id: number }).item_id);
  });

  it("a batch of three runs with itemErrors 'emit': one failed event, the other items complete", async () => {
    emu.faults.failNode('blank_image', { error_type: 'RuntimeError', error_message: 'first run fails' });
    const events = await lastValueFrom(runWorkflow(client, wf.base, { runs: 3, itemErrors: 'emit' }).pipe(toArray()));
    const failed = events.filter((e): e is Extract<RunEvent, { type: 'failed' }> => e.type === 'failed');
    const completed = events.filter((e) => e.type === 'completed');
    expect(failed).toHaveLength(1);
    expect(completed).toHaveLength(2);
    expect(isQueueItemFailedError(failed[0]!.error) && failed[0]!.error.error_message).toBe('first run fails');
    expect(unfinished(emu)).toEqual([]);
  });

  it("itemErrors 'throw' (default): a failure cancels the batch's other items on the server", async () => {
    emu.faults.failNode('esrgan', { error_type: 'RuntimeError', error_message: 'boom' });
    // The items after the failing one take long enough for the cancel to reach them.
    emu.faults.stallNode('esrgan', { ms: 2_000, times: 3 });
    const outcome = await settle(lastValueFrom(runWorkflow(client, { batch: upscaleBatch(3) })));
    expect(!outcome.ok && isQueueItemFailedError(outcome.error)).toBe(true);
    const batchId = !outcome.ok && isQueueItemFailedError(outcome.error) ? outcome.error.batch_id : '';
    await vi.waitFor(
      () => expect(emu.queue.items().filter((i) => i.batch_id === batchId && (i.status === 'pending' || i.status === 'in_progress'))).toEqual([]),
      REAL_TIME,
    );
    expect(emu.queue.items().filter((i) => i.batch_id === batchId).map((i) => i.status).sort()).toEqual(['canceled', 'canceled', 'failed']);
  });
});
