import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { queuedEvents } from '../../src/run/queuedEvents.js';
import type { SessionQueueAndProcessorStatus } from '../../src/schemas/queue.js';
import { fakeClient } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';

const status = (pending: number): SessionQueueAndProcessorStatus => ({
  queue: { queue_id: 'default', pending, in_progress: 1, waiting: 0, completed: 0, failed: 0, canceled: 0, total: pending + 1 },
  processor: { is_started: true, is_processing: true },
});

/** @test {queuedEvents} */
describe('queuedEvents', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });
  const queued = (item_id: number, position: number | null) => ({ type: 'queued', item_id, position });

  it('FIFO: every other pending item is ahead of the run’s first item', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const client = fakeClient({ queue: { getStatus: () => cold('-(s|)', { s: status(5) }) } });
      // 5 pending, 2 of them ours: 3 ahead of item 8, 4 ahead of item 9.
      expectObservable(queuedEvents(client.queue, [8, 9], { askPosition: true, prepend: false, timeout: 10, scheduler })).toBe('-(ab|)', {
        a: queued(8, 3),
        b: queued(9, 4),
      });
    });
  });

  it('prepended: the run’s items are first', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const client = fakeClient({ queue: { getStatus: () => cold('-(s|)', { s: status(5) }) } });
      expectObservable(queuedEvents(client.queue, [8, 9], { askPosition: true, prepend: true, timeout: 10, scheduler })).toBe('-(ab|)', {
        a: queued(8, 0),
        b: queued(9, 1),
      });
    });
  });

  it('a slow or failing status request, or not asking, leaves the position unknown', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const slow = fakeClient({ queue: { getStatus: () => cold('-----s|', { s: status(5) }) } });
      expectObservable(queuedEvents(slow.queue, [8], { askPosition: true, prepend: false, timeout: 3, scheduler })).toBe('---(a|)', { a: queued(8, null) });
      const broken = fakeClient({ queue: { getStatus: () => cold('-#') } });
      expectObservable(queuedEvents(broken.queue, [8], { askPosition: true, prepend: false, timeout: 3, scheduler })).toBe('-(a|)', { a: queued(8, null) });
      const unasked = fakeClient();
      expectObservable(queuedEvents(unasked.queue, [8], { askPosition: false, prepend: false, timeout: 3, scheduler })).toBe('(a|)', { a: queued(8, null) });
      scheduler.flush();
      expect(unasked.calls).toEqual([]);
    });
  });
});
