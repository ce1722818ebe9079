import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { RunTimeoutError } from '../../src/errors/RunTimeoutError.js';
import { type Deadline, type PhaseClocks, deadlineError, dueDeadlines, isDue, nextDeadline } from '../../src/run/phaseDeadlines.js';
import { createScheduler } from '../support/marbles.js';

const idle: PhaseClocks = { startedAt: 0, queued: null, running: [] };

/** @test {nextDeadline} */
describe('nextDeadline', () => {
  it('is null without limits, and a limit left out or Infinity never falls due', () => {
    expect(nextDeadline({ ...idle, queued: { item_id: 1, since: 0 } }, {})).toBeNull();
    expect(nextDeadline({ ...idle, queued: { item_id: 1, since: 0 } }, { total: Infinity, queued: Infinity })).toBeNull();
  });

  it('total: counts from the start and names no item', () => {
    expect(nextDeadline({ ...idle, startedAt: 100 }, { total: 50 })).toEqual({ at: 150, phase: 'total', timeout: 50, item_id: null });
  });

  it('queued: counts from since when the item waits, only while one waits', () => {
    const waiting: PhaseClocks = { startedAt: 0, queued: { item_id: 3, since: 40 }, running: [] };
    // total due at 100, queued at 40 + 30 = 70.
    expect(nextDeadline(waiting, { queued: 30, total: 100 })).toEqual({ at: 70, phase: 'queued', timeout: 30, item_id: 3 });
    expect(nextDeadline(idle, { queued: 30 })).toBeNull();
  });

  it('running and stalled: the nearest over all started items', () => {
    const clocks: PhaseClocks = {
      startedAt: 0,
      queued: null,
      running: [
        { item_id: 1, startedAt: 10, lastActivity: 50 }, // running 10 + 60 = 70, stalled 50 + 40 = 90
        { item_id: 2, startedAt: 20, lastActivity: 25 }, // running 20 + 60 = 80, stalled 25 + 40 = 65
      ],
    };
    expect(nextDeadline(clocks, { running: 60, stalled: 40 })).toEqual({ at: 65, phase: 'stalled', timeout: 40, item_id: 2 });
    expect(nextDeadline(clocks, { running: 60 })).toEqual({ at: 70, phase: 'running', timeout: 60, item_id: 1 });
  });

  it('on a tie the phase checked first wins: total, queued, running, stalled', () => {
    const clocks: PhaseClocks = { startedAt: 0, queued: { item_id: 1, since: 0 }, running: [{ item_id: 2, startedAt: 0, lastActivity: 0 }] };
    expect(nextDeadline(clocks, { total: 50, queued: 50, running: 50, stalled: 50 })?.phase).toBe('total');
    expect(nextDeadline(clocks, { queued: 50, running: 50, stalled: 50 })?.phase).toBe('queued');
    expect(nextDeadline(clocks, { running: 50, stalled: 50 })?.phase).toBe('running');
  });

  it('a limit of 0 falls due at once', () => {
    expect(nextDeadline({ ...idle, startedAt: 7 }, { total: 0 })).toEqual({ at: 7, phase: 'total', timeout: 0, item_id: null });
  });
});

describe('isDue and deadlineError', () => {
  const d: Deadline = { at: 10, phase: 'stalled', timeout: 4, item_id: 9 };

  it('a deadline is due from its `at` on; none is never due', () => {
    expect(isDue(d, 9)).toBe(false);
    expect(isDue(d, 10)).toBe(true);
    expect(isDue(d, 11)).toBe(true);
    expect(isDue(null, 1e12)).toBe(false);
  });

  it('names the phase, the limit and the item', () => {
    const error = deadlineError(d);
    expect(error).toBeInstanceOf(RunTimeoutError);
    expect(error).toMatchObject({ phase: 'stalled', timeout: 4, item_id: 9 });
  });
});

/** @test {dueDeadlines} */
describe('dueDeadlines', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });
  const at = (t: number, phase: Deadline['phase'] = 'total'): Deadline => ({ at: t, phase, timeout: t, item_id: null });

  it('fires when the deadline falls due, with that deadline', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const d = at(30);
      expectObservable(hot('a', { a: d }).pipe(dueDeadlines(scheduler))).toBe('30ms d', { d });
    });
  });

  it('a new deadline replaces the pending one, earlier or later', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // 30 is replaced at frame 5 by 15 (fires); 40 at frame 20 is replaced at 25 by 50 (fires).
      const [a, b, c, e] = [at(30), at(15, 'queued'), at(40), at(50, 'running')];
      expectObservable(hot('a 4ms b 14ms c 4ms e', { a, b, c, e }).pipe(dueDeadlines(scheduler))).toBe('15ms b 34ms e', { b, e });
    });
  });

  it('null disarms the pending deadline', () => {
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('a 9ms n', { a: at(30), n: null }).pipe(dueDeadlines(scheduler))).toBe('');
    });
  });

  it('a deadline already past fires at once', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const d = at(5);
      expectObservable(hot('10ms a', { a: d }).pipe(dueDeadlines(scheduler))).toBe('10ms d', { d });
    });
  });

  it('the same deadline again keeps its timer: it fires once', () => {
    scheduler.run(({ hot, expectObservable }) => {
      // A fresh but equal deadline (same at, phase, item) at 10 and 20.
      expectObservable(hot('a 9ms b 9ms c', { a: at(30), b: at(30), c: at(30) }).pipe(dueDeadlines(scheduler))).toBe('30ms d', { d: at(30) });
    });
  });
});
