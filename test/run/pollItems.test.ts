import { of, take } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/errors/HttpError.js';
import { isNotFound, pollItems, pollTicks, readItems } from '../../src/run/pollItems.js';
import { fakeClient, fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';

const notFound = new HttpError({ method: 'GET', url: 'http://127.0.0.1:9090/api/v1/queue/default/i/7', status: 404 });
const serverError = new HttpError({ method: 'GET', url: 'http://127.0.0.1:9090/api/v1/queue/default/i/7', status: 500 });

describe('pollItems', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  /** @test {pollTicks} */
  describe('pollTicks', () => {
    it('connected from the start: the first read waits one interval (events are flowing)', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const ticks = pollTicks(cold('t', { t: true }), { interval: 10, intervalWithoutSocket: 3, scheduler });
        expectObservable(ticks.pipe(take(3))).toBe('10ms a 9ms b 9ms (c|)', { a: 0, b: 1, c: 2 });
      });
    });

    it('without a socket: reads at once, then at the fast cadence', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const ticks = pollTicks(cold('f', { f: false }), { interval: 10, intervalWithoutSocket: 3, scheduler });
        expectObservable(ticks.pipe(take(3))).toBe('a 2ms b 2ms (c|)', { a: 0, b: 1, c: 2 });
      });
    });

    it('a drop switches to the fast cadence at once; a reconnect reads at once (resync), then slowly', () => {
      scheduler.run(({ hot, expectObservable }) => {
        // Connected at 0 (reads at 10), down at 15 (reads at 15, 19, 23), up again at 25 (reads at 25, 35).
        const connected$ = hot('t 14ms f 9ms t', { t: true, f: false });
        const ticks = pollTicks(connected$, { interval: 10, intervalWithoutSocket: 4, scheduler });
        expectObservable(ticks, '^ 39ms !').toBe('10ms a 4ms a 3ms b 3ms c 1ms a 9ms b', { a: 0, b: 1, c: 2 });
      });
    });

    it('a repeated connection state changes nothing', () => {
      scheduler.run(({ hot, expectObservable }) => {
        const ticks = pollTicks(hot('t 4ms t', { t: true }), { interval: 10, intervalWithoutSocket: 3, scheduler });
        expectObservable(ticks, '^ 24ms !').toBe('10ms a 9ms b', { a: 0, b: 1 });
      });
    });
  });

  /** @test {readItems} */
  describe('readItems', () => {
    it('reads nothing for no ids', () => {
      scheduler.run(({ expectObservable }) => {
        const client = fakeClient();
        expectObservable(readItems(client.queue, [])).toBe('|');
        scheduler.flush();
        expect(client.calls).toEqual([]);
      });
    });

    it('one id: GET /i/{id}', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const item = fakeQueueItem({ item_id: 7, status: 'in_progress' });
        const client = fakeClient({ queue: { getItem: () => cold('-x|', { x: item }) } });
        expectObservable(readItems(client.queue, [7])).toBe('-p|', { p: { items: [item], missing: [] } });
        scheduler.flush();
        expect(client.callsTo('queue.getItem')).toEqual([[7]]);
      });
    });

    it('one id answered 404: the item is missing; any other error goes through', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const gone = fakeClient({ queue: { getItem: () => cold('-#', undefined, notFound) } });
        expectObservable(readItems(gone.queue, [7])).toBe('-(p|)', { p: { items: [], missing: [7] } });
        const broken = fakeClient({ queue: { getItem: () => cold('-#', undefined, serverError) } });
        expectObservable(readItems(broken.queue, [7])).toBe('-#', undefined, serverError);
      });
    });

    it('several ids: one items_by_ids request; an id left out is read alone, and missing on a 404', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const eight = fakeQueueItem({ item_id: 8, status: 'completed' });
        const client = fakeClient({ queue: { getItems: () => cold('--x|', { x: [eight] }), getItem: () => cold('-#', undefined, notFound) } });
        expectObservable(readItems(client.queue, [8, 9])).toBe('---(p|)', { p: { items: [eight], missing: [9] } });
        scheduler.flush();
        expect(client.callsTo('queue.getItems')).toEqual([[[8, 9]]]);
        expect(client.callsTo('queue.getItem')).toEqual([[9]]);
      });
    });

    it('several ids: an id left out that the server still has (an entry getItems dropped) is not missing', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const eight = fakeQueueItem({ item_id: 8, status: 'completed' });
        const nine = fakeQueueItem({ item_id: 9, status: 'in_progress' });
        const client = fakeClient({ queue: { getItems: () => cold('-x|', { x: [eight] }), getItem: () => cold('-y|', { y: nine }) } });
        expectObservable(readItems(client.queue, [8, 9])).toBe('---(p|)', { p: { items: [eight, nine], missing: [] } });
      });
    });

    it('isNotFound is true for a 404 only', () => {
      expect(isNotFound(notFound)).toBe(true);
      expect(isNotFound(serverError)).toBe(false);
      expect(isNotFound(new Error('404'))).toBe(false);
    });
  });

  /** @test {pollItems} */
  describe('pollItems', () => {
    it('reads the unfinished items on each tick, never two reads at once', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const one = fakeQueueItem({ item_id: 1, status: 'in_progress' });
        const client = fakeClient({ queue: { getItems: () => cold('-------x|', { x: [one] }), getItem: () => cold('#', undefined, notFound) } });
        // Ticks at 0, 5, 10 (no socket): the read from 0 answers at 7, so the tick at 5 is skipped.
        const polled$ = pollItems(client.queue, of(false), () => [1, 2], { interval: 100, intervalWithoutSocket: 5, scheduler });
        expectObservable(polled$, '^ 11ms !').toBe('7ms p', { p: { items: [one], missing: [2] } });
        scheduler.flush();
        expect(client.callsTo('queue.getItems')).toEqual([[[1, 2]], [[1, 2]]]);
      });
    });

    it('asks for the ids anew on each tick and reads nothing once none is left', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const two = fakeQueueItem({ item_id: 2, status: 'in_progress' });
        const client = fakeClient({ queue: { getItem: () => cold('-x|', { x: two }) } });
        let active = [2];
        // Ticks at 0, 5, 10, 15: reads at 0 and 5 (answered one frame later); from 7 on nothing is unfinished.
        const polled$ = pollItems(client.queue, of(false), () => active, { interval: 100, intervalWithoutSocket: 5, scheduler });
        scheduler.schedule(() => (active = []), 7);
        expectObservable(polled$, '^ 19ms !').toBe('-p 4ms p', { p: { items: [two], missing: [] } });
        scheduler.flush();
        expect(client.callsTo('queue.getItem')).toEqual([[2], [2]]);
      });
    });
  });
});
