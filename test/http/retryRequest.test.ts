import { defer, throwError } from 'rxjs';
import { describe, it } from 'vitest';
import { HttpError } from '../../src/errors/HttpError.js';
import { DEFAULT_RETRY_OPTIONS, parseRetryAfter } from '../../src/http/retry.js';
import { retryRequest } from '../../src/http/retryRequest.js';
import { createScheduler } from '../support/marbles.js';

const options = { ...DEFAULT_RETRY_OPTIONS, limit: 2, baseDelay: 10, backoffLimit: 1000, jitter: false };
const err = (status: number, retryAfter: string | null = null) =>
  new HttpError({ method: 'GET', url: 'http://h/x', status, retryAfter: parseRetryAfter(retryAfter) });

describe('retryRequest (virtual time)', () => {
  it('resubscribes after the backoff delays and gives up after `limit` retries', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = err(503);
      const source = cold('-#', undefined, error);
      // attempt 1 fails at 1, waits 10; attempt 2 fails at 12, waits 20; attempt 3 fails at 33.
      expectObservable(source.pipe(retryRequest(options, { idempotent: true }))).toBe('33ms #', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!', '32ms ^!']);
    });
  });

  it('waits exactly the Retry-After delay', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      let attempts = 0;
      const source = defer(() => (++attempts === 1 ? throwError(() => err(429, '2')) : cold('-a|')));
      expectObservable(source.pipe(retryRequest({ ...options, backoffLimit: 5000 }, { idempotent: false }))).toBe('2001ms a|');
    });
  });

  it('does not retry a 4xx', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = err(404);
      const source = cold('-#', undefined, error);
      expectObservable(source.pipe(retryRequest(options, { idempotent: true }))).toBe('-#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^!']);
    });
  });

  it('does not retry a 503 of a non-idempotent request', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const error = err(503);
      expectObservable(cold('-#', undefined, error).pipe(retryRequest(options, { idempotent: false }))).toBe('-#', undefined, error);
    });
  });

  it('with a time budget, retries until `for` ms have passed, the last delay cut to the budget', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = err(503);
      const source = cold('-#', undefined, error);
      // Delays 10, 20, 40 (budget 50 from the first attempt): the 3rd delay is cut to 50 - 33 = 17.
      const budget = { ...options, limit: Infinity, for: 50 };
      expectObservable(source.pipe(retryRequest(budget, { idempotent: true }))).toBe('51ms #', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!', '32ms ^!', '50ms ^!']);
    });
  });

  it('retries a 500 at most statusLimits[500] times, whatever the budget', () => {
    createScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = err(500);
      const source = cold('-#', undefined, error);
      const budget = { ...options, limit: Infinity, for: 60_000, statusLimits: { 500: 1 } };
      expectObservable(source.pipe(retryRequest(budget, { idempotent: true }))).toBe('12ms #', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!']);
    });
  });

  it('a single 500 on a read is retried and the read succeeds', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      let attempts = 0;
      const source = defer(() => (++attempts === 1 ? throwError(() => err(500)) : cold('-a|')));
      expectObservable(source.pipe(retryRequest({ ...options, limit: Infinity }, { idempotent: true }))).toBe('11ms a|');
    });
  });

  it('passes values through untouched and is a no-op with limit 0', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|').pipe(retryRequest({ ...options, limit: 0 }, { idempotent: true }))).toBe('-a|');
    });
  });
});
