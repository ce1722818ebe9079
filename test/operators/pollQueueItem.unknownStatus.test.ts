import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { pollQueueItem } from '../../operators/pollQueueItem.js';
import type { ReaderWarning } from '../../src/client/warnings.js';
import { RunTimeoutError } from '../../src/errors/RunTimeoutError.js';
import type { SessionQueueItem } from '../../src/schemas/queue.js';
import { fakeClient, fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';

const ID = 42;
const at = (status: string, seq: number) => fakeQueueItem({ item_id: ID, status, status_sequence: seq });

function answers(scheduler: TestScheduler, ...items: SessionQueueItem[]): () => Observable<SessionQueueItem> {
  let n = 0;
  return () => scheduler.createColdObservable('-x|', { x: items[Math.min(n++, items.length - 1)]! });
}

describe('pollQueueItem and a status it does not know', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('keeps polling through it, completes with the terminal status, and warns once', () => {
    scheduler.run(({ expectObservable }) => {
      const [p, x, y, c] = [at('pending', 0), at('paused', 1), at('resting', 2), at('completed', 3)];
      const warnings: ReaderWarning[] = [];
      const client = Object.assign(fakeClient({ queue: { getItem: answers(scheduler, p, x, y, c) } }), { warn: (w: ReaderWarning) => warnings.push(w) });
      expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler })).toBe('-a 9ms b 9ms d 9ms (c|)', { a: p, b: x, d: y, c });
      scheduler.flush();
      expect(warnings).toEqual([expect.objectContaining({ kind: 'unknown-status', item_id: ID, status: 'paused' })]);
    });
  });

  it('is not a start: an item that is only ever unknown runs into the queued limit', () => {
    scheduler.run(({ expectObservable }) => {
      const client = Object.assign(fakeClient({ queue: { getItem: answers(scheduler, at('paused', 1)) } }), { warn: () => {} });
      expectObservable(pollQueueItem(client, ID, { interval: 10, scheduler, timeout: { queued: 25, running: 5 } })).toBe(
        '-a 23ms #',
        { a: at('paused', 1) },
        new RunTimeoutError({ phase: 'queued', timeout: 25, item_id: ID }),
      );
    });
  });
});
