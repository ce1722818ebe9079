import { describe, expect, it } from 'vitest';
import type { ReaderWarning } from '../../src/client/warnings.js';
import { RunTracker, isTerminalStatus } from '../../src/run/RunTracker.js';
import { fakeQueueItem } from '../support/fakeClient.js';

function tracker(timeouts = {}) {
  let now = 0;
  const warnings: ReaderWarning[] = [];
  const t = new RunTracker({ now: () => now, timeouts, warn: (w) => warnings.push(w) });
  return { t, warnings, tick: (ms: number) => (now += ms) };
}

describe('RunTracker and a status it does not know', () => {
  it('is neither terminal nor a start, and is warned about once per run', () => {
    const { t, warnings } = tracker();
    t.setEnqueued([1, 2]);
    expect(t.onStatus(1, 'paused', 1)).toEqual({ events: [], terminal: false });
    expect(t.onStatus(2, 'suspended', 1)).toEqual({ events: [], terminal: false });
    expect(t.activeIds()).toEqual([1, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'unknown-status', item_id: 1, status: 'paused' });
    expect(isTerminalStatus('paused')).toBe(false);
  });

  it('a fetched item with an unknown status stays pending; it resolves when it completes', () => {
    const { t } = tracker();
    t.setEnqueued([1]);
    expect(t.resolve(fakeQueueItem({ item_id: 1, status: 'paused', status_sequence: 2 }), undefined)).toEqual({ type: 'pending' });
    expect(t.done).toBe(false);
    expect(t.resolve(fakeQueueItem({ item_id: 1, status: 'completed', status_sequence: 3 }), undefined).type).toBe('completed');
    expect(t.done).toBe(true);
  });

  it('moves the sequence on, so an older known status stays stale; a newer one applies', () => {
    const { t } = tracker();
    t.setEnqueued([1]);
    t.onStatus(1, 'paused', 5);
    expect(t.onStatus(1, 'in_progress', 4)).toEqual({ events: [], terminal: false });
    expect(t.onStatus(1, 'in_progress', 6).events).toMatchObject([{ type: 'started', item_id: 1 }]);
  });

  it('counts as a sign of life for the stalled limit, and the limits still apply', () => {
    const { t, tick } = tracker({ stalled: 10, total: 100 });
    t.setEnqueued([1]);
    t.onStatus(1, 'in_progress', 1);
    tick(8);
    t.onStatus(1, 'paused', 2);
    expect(t.nextDeadline()).toMatchObject({ phase: 'stalled', at: 18 });
    tick(100);
    expect(t.nextDeadline()).toMatchObject({ phase: 'stalled' });
  });
});
