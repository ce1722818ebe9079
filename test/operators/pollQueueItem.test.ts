import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { pollQueueItem } from '../../operators/pollQueueItem.js';
import { QueueItemCanceledError } from '../../src/errors/QueueItemCanceledError.js';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { RunTimeoutError } from '../../src/errors/RunTimeoutError.js';
import type { SessionQueueItem } from '../../src/schemas/queue.js';
import { fakeClient, fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';

const ID = 42;
const at = (status: SessionQueueItem['status'], seq: number, extra: Partial<SessionQueueItem> = {}) =>
  fakeQueueItem({ item_id: ID, status, status_sequence: seq, ...extra });

/** getItem answers call n with responses[n] (the last one repeats). */
function answers(scheduler: TestScheduler, ...items: SessionQueueItem[]): () => Observable<SessionQueueItem> {
  let n = 0;
  return () => scheduler.createColdObservable('-x|', { x: items[Math.min(n++, items.length - 1)]! });
}

/** @test {pollQueueItem} */
describe('pollQueueItem', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('emits the item at each status change and completes after the terminal one', () => {
    scheduler.run(({ expectObservable }) => {
      const [p, i, c] = [at('pending', 0), at('in_progress', 1), at('completed', 2)];
      const client = fakeClient({ queue: { getItem: answers(scheduler, p, p, i, c) } });
      // Polls at 0, 10, 20, 30, each answered one frame later; the repeated `pending` is dropped.
      expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler })).toBe('-a 19ms b 9ms (c|)', { a: p, b: i, c });
      scheduler.flush();
      expect(client.callsTo('queue.getItem')).toEqual([[ID], [ID], [ID], [ID]]);
    });
  });

  it('never overlaps polls: ticks during a slow request are skipped', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow$ = cold('-------------------------x|', { x: at('completed', 2) });
      const client = fakeClient({ queue: { getItem: () => slow$ } });
      expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler })).toBe('25ms (x|)', { x: at('completed', 2) });
      // One request only; it is released when the terminal item arrives (frame 25).
      expectSubscriptions(slow$.subscriptions).toBe('^ 24ms !');
    });
  });

  it('failed → QueueItemFailedError with the server fields and the failing workflow node', () => {
    scheduler.run(({ expectObservable }) => {
      const failed = at('failed', 2, {
        error_type: 'ZeroDivisionError',
        error_message: 'division by zero',
        error_traceback: 'Traceback (most recent call last):\nZeroDivisionError: division by zero\n',
      });
      failed.session = { ...failed.session, errors: { 'prep-1': 'ZeroDivisionError: division by zero' }, prepared_source_mapping: { 'prep-1': 'divide' } };
      const client = fakeClient({ queue: { getItem: answers(scheduler, at('in_progress', 1), failed) } });
      const expected = new QueueItemFailedError({ item: failed, node_id: 'divide' });
      expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler })).toBe('-a 9ms #', { a: at('in_progress', 1) }, expected);
      expect(expected).toMatchObject({ error_type: 'ZeroDivisionError', error_message: 'division by zero', node_id: 'divide' });
    });
  });

  it('canceled → QueueItemCanceledError', () => {
    scheduler.run(({ expectObservable }) => {
      const canceled = at('canceled', 1);
      const client = fakeClient({ queue: { getItem: answers(scheduler, canceled) } });
      expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler })).toBe('-#', undefined, new QueueItemCanceledError({ item: canceled }));
    });
  });

  describe('timeouts name the phase that ran out', () => {
    it('queued: still pending when the limit passes', () => {
      scheduler.run(({ expectObservable }) => {
        const client = fakeClient({ queue: { getItem: answers(scheduler, at('pending', 0)) } });
        expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler, timeout: { queued: 25 } })).toBe(
          '-a 23ms #',
          { a: at('pending', 0) },
          new RunTimeoutError({ phase: 'queued', timeout: 25, item_id: ID }),
        );
      });
    });

    it('running: counted from the poll that first saw it start', () => {
      scheduler.run(({ expectObservable }) => {
        const client = fakeClient({ queue: { getItem: answers(scheduler, at('pending', 0), at('in_progress', 1)) } });
        expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler, timeout: { running: 30, queued: 100 } })).toBe(
          '-a 9ms b 29ms #',
          { a: at('pending', 0), b: at('in_progress', 1) },
          new RunTimeoutError({ phase: 'running', timeout: 30, item_id: ID }),
        );
      });
    });

    it('stalled: no status change while running', () => {
      scheduler.run(({ expectObservable }) => {
        const client = fakeClient({ queue: { getItem: answers(scheduler, at('in_progress', 1)) } });
        expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler, timeout: { stalled: 15, running: 100 } })).toBe(
          '-a 14ms #',
          { a: at('in_progress', 1) },
          new RunTimeoutError({ phase: 'stalled', timeout: 15, item_id: ID }),
        );
      });
    });

    it('total: from subscription, whatever the phase', () => {
      scheduler.run(({ expectObservable }) => {
        const client = fakeClient({ queue: { getItem: answers(scheduler, at('pending', 0), at('in_progress', 1)) } });
        expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler, timeout: { total: 18 } })).toBe(
          '-a 9ms b 6ms #',
          { a: at('pending', 0), b: at('in_progress', 1) },
          new RunTimeoutError({ phase: 'total', timeout: 18, item_id: ID }),
        );
      });
    });
  });

  it('unsubscribing stops polling and aborts the request in flight', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const get$ = cold('-----x|', { x: at('in_progress', 1) });
      const client = fakeClient({ queue: { getItem: () => get$ } });
      expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler }), '^ 12ms !').toBe('-----x', { x: at('in_progress', 1) });
      expectSubscriptions(get$.subscriptions).toBe(['^-----!', '10ms ^--!']);
    });
  });

  it('rejects a non-positive interval when created', () => {
    expect(() => pollQueueItem(fakeClient(), ID, { interval: 0 })).toThrow(TypeError);
  });
});
