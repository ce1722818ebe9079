import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { generateBase, refine, upscale } from '../../operators/index.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import type { Emulator } from '../../src/emulator/index.js';
import { isQueueItemCanceledError, isQueueItemFailedError, isRunTimeoutError } from '../../src/errors/guards.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import { REAL_TIME, TINY_BASE_BINDING, TINY_IMAGE_BINDING, emulatorWithClient, settle, tinyWorkflows, unfinished, upscaleBatch } from './support.js';

const wf = tinyWorkflows();
type Enqueued = Extract<RunEvent, { type: 'enqueued' }>;

describe('reliability: a node stalls', () => {
  let emu: Emulator;
  let client: InvokeAIClient;
  emulatorWithClient((e, c) => ([emu, client] = [e, c]));
  beforeEach(() => {
    emu.faults.clear();
    emu.faults.resume();
  });

  /** Runs until the error, recording the item it enqueued. */
  async function runToError(options: Parameters<typeof runWorkflow>[2]): Promise<{ error: unknown; itemId: number }> {
    let itemId = -1;
    const outcome = await settle(
      lastValueFrom(
        runWorkflow(client, { batch: upscaleBatch() }, options).pipe(
          tap((e) => {
            if (e.type === 'enqueued') itemId = (e as Enqueued).item_ids[0]!;
          }),
        ),
      ),
    );
    expect(outcome.ok).toBe(false);
    return { error: outcome.ok ? null : outcome.error, itemId };
  }

  for (const phase of ['running', 'stalled', 'total'] as const) {
    it(`a node that never finishes: the '${phase}' timeout fires, names the phase, and the item is canceled on the server`, async () => {
      emu.faults.stallNode('esrgan', { forever: true });
      const { error, itemId } = await runToError({ timeouts: { [phase]: 300 }, pollInterval: 100 });
      expect(isRunTimeoutError(error)).toBe(true);
      if (!isRunTimeoutError(error)) return;
      expect(error.phase).toBe(phase);
      expect(error.timeout).toBe(300);
      expect(error.message).toContain(`phase '${phase}'`);
      expect(error.message).toContain(`timeouts.${phase}`);
      if (phase !== 'total') expect(error.item_id).toBe(itemId);
      await vi.waitFor(() => expect(emu.queue.get(itemId)?.status, `item ${itemId}`).toBe('canceled'), REAL_TIME);
      expect(unfinished(emu)).toEqual([]);
    });
  }

  it("an item that never starts (processor paused): the 'queued' timeout fires and the item is canceled before it runs", async () => {
    emu.faults.pause();
    const { error, itemId } = await runToError({ timeouts: { queued: 200 } });
    expect(isRunTimeoutError(error) && [error.phase, error.item_id]).toEqual(['queued', itemId]);
    await vi.waitFor(() => expect(emu.queue.get(itemId)?.status, `item ${itemId}`).toBe('canceled'), REAL_TIME);
    expect(emu.queue.get(itemId)?.started_at ?? null).toBeNull();
  });

  it('a slow node within its limit is not mistaken for a stall (progress resets the clock)', async () => {
    emu.faults.stallNode('esrgan', { ms: 200 });
    const events = await lastValueFrom(runWorkflow(client, { batch: upscaleBatch() }, { timeouts: { stalled: 5_000, running: 10_000 } }).pipe(toArray()));
    expect(events.at(-1)!.type).toBe('completed');
  });

  it('in a stage, a stalled input errors with RunTimeoutError and its queue item is canceled', async () => {
    const [image] = await lastValueFrom(from(['to upscale']).pipe(generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }), toArray()));
    emu.faults.stallNode('esrgan', { forever: true });
    const outcome = await settle(
      lastValueFrom(from([image!]).pipe(upscale(client, { workflow: wf.upscale, binding: TINY_IMAGE_BINDING, runOptions: { timeouts: { running: 200 } } }))),
    );
    expect(!outcome.ok && isRunTimeoutError(outcome.error) && outcome.error.phase).toBe('running');
    const itemId = !outcome.ok && isRunTimeoutError(outcome.error) ? outcome.error.item_id! : -1;
    await vi.waitFor(() => expect(emu.queue.get(itemId)?.status, `item ${itemId}`).toBe('canceled'), REAL_TIME);
    expect(unfinished(emu)).toEqual([]);
  });
});

