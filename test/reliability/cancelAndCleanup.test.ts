import { Subject, from, lastValueFrom, merge, of, take, toArray } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  cleanup,
  generateBase,
  refine,
  streamingPipeline,
  upscale,
  type StageFailure,
  type StageOutput,
} from '../../operators/index.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import type { Emulator } from '../../src/emulator/index.js';
import { isQueueItemFailedError } from '../../src/errors/guards.js';
import { TINY_BASE_BINDING, TINY_IMAGE_BINDING, REAL_TIME, emulatorWithClient, settle, tinyWorkflows, unfinished } from './support.js';

const wf = tinyWorkflows();

/** The image a refine/upscale run took as input (its `image` primitive), if any. */
function inputImageOf(item: { session: { graph: { nodes: Record<string, unknown> } } }): string | undefined {
  return (item.session.graph.nodes['image'] as { image?: { image_name?: string } } | undefined)?.image?.image_name;
}
const fast = { pollInterval: 100, pollIntervalWithoutSocket: 50 };

describe('reliability: unsubscribing and cleaning up', () => {
  let emu: Emulator;
  let client: InvokeAIClient;
  emulatorWithClient((e, c) => ([emu, client] = [e, c]));
  beforeEach(async () => {
    emu.faults.clear();
    await vi.waitFor(() => expect(unfinished(emu)).toEqual([]), REAL_TIME);
  });

  /** Items created on the server from now on. */
  const since = () => {
    const before = new Set(emu.queue.items().map((i) => i.item_id));
    return () => emu.queue.items().filter((i) => !before.has(i.item_id));
  };
  const imagesSince = () => {
    const before = new Set(emu.images.imageNames());
    return () => emu.images.imageNames().filter((n) => !before.has(n));
  };

  /** base → refine → upscale for one prompt (the upscale holds the worker while stalled). */
  const chain = (prompt: string) =>
    of(prompt).pipe(
      generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING, runOptions: fast }),
      refine(client, { workflow: wf.refine, binding: TINY_IMAGE_BINDING, runOptions: fast }),
      upscale(client, { workflow: wf.upscale, binding: TINY_IMAGE_BINDING, runOptions: fast }),
    );

  it('unsubscribing in the middle of 20 parallel pipelines cancels every queue item they created; none stays pending or running', async () => {
    const created = since();
    emu.faults.stallNode('esrgan', { ms: 150, times: 1_000 });
    const results: StageOutput[] = [];
    let doneAtUnsubscribe = new Set<number>();
    let runningAtUnsubscribe = new Set<number>();
    const pipelines = Array.from({ length: 20 }, (_, i) => chain(`prompt ${i}`));
    await new Promise<void>((resolve, reject) => {
      const sub = merge(...pipelines).subscribe({
        next: (r) => {
          results.push(r);
          if (results.length === 2) {
            // Hold the (otherwise near-instant) toy queue as a busy GPU would, so that work is
            // still queued when the subscriber leaves.
            emu.faults.pause();
            doneAtUnsubscribe = new Set(created().filter((i) => i.status === 'completed').map((i) => i.item_id));
            runningAtUnsubscribe = new Set(created().filter((i) => i.status === 'in_progress').map((i) => i.item_id));
            sub.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    await vi.waitFor(() => expect(created().filter((i) => i.status === 'pending' || i.status === 'in_progress')).toEqual([]), REAL_TIME);
    emu.faults.resume();
    emu.faults.clear();
    const mine = created();
    expect(mine.length).toBeGreaterThanOrEqual(20);
    expect(unfinished(emu)).toEqual([]);
    // Everything that had not completed when the subscriber left was canceled on the server (the
    // one item running at that instant may have finished before its cancel arrived).
    expect(runningAtUnsubscribe.size).toBeLessThanOrEqual(1);
    const leftOver = mine.filter((i) => !doneAtUnsubscribe.has(i.item_id) && !runningAtUnsubscribe.has(i.item_id));
    expect(leftOver.length).toBeGreaterThan(0);
    expect(leftOver.map((i) => [i.item_id, i.status])).toEqual(leftOver.map((i) => [i.item_id, 'canceled']));
    // Every chain that had not delivered made no further queue item after the unsubscribe.
    await new Promise((r) => setTimeout(r, 300));
    expect(created().length).toBe(mine.length);
    for (const r of results) expect(emu.queue.get(r.item_id!)?.status).toBe('completed');
  });

  it('streamingPipeline unsubscribed mid-run: the abandoned chains leave no intermediate image, delivered finals stay', async () => {
    const created = since();
    const newImages = imagesSince();
    emu.faults.stallNode('esrgan', { ms: 80, times: 1_000 });
    const finals: StageOutput[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = from(Array.from({ length: 12 }, (_, i) => `p${i}`))
        .pipe(
          streamingPipeline(
            client,
            {
              base: { workflow: wf.base, binding: TINY_BASE_BINDING, runOptions: fast },
              refiner: { workflow: wf.refine, binding: TINY_IMAGE_BINDING, runOptions: fast },
              upscaler: { workflow: wf.upscale, binding: TINY_IMAGE_BINDING, runOptions: fast },
            },
            { concurrency: 6 },
          ),
        )
        .subscribe({
          next: (r) => {
            if (r.stage === 'upscale') finals.push(r);
            if (finals.length === 3) {
              sub.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
    });
    emu.faults.clear();
    await vi.waitFor(() => expect(unfinished(emu)).toEqual([]), REAL_TIME);
    // Every image some run of this pipeline took as input (a base or refined image) was an
    // intermediate: delivered chains deleted them as results passed, abandoned chains on teardown.
    // Those deletions are sent without waiting, so give them time to land.
    const inputs = () => created().map(inputImageOf).filter((n): n is string => n !== undefined);
    expect(inputs().length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(inputs().filter((n) => emu.images.hasImage(n))).toEqual([]), REAL_TIME);
    for (const r of finals) expect(emu.images.hasImage(r.imageName)).toBe(true);
    expect(newImages().length).toBeGreaterThanOrEqual(finals.length);
  });

  it("a failed stage ('skip'): the failed chain's intermediates are deleted; final results never are", async () => {
    emu.faults.failNode('esrgan', { error_type: 'RuntimeError', error_message: 'upscale failed', times: 2 });
    const failures = new Subject<StageFailure>();
    const reported: StageFailure[] = [];
    failures.subscribe((f) => reported.push(f));
    const results = await lastValueFrom(
      from(['a', 'b', 'c', 'd']).pipe(
        generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }),
        refine(client, { workflow: wf.refine, binding: TINY_IMAGE_BINDING }),
        upscale(client, { workflow: wf.upscale, binding: TINY_IMAGE_BINDING, onError: 'skip', failures }),
        cleanup(client, { failures }),
        toArray(),
      ),
    );
    expect(results.map((r) => r.lineage.prompt)).toEqual(['c', 'd']);
    expect(reported.map((f) => f.prompt)).toEqual(['a', 'b']);
    for (const f of reported) {
      // The failed chain's base and refined images are intermediates nobody will receive: deleted.
      expect(f.created).toHaveLength(2);
      for (const n of f.created) expect(emu.images.hasImage(n), `${n} deleted`).toBe(false);
    }
    for (const r of results) {
      expect(emu.images.hasImage(r.imageName)).toBe(true);
      for (const n of r.created) expect(emu.images.hasImage(n)).toBe(false);
    }
  });

  it("a failed stage ('throw'): the error is typed and the failed input's intermediates are deleted before it arrives", async () => {
    emu.faults.failNode('esrgan', { error_type: 'RuntimeError', error_message: 'upscale failed' });
    const seen: StageOutput[] = [];
    const outcome = await settle(
      lastValueFrom(
        of('only').pipe(
          generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }),
          refine(client, { workflow: wf.refine, binding: TINY_IMAGE_BINDING }),
          upscale(client, { workflow: wf.upscale, binding: TINY_IMAGE_BINDING }),
          cleanup(client),
          take(1),
        ),
      ).then((r) => seen.push(r)),
    );
    expect(!outcome.ok && isQueueItemFailedError(outcome.error) && outcome.error.error_message).toBe('upscale failed');
    const item = !outcome.ok && isQueueItemFailedError(outcome.error) ? outcome.error.item : null;
    // The upscale's input (the refined image) and its base are gone.
    const input = item ? inputImageOf(item) : undefined;
    expect(input).toBeDefined();
    expect(emu.images.hasImage(input!)).toBe(false);
    expect(seen).toEqual([]);
  });

  it('fallback chain: the passed-through base image is kept until its descendant arrives, then deleted; the final stays', async () => {
    emu.faults.failNode('img_blur', { error_type: 'RuntimeError', error_message: 'refine failed' });
    const results = await lastValueFrom(
      of('fallback').pipe(
        generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }),
        refine(client, { workflow: wf.refine, binding: TINY_IMAGE_BINDING, onError: 'fallback' }),
        upscale(client, { workflow: wf.upscale, binding: TINY_IMAGE_BINDING }),
        cleanup(client),
        toArray(),
      ),
    );
    expect(results).toHaveLength(1);
    const [final] = results;
    expect(final!.ok).toBe(true);
    expect(emu.images.hasImage(final!.imageName)).toBe(true);
    expect(final!.created).toHaveLength(1);
    expect(emu.images.hasImage(final!.created[0]!)).toBe(false);
  });
});
