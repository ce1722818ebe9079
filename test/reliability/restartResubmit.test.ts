import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateBase } from '../../operators/index.js';
import type { StageOutput } from '../../operators/StageResult.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { isQueueItemCanceledError, isQueueItemFailedError } from '../../src/errors/guards.js';
import { REAL_TIME, TINY_BASE_BINDING, fastClient, settle, tinyWorkflows, unfinished } from './support.js';

const wf = tinyWorkflows();

describe('reliability: the server restarts mid-run, with resubmitInterrupted', () => {
  let emu: Emulator;
  let client: InvokeAIClient;

  beforeAll(async () => {
    emu = await startEmulator();
    client = fastClient(emu);
  });
  afterAll(async () => {
    client?.close();
    await emu?.close();
  });
  beforeEach(() => emu.faults.clear());

  /**
   * One prompt through a stage whose saved image comes from a stalled ESRGAN node; the server
   * restarts once that node is running. Returns the stage's outcome and the queue items it made.
   */
  async function stageAcrossRestart(resubmitInterrupted: number | undefined, inProgressAs: 'canceled' | 'failed') {
    const before = new Set(emu.queue.items().map((i) => i.item_id));
    emu.faults.stallNode('esrgan', { ms: 60_000 });
    const outcome = settle(
      lastValueFrom(
        from(['across a restart']).pipe(
          generateBase(client, {
            workflow: wf.stallableBase,
            binding: TINY_BASE_BINDING,
            ...(resubmitInterrupted === undefined ? {} : { resubmitInterrupted }),
            runOptions: { pollInterval: 100, pollIntervalWithoutSocket: 50, connectTimeout: 100 },
          }),
          toArray(),
        ),
      ),
    );
    // The stall is consumed when ESRGAN starts: only then is the item surely mid-run (and the
    // resubmission, if any, runs unstalled).
    // The stage item runs the stalled node.
    await vi.waitFor(() => {
      expect(emu.faults.state().stallNode['esrgan']).toBeUndefined();
      expect(emu.queue.items().filter((i) => !before.has(i.item_id)).map((i) => i.status)).toContain('in_progress');
    }, REAL_TIME);
    await emu.faults.restart({ inProgressAs });
    const settled = await outcome;
    const items = emu.queue
      .items()
      .filter((i) => !before.has(i.item_id))
      .sort((a, b) => a.item_id - b.item_id);
    return { outcome: settled, items };
  }

  for (const inProgressAs of ['canceled', 'failed'] as const) {
    it(`an item marked ${inProgressAs} by the restart is resubmitted: one result, the first item ${inProgressAs}, one completed resubmission`, async () => {
      const { outcome, items } = await stageAcrossRestart(1, inProgressAs);
      expect(outcome.ok).toBe(true);
      const results = (outcome.ok ? outcome.value : []) as StageOutput[];
      expect(results.map((r) => r.ok)).toEqual([true]);
      expect(items.map((i) => i.status)).toEqual([inProgressAs, 'completed']);
      const [interrupted, resubmitted] = items;
      if (inProgressAs === 'failed') expect(interrupted!.error_type).toBe('ServerRestartError');
      // A new batch, and the result is the resubmission's.
      expect(resubmitted!.batch_id).not.toBe(interrupted!.batch_id);
      expect(results[0]!.ok && [results[0]!.item_id, results[0]!.batch_id]).toEqual([resubmitted!.item_id, resubmitted!.batch_id]);
      expect(unfinished(emu)).toEqual([]);
    });

    it(`with the option off, an item marked ${inProgressAs} by the restart errors the stage as before, nothing resubmitted`, async () => {
      const { outcome, items } = await stageAcrossRestart(undefined, inProgressAs);
      expect(outcome.ok).toBe(false);
      const error = outcome.ok ? null : outcome.error;
      expect(items.map((i) => i.status)).toEqual([inProgressAs]);
      if (inProgressAs === 'canceled') expect(isQueueItemCanceledError(error) && error.item_id).toBe(items[0]!.item_id);
      else expect(isQueueItemFailedError(error) && [error.item_id, error.error_type]).toEqual([items[0]!.item_id, 'ServerRestartError']);
    });
  }
});
