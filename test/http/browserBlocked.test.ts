import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveConfig } from '../../src/client/config.js';
import { isNetworkError } from '../../src/errors/guards.js';
import { createTokenStore, type HttpContext } from '../../src/http/HttpContext.js';
import { isRetryable } from '../../src/http/retry.js';
import { request$ } from '../../src/http/request.js';

const g = globalThis as { document?: unknown; location?: unknown };

afterEach(() => {
  delete g.document;
  delete g.location;
});

/** A context whose fetch fails the way a browser's does: a bare TypeError, counted. */
function browserContext(): HttpContext & { calls: number } {
  const ctx = {
    config: resolveConfig({ baseUrl: 'http://127.0.0.1:9090', retry: { limit: 3, baseDelay: 1 } }),
    ...createTokenStore(undefined),
    calls: 0,
    fetch: async () => {
      ctx.calls++;
      throw new TypeError('Failed to fetch');
    },
  };
  return ctx;
}

describe('a request the browser blocked', () => {
  it('is a NetworkError that is blocked, not ambiguous, not retried, and says how to allow the origin', async () => {
    g.document = {};
    g.location = { origin: 'http://app.example:5173' };
    const ctx = browserContext();
    const error = await lastValueFrom(request$(ctx, { method: 'GET', path: '/api/v1/app/version', schema: z.unknown() })).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect(error).toMatchObject({ blocked: true, ambiguous: false });
    expect((error as Error).message).toContain('allow_origins');
    expect((error as Error).message).toContain('http://app.example:5173');
    expect(ctx.calls).toBe(1);
    expect(isRetryable(error, { idempotent: true })).toBe(false);
  });

  it('in Node the same TypeError is an ordinary network failure, retried for idempotent requests', async () => {
    const ctx = browserContext();
    const error = await lastValueFrom(request$(ctx, { method: 'GET', path: '/api/v1/app/version', schema: z.unknown() })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NetworkError', blocked: false, ambiguous: true });
    expect(ctx.calls).toBe(4);
  });
});
