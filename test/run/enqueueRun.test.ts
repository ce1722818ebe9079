import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { enqueueRun, socketOrTimeout } from '../../src/run/enqueueRun.js';
import type { Batch } from '../../src/schemas/graph.js';
import type { EnqueueBatchResult } from '../../src/schemas/queue.js';
import { fakeClient } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';

const batch: Batch = { batch_id: 'b-1', graph: { id: 'g', nodes: {}, edges: [] }, runs: 1 };
const answer = { item_ids: [7] } as EnqueueBatchResult;

describe('enqueueRun', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  /** @test {socketOrTimeout} */
  it('socketOrTimeout: emits once the socket connects, or false after the timeout', () => {
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(socketOrTimeout(hot('f-f-t-t', { f: false, t: true }), 10, scheduler)).toBe('----(t|)', { t: true });
      expectObservable(socketOrTimeout(hot('f', { f: false }), 10, scheduler)).toBe('10ms (f|)', { f: false });
      expectObservable(socketOrTimeout(hot('-'), 0, scheduler)).toBe('(f|)', { f: false });
    });
  });

  /** @test {enqueueRun} */
  it('sends the request at once and keeps it alive without subscribers; replays the answer', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const enqueue$ = cold('---r|', { r: answer });
      const client = fakeClient({ queue: { enqueueBatch: () => enqueue$ } });
      const result$ = enqueueRun(client.queue, batch, undefined);
      // A subscriber that leaves early does not abort the request; a late one still gets the answer.
      expectObservable(result$, '^!').toBe('-');
      expectObservable(result$, '10ms ^').toBe('10ms (r|)', { r: answer });
      expectSubscriptions(enqueue$.subscriptions).toBe('^---!');
      scheduler.flush();
      expect(client.callsTo('queue.enqueueBatch')).toEqual([[batch, undefined]]);
    });
  });

  it('asks for the front of the queue only when prepending', () => {
    scheduler.run(({ cold }) => {
      const client = fakeClient({ queue: { enqueueBatch: () => cold('-r|', { r: answer }) } });
      enqueueRun(client.queue, batch, true);
      enqueueRun(client.queue, batch, false);
      scheduler.flush();
      expect(client.callsTo('queue.enqueueBatch')).toEqual([
        [batch, { prepend: true }],
        [batch, undefined],
      ]);
    });
  });
});
