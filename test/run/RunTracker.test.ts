import { describe, expect, it } from 'vitest';
import { RunTracker } from '../../src/run/RunTracker.js';
import { fakeQueueItem } from '../support/fakeClient.js';

function tracker(timeouts = {}) {
  let now = 0;
  const t = new RunTracker({ now: () => now, timeouts });
  return { t, tick: (ms: number) => (now += ms) };
}

describe('RunTracker', () => {
  it('ignores statuses older than the latest one (status_sequence), e.g. a poll answer overtaken by an event', () => {
    const { t, tick } = tracker();
    t.setEnqueued([1]);
    tick(5);
    expect(t.onStatus(1, 'in_progress', 1).events).toEqual([{ type: 'started', item_id: 1, at: 5 }]);
    expect(t.onStatus(1, 'pending', 0)).toEqual({ events: [], terminal: false });
    expect(t.onStatus(1, 'in_progress', 1)).toEqual({ events: [], terminal: false });
    expect(t.onStatus(1, 'completed', 2)).toEqual({ events: [], terminal: true });
  });

  it('without status_sequence, never moves a status backwards', () => {
    const { t } = tracker();
    t.setEnqueued([1]);
    t.onStatus(1, 'in_progress', null);
    expect(t.onStatus(1, 'pending', undefined)).toEqual({ events: [], terminal: false });
  });

  it('resolves an item once; later signals for it are ignored', () => {
    const { t } = tracker();
    t.setEnqueued([1]);
    const done = fakeQueueItem({ item_id: 1, status: 'completed' });
    expect(t.resolve(done, undefined).type).toBe('completed');
    expect(t.resolve(done, undefined)).toEqual({ type: 'pending' });
    expect(t.onStatus(1, 'completed', 3)).toEqual({ events: [], terminal: false });
    expect(t.done).toBe(true);
  });

  it('drops invocation events that trail a terminal status (a canceled node finishing)', () => {
    const { t } = tracker();
    t.setEnqueued([1]);
    t.resolve(fakeQueueItem({ item_id: 1, status: 'canceled' }), undefined);
    const trailing = { invocation_source_id: 'n', result: { type: 'image_output' } } as never;
    expect(t.onInvocation(1, 'invocation_complete', trailing)).toEqual([]);
  });

  it('an item that was never seen running but got invocation events counts as started', () => {
    const { t, tick } = tracker();
    t.setEnqueued([1]);
    tick(3);
    const progress = { invocation_source_id: 'den', percentage: 0.25, message: 'step 1', image: null } as never;
    expect(t.onInvocation(1, 'invocation_progress', progress)).toEqual([
      { type: 'started', item_id: 1, at: 3 },
      { type: 'progress', item_id: 1, node_id: 'den', percentage: 0.25, message: 'step 1', image: null },
    ]);
  });

  it('the queued clock does not count time spent behind the run’s own running items', () => {
    const { t, tick } = tracker({ queued: 10 });
    t.setEnqueued([1, 2]);
    expect(t.nextDeadline()).toEqual({ at: 10, phase: 'queued', timeout: 10, item_id: 1 });
    tick(4);
    t.onStatus(1, 'in_progress', 1);
    expect(t.nextDeadline()).toBeNull();
    tick(50);
    t.resolve(fakeQueueItem({ item_id: 1, status: 'completed' }), undefined);
    expect(t.nextDeadline()).toEqual({ at: 64, phase: 'queued', timeout: 10, item_id: 2 });
  });

  it('picks the nearest of the running, stalled and total limits', () => {
    const { t, tick } = tracker({ running: 100, stalled: 20, total: 500 });
    t.setEnqueued([1]);
    tick(10);
    t.onStatus(1, 'in_progress', 1);
    expect(t.nextDeadline()).toMatchObject({ at: 30, phase: 'stalled', item_id: 1 });
    tick(15);
    t.onInvocation(1, 'invocation_started', { invocation_source_id: 'n' } as never);
    expect(t.nextDeadline()).toMatchObject({ at: 45, phase: 'stalled' });
  });
});