describe('reliability: the server restarts mid-run', () => {
  let emu: Emulator;
  let client: InvokeAIClient;
  emulatorWithClient((e, c) => ([emu, client] = [e, c]));
  beforeEach(() => emu.faults.clear());

  for (const inProgressAs of ['canceled', 'failed'] as const) {
    it(`in-flight item marked ${inProgressAs} by the restart: the run errors with the matching typed error, none hangs`, async () => {
      emu.faults.stallNode('esrgan', { ms: 60_000 });
      let itemId = -1;
      const outcome = await settle(
        lastValueFrom(
          runWorkflow(client, { batch: upscaleBatch() }, { pollInterval: 100, pollIntervalWithoutSocket: 50 }).pipe(
            tap((e) => {
              if (e.type === 'started') {
                itemId = e.item_id;
                void emu.faults.restart({ inProgressAs });
              }
            }),
          ),
        ),
      );
      expect(outcome.ok).toBe(false);
      const error = outcome.ok ? null : outcome.error;
      if (inProgressAs === 'canceled') {
        expect(isQueueItemCanceledError(error) && error.item_id).toBe(itemId);
        expect((error as Error).message).toMatch(/resubmit/);
      } else {
        expect(isQueueItemFailedError(error) && [error.item_id, error.error_type]).toEqual([itemId, 'ServerRestartError']);
      }
      expect(emu.queue.get(itemId)?.status).toBe(inProgressAs);
    });
  }

  it('a pipeline of six prompts across a restart: interrupted prompts are reported (skip), the rest complete, nothing hangs', async () => {
    emu.faults.stallNode('esrgan', { ms: 100, times: 100 });
    const failures: unknown[] = [];
    const prompts = Array.from({ length: 6 }, (_, i) => `p${i}`);
    let restarted = false;
    const results = await lastValueFrom(
      from(prompts).pipe(
        generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING, runOptions: { connectTimeout: 100 } }),
        upscale(client, {
          workflow: wf.upscale,
          binding: TINY_IMAGE_BINDING,
          concurrency: 3,
          onError: 'skip',
          failures: (f) => failures.push(f.error),
          runOptions: { pollInterval: 100, pollIntervalWithoutSocket: 50, connectTimeout: 100 },
        }),
        tap(() => {
          if (!restarted) {
            restarted = true;
            void emu.faults.restart();
          }
        }),
        toArray(),
      ),
    );
    expect(restarted).toBe(true);
    // Every prompt is accounted for exactly once: a result or a reported failure.
    expect(results.length + failures.length).toBe(prompts.length);
    for (const e of failures) expect(isQueueItemCanceledError(e)).toBe(true);
    await vi.waitFor(() => expect(unfinished(emu)).toEqual([]), REAL_TIME);
  });

  it('items still pending at the restart run afterwards and complete', async () => {
    emu.faults.stallNode('esrgan', { ms: 200, times: 1 });
    const events: RunEvent[] = [];
    const outcome = await settle(
      lastValueFrom(
        runWorkflow(client, { batch: upscaleBatch(3) }, { itemErrors: 'emit', pollInterval: 100, pollIntervalWithoutSocket: 50 }).pipe(
          tap((e) => {
            events.push(e);
            if (e.type === 'started' && events.filter((x) => x.type === 'started').length === 1) void emu.faults.restart();
          }),
        ),
      ),
    );
    expect(outcome.ok).toBe(true);
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'completed')).toHaveLength(2);
  });

  it('refine after a restart keeps working on the same client (reconnected socket)', async () => {
    await emu.faults.restart();
    const results = await lastValueFrom(
      from(['after restart']).pipe(
        generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }),
        refine(client, { workflow: wf.refine, binding: TINY_IMAGE_BINDING }),
        toArray(),
      ),
    );
    expect(results.map((r) => r.ok)).toEqual([true]);
  });
});
