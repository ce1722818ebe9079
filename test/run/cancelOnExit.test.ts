import { Subscription } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cancelOnExit } from '../../src/run/cancelOnExit.js';

describe('cancelOnExit', () => {
  afterEach(() => vi.restoreAllMocks());

  it('on a signal unsubscribes, then exits (code 1 for a signal with no shell code); the returned function removes the handlers', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const subscription = new Subscription();
    const remove = cancelOnExit(subscription, { signals: ['SIGUSR2'] });
    expect(process.listenerCount('SIGUSR2')).toBeGreaterThan(0);
    process.emit('SIGUSR2' as never);
    expect(subscription.closed).toBe(true);
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
    remove();
    const second = new Subscription();
    const before = process.listenerCount('SIGINT');
    const off = cancelOnExit(second);
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    off();
    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(second.closed).toBe(false);
  });
});
