import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { runWorkflow } from '../../operators/runWorkflow.js';
import type { EnqueueBatchResult } from '../../src/schemas/queue.js';
import type { Batch } from '../../src/schemas/graph.js';
import { fakeClient, fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';

const batch: Batch = { batch_id: 'b', graph: { nodes: {}, edges: [] }, runs: 1 };
const enqueued: EnqueueBatchResult = { queue_id: 'default', enqueued: 1, requested: 1, batch: { ...batch, runs: 1 }, priority: 0, item_ids: [3] };

/** @test {runWorkflow} */
describe('runWorkflow (operators entry point)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('runs the batch and completes with its item', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const client = fakeClient({
        queue: {
          enqueueBatch: () => cold('-r|', { r: enqueued }),
          getItem: () => cold('----c|', { c: fakeQueueItem({ item_id: 3, batch_id: 'b', status: 'completed' }) }),
        },
      });
      const run$ = runWorkflow(client, { batch }, { scheduler, pollIntervalWithoutSocket: 10, queuePosition: false });
      expectObservable(run$.pipe(map((e) => e.type))).toBe('- (eq) (c|)', { e: 'enqueued', q: 'queued', c: 'completed' });
    });
  });

  it('cancels the item when unsubscribed', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const cancel$ = cold('-x|', { x: fakeQueueItem({ item_id: 3, status: 'canceled' }) });
      const client = fakeClient({
        queue: {
          enqueueBatch: () => cold('-r|', { r: enqueued }),
          getItem: () => cold('----p|', { p: fakeQueueItem({ item_id: 3, status: 'in_progress' }) }),
          cancelItem: () => cancel$,
        },
      });
      const run$ = runWorkflow(client, { batch }, { scheduler, pollIntervalWithoutSocket: 10, queuePosition: false });
      expectObservable(run$.pipe(map((e) => e.type)), '^ 7ms !').toBe('- (eq) s', { e: 'enqueued', q: 'queued', s: 'started' });
      expectSubscriptions(cancel$.subscriptions).toBe('8ms ^-!');
      scheduler.flush();
      expect(client.callsTo('queue.cancelItem')).toEqual([[3]]);
    });
  });
});
