import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/errors/HttpError.js';
import { cancelUnfinished } from '../../src/run/cancelUnfinished.js';
import type { EnqueueBatchResult } from '../../src/schemas/queue.js';
import { fakeClient, fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';

const BATCH_ID = 'b-1';
const answer = { item_ids: [7] } as EnqueueBatchResult;

/** @test {cancelUnfinished} */
describe('cancelUnfinished', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('sends nothing when nothing was sent yet', () => {
    const client = fakeClient();
    cancelUnfinished(client.queue, BATCH_ID, { stage: 'connecting' });
    expect(client.calls).toEqual([]);
  });

  it('one unfinished item: PUT /i/{id}/cancel; several: cancel by batch id; none: nothing', () => {
    scheduler.run(({ cold }) => {
      const client = fakeClient({
        queue: { cancelItem: () => cold('-x|', { x: fakeQueueItem({ item_id: 7, status: 'canceled' }) }), cancelByBatchIds: () => cold('-x|', { x: { canceled: 2 } }) },
      });
      cancelUnfinished(client.queue, BATCH_ID, { stage: 'tracking', active: [7] });
      cancelUnfinished(client.queue, BATCH_ID, { stage: 'tracking', active: [8, 9] });
      cancelUnfinished(client.queue, BATCH_ID, { stage: 'tracking', active: [] });
      scheduler.flush();
      expect(client.calls).toEqual([
        { method: 'queue.cancelItem', args: [7] },
        { method: 'queue.cancelByBatchIds', args: [[BATCH_ID]] },
      ]);
    });
  });

  it('enqueue in flight: waits for its answer, then cancels the batch', () => {
    scheduler.run(({ cold, expectSubscriptions }) => {
      const cancel$ = cold('-x|', { x: { canceled: 1 } });
      const client = fakeClient({ queue: { cancelByBatchIds: () => cancel$ } });
      cancelUnfinished(client.queue, BATCH_ID, { stage: 'enqueuing', enqueue$: cold('---r|', { r: answer }), error: undefined });
      expectSubscriptions(cancel$.subscriptions).toBe('---^-!');
    });
  });

  it('enqueue in flight that then fails: cancels anyway (it may have queued the batch)', () => {
    scheduler.run(({ cold, expectSubscriptions }) => {
      const cancel$ = cold('-x|', { x: { canceled: 0 } });
      const client = fakeClient({ queue: { cancelByBatchIds: () => cancel$ } });
      cancelUnfinished(client.queue, BATCH_ID, { stage: 'enqueuing', enqueue$: cold('--#', undefined, new Error('socket hang up')), error: undefined });
      expectSubscriptions(cancel$.subscriptions).toBe('--^-!');
    });
  });

  it('an enqueue rejected with a 4xx queued nothing: nothing to cancel; a 5xx may have', () => {
    scheduler.run(({ cold }) => {
      const client = fakeClient({ queue: { cancelByBatchIds: () => cold('-x|', { x: { canceled: 0 } }) } });
      const url = 'http://127.0.0.1:9090/api/v1/queue/default/enqueue_batch';
      const rejected = new HttpError({ method: 'POST', url, status: 422 });
      const failed = new HttpError({ method: 'POST', url, status: 503 });
      cancelUnfinished(client.queue, BATCH_ID, { stage: 'enqueuing', enqueue$: cold('#', undefined, rejected), error: rejected });
      scheduler.flush();
      expect(client.callsTo('queue.cancelByBatchIds')).toEqual([]);
      cancelUnfinished(client.queue, BATCH_ID, { stage: 'enqueuing', enqueue$: cold('#', undefined, failed), error: failed });
      scheduler.flush();
      expect(client.callsTo('queue.cancelByBatchIds')).toEqual([[[BATCH_ID]]]);
    });
  });

  it('a failing cancel request is swallowed', () => {
    scheduler.run(({ cold }) => {
      const client = fakeClient({ queue: { cancelItem: () => cold('-#', undefined, new Error('gone')) } });
      expect(() => {
        cancelUnfinished(client.queue, BATCH_ID, { stage: 'tracking', active: [7] });
        scheduler.flush();
      }).not.toThrow();
    });
  });
});
