import { Subject, from, lastValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, generateBase, refine, type CleanupLeftover, type StageFailure, type StageOutput } from '../../operators/index.js';
import type { ClientOptions, InvokeAIClient } from '../../src/client/types.js';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { TINY_BASE_BINDING, TINY_IMAGE_BINDING, duplicatedBatches, fastClient, tinyWorkflows } from './support.js';
import { type OutageProxy, startOutageProxy } from './outageProxy.js';

const Q = '/api/v1/queue/{queue_id}';
const wf = tinyWorkflows();
const PROMPTS = ['first', 'second', 'third'];

describe('reliability: outages and single failures do not end a run', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(() => emu.faults.clear());

  /** A client whose budget is a time, not a count of attempts (the default policy, with short delays). */
  const budgetClient = (options: ClientOptions = {}, url = emu.url) =>
    fastClient({ url }, { ...options, retry: { limit: Infinity, for: 15_000, ...options.retry } });

  const pipeline = (c: InvokeAIClient, extra: { failures?: Subject<StageFailure>; leftovers?: Subject<CleanupLeftover> } = {}) =>
    from(PROMPTS).pipe(
      generateBase(c, { workflow: wf.base, binding: TINY_BASE_BINDING, ...(extra.failures ? { onError: 'skip' as const, failures: extra.failures } : {}) }),
      refine(c, { workflow: wf.refine, binding: TINY_IMAGE_BINDING, ...(extra.failures ? { onError: 'skip' as const, failures: extra.failures } : {}) }),
      cleanup(c, { ...(extra.failures ? { failures: extra.failures } : {}), ...(extra.leftovers ? { leftovers: extra.leftovers } : {}) }),
    );

  /** Every queue item created since `before` completed, and none twice. */
  const expectOneCompletedItemPerStage = (before: ReadonlySet<number>) => {
    const mine = emu.queue.items().filter((i) => !before.has(i.item_id));
    expect(mine.map((i) => i.status)).toEqual(PROMPTS.flatMap(() => ['completed', 'completed']));
    expect(duplicatedBatches(emu, new Set(mine.map((i) => i.batch_id)))).toEqual([]);
  };

  const itemIds = () => new Set(emu.queue.items().map((i) => i.item_id));

  it.each(['throw', 'skip'] as const)("a 500 on a queue-item read mid-pipeline (onError '%s'): every result is delivered", async (mode) => {
    const client = budgetClient();
    const before = itemIds();
    emu.faults.httpErrors({ status: 500, count: 2, route: `${Q}/i/{item_id}`, method: 'GET' });
    const failures = new Subject<StageFailure>();
    const lost: StageFailure[] = [];
    failures.subscribe((f) => lost.push(f));
    const results = await lastValueFrom(pipeline(client, mode === 'skip' ? { failures } : {}).pipe(toArray()));
    client.close();
    expect(emu.faults.state().httpErrors).toEqual([]);
    expect(lost).toEqual([]);
    expect(results.map((r) => r.lineage.prompt).sort()).toEqual([...PROMPTS].sort());
    expectOneCompletedItemPerStage(before);
  });

  it('a 503 burst longer than the old 3 retries, shorter than the time budget: the run completes, nothing enqueued twice', async () => {
    const client = budgetClient();
    const before = itemIds();
    emu.faults.httpErrors({ status: 503, count: 8, route: `${Q}/enqueue_batch`, method: 'POST' });
    emu.faults.httpErrors({ status: 502, count: 8, route: `${Q}/i/{item_id}`, method: 'GET' });
    const results = await lastValueFrom(pipeline(client).pipe(toArray()));
    client.close();
    expect(emu.faults.state().httpErrors).toEqual([]);
    expect(results).toHaveLength(PROMPTS.length);
    expectOneCompletedItemPerStage(before);
  });

  it('a queue that is full is waited out within the budget', async () => {
    const full = await startEmulator({ maxQueueSize: 1 });
    const client = budgetClient({}, full.url);
    try {
      // Three prompts at once through generateBase: the queue holds one pending item at a time.
      const results = await lastValueFrom(from(PROMPTS).pipe(generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }), toArray()));
      expect(results.map((r) => r.lineage.prompt).sort()).toEqual([...PROMPTS].sort());
      expect(full.queue.items().map((i) => i.status)).toEqual(['completed', 'completed', 'completed']);
    } finally {
      client.close();
      await full.close();
    }
  });

  describe('the server is unreachable for ~2 s mid-run', () => {
    let proxy: OutageProxy;
    beforeAll(async () => {
      proxy = await startOutageProxy(emu);
    });
    afterAll(async () => {
      await proxy.close();
    });

    it('the run waits it out and completes', async () => {
      const client = budgetClient({}, proxy.url);
      const before = itemIds();
      let outage: Promise<void> | undefined;
      const results = await lastValueFrom(
        pipeline(client).pipe(
          tap(() => {
            // After the first result: refused connections for 2 s, then the same port again.
            outage ??= proxy.down().then(() => new Promise((resolve) => setTimeout(resolve, 2_000))).then(() => proxy.up());
          }),
          toArray(),
        ),
      );
      await outage;
      client.close();
      expect(results).toHaveLength(PROMPTS.length);
      expectOneCompletedItemPerStage(before);
    });
  });

  describe('cleanup with 503 + Retry-After on deletes', () => {
    it('delivers each result before its deletes are answered; completion waits until they are', async () => {
      const client = budgetClient();
      emu.faults.httpErrors({ status: 503, count: 2, route: '/api/v1/images/delete', method: 'POST', retryAfter: 1 });
      const baseAtDelivery: boolean[] = [];
      const results = await lastValueFrom(
        pipeline(client).pipe(
          tap((r: StageOutput) => baseAtDelivery.push(emu.images.hasImage(r.lineage.base!))),
          toArray(),
        ),
      );
      client.close();
      // The first delete is answered 503 and retried a second later: its result did not wait.
      expect(baseAtDelivery[0]).toBe(true);
      expect(emu.faults.state().httpErrors).toEqual([]);
      // Completed: every base image is gone, every final stays.
      for (const r of results) {
        expect(emu.images.hasImage(r.lineage.base!)).toBe(false);
        expect(emu.images.hasImage(r.imageName)).toBe(true);
      }
    });

    it('records what it could not delete as leftovers (and leaves those images for a later clean)', async () => {
      const client = budgetClient({ retry: { for: 300 } });
      emu.faults.httpErrors({ status: 503, count: 1_000, route: '/api/v1/images/delete', method: 'POST', retryAfter: 0 });
      const leftovers = new Subject<CleanupLeftover>();
      const recorded: CleanupLeftover[] = [];
      leftovers.subscribe((l) => recorded.push(l));
      const results = await lastValueFrom(pipeline(client, { leftovers }).pipe(toArray()));
      client.close();
      emu.faults.clear();
      expect(results).toHaveLength(PROMPTS.length);
      const bases = results.map((r) => r.lineage.base!).sort();
      expect(recorded.flatMap((l) => l.imageNames).sort()).toEqual(bases);
      expect(recorded.every((l) => l.reason === 'failed')).toBe(true);
      for (const b of bases) expect(emu.images.hasImage(b)).toBe(true);
    });
  });
});
