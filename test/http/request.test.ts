import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { HttpResponse, delay, http } from 'msw';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveConfig, type InvokeAIClientConfig } from '../../src/client/config.js';
import { AuthError } from '../../src/errors/AuthError.js';
import { HttpError } from '../../src/errors/HttpError.js';
import { NetworkError } from '../../src/errors/NetworkError.js';
import { RequestTimeoutError } from '../../src/errors/RequestTimeoutError.js';
import { SchemaError } from '../../src/errors/SchemaError.js';
import { type HttpContext, createTokenStore } from '../../src/http/HttpContext.js';
import { request$ } from '../../src/http/request.js';
import { BASE_URL, useMswServer } from '../support/msw.js';

const OTHER = 'http://other.test';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl';
const server = useMswServer();

/** A context over the real default fetch, recording the signals it passes. */
function context(options: Partial<InvokeAIClientConfig> = {}): HttpContext & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    if (init?.signal) signals.push(init.signal);
    return globalThis.fetch(input, init);
  };
  const config = resolveConfig({ baseUrl: BASE_URL, ...options, retry: { baseDelay: 1, backoffLimit: 20, ...options.retry } });
  return { config, fetch, ...createTokenStore(options.token), signals };
}

const zVersion = z.object({ version: z.string() });
const getVersion = { method: 'GET', path: '/api/v1/app/version', schema: zVersion } as const;

describe('request$', () => {
  it('is cold: sends nothing before subscription and one request per subscription', async () => {
    let count = 0;
    server.use(http.get(`${BASE_URL}/api/v1/app/version`, () => (count++, HttpResponse.json({ version: '6.14.0' }))));
    const version$ = request$(context(), getVersion);
    expect(count).toBe(0);
    expect(await firstValueFrom(version$)).toEqual({ version: '6.14.0' });
    expect(await firstValueFrom(version$)).toEqual({ version: '6.14.0' });
    expect(count).toBe(2);
  });

  it('sends JSON bodies with a JSON content type and query parameters', async () => {
    let seen: { body: unknown; type: string | null; query: string } | undefined;
    server.use(
      http.post(`${BASE_URL}/x`, async ({ request }) => {
        seen = { body: await request.json(), type: request.headers.get('content-type'), query: new URL(request.url).search };
        return HttpResponse.json({ ok: true });
      }),
    );
    await lastValueFrom(request$(context(), { method: 'POST', path: '/x', query: { a: [1, 2] }, json: { b: 'c' } }));
    expect(seen).toEqual({ body: { b: 'c' }, type: 'application/json', query: '?a=1&a=2' });
  });

  it('returns bytes for responseType bytes', async () => {
    server.use(http.get(`${BASE_URL}/bytes`, () => new HttpResponse(new Uint8Array([137, 80, 78, 71]), { headers: { 'Content-Type': 'image/png' } })));
    const bytes = await lastValueFrom(request$<Uint8Array>(context(), { method: 'GET', path: '/bytes', responseType: 'bytes' }));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([137, 80, 78, 71]);
  });

  it('prefixes the base path', async () => {
    server.use(http.get(`${BASE_URL}/invoke/api/v1/app/version`, () => HttpResponse.json({ version: 'proxied' })));
    const ctx = context({ baseUrl: `${BASE_URL}/invoke/` });
    expect(await lastValueFrom(request$(ctx, getVersion))).toEqual({ version: 'proxied' });
  });

  describe('errors', () => {
    it('non-2xx → HttpError with FastAPI detail, method and URL', async () => {
      server.use(http.get(`${BASE_URL}/api/v1/queue/default/i/5`, () => HttpResponse.json({ detail: 'Queue item with id 5 not found in queue default' }, { status: 404 })));
      const failed = lastValueFrom(request$(context(), { method: 'GET', path: '/api/v1/queue/default/i/5' }));
      await expect(failed).rejects.toBeInstanceOf(HttpError);
      await expect(failed).rejects.toMatchObject({
        name: 'HttpError',
        status: 404,
        method: 'GET',
        url: `${BASE_URL}/api/v1/queue/default/i/5`,
        detail: 'Queue item with id 5 not found in queue default',
        message: expect.stringContaining('Queue item with id 5 not found'),
      });
      await expect(failed).rejects.toThrow(`GET ${BASE_URL}/api/v1/queue/default/i/5`);
    });

    it('422 validation detail lists loc and msg', async () => {
      const detail = [{ type: 'value_error', loc: ['body', 'batch', 'graph'], msg: 'Value error, Edge source node x does not exist in the graph', input: {} }];
      server.use(http.post(`${BASE_URL}/x`, () => HttpResponse.json({ detail }, { status: 422 })));
      await expect(lastValueFrom(request$(context(), { method: 'POST', path: '/x', json: {} }))).rejects.toMatchObject({
        detail,
        message: expect.stringContaining('body.batch.graph: Value error, Edge source node x does not exist in the graph'),
      });
    });

    it('keeps a plain-text error body as detail', async () => {
      server.use(http.get(`${BASE_URL}/x`, () => new HttpResponse('Internal Server Error', { status: 500, statusText: 'Internal Server Error' })));
      await expect(lastValueFrom(request$(context(), { method: 'GET', path: '/x' }))).rejects.toMatchObject({ detail: 'Internal Server Error', status: 500 });
    });

    it('malformed JSON on 2xx → SchemaError', async () => {
      server.use(http.get(`${BASE_URL}/api/v1/app/version`, () => new HttpResponse('{"version": ', { headers: { 'Content-Type': 'application/json' } })));
      const failed = lastValueFrom(request$(context(), getVersion));
      await expect(failed).rejects.toBeInstanceOf(SchemaError);
      await expect(failed).rejects.toMatchObject({ message: expect.stringContaining('not valid JSON'), cause: expect.any(SyntaxError) });
    });

    it('schema mismatch → SchemaError naming the path and the issue', async () => {
      server.use(http.get(`${BASE_URL}/models`, () => HttpResponse.json({ models: [{ key: 'k' }, { key: 7 }] })));
      const schema = z.object({ models: z.array(z.object({ key: z.string() })) });
      const failed = lastValueFrom(request$(context(), { method: 'GET', path: '/models', schema }));
      await expect(failed).rejects.toBeInstanceOf(SchemaError);
      await expect(failed).rejects.toMatchObject({
        issues: [expect.objectContaining({ path: ['models', 1, 'key'] })],
        message: expect.stringMatching(/at models\.1\.key: .*expected string/i),
      });
      await expect(failed).rejects.toThrow(`GET ${BASE_URL}/models`);
    });

    it('transport failure → NetworkError (ambiguous), after retries for a GET', async () => {
      let count = 0;
      server.use(http.get(`${BASE_URL}/api/v1/app/version`, () => (count++, HttpResponse.error())));
      const failed = lastValueFrom(request$(context({ retry: { limit: 2 } }), getVersion));
      await expect(failed).rejects.toBeInstanceOf(NetworkError);
      await expect(failed).rejects.toMatchObject({ ambiguous: true, cause: expect.anything() });
      expect(count).toBe(3);
    });

    it('connection refused → NetworkError that is not ambiguous', async () => {
      // A port that was just free: nothing listens there (port 1 is a fetch "bad port", refused unsent too).
      const probe = createServer().listen(0, '127.0.0.1');
      await once(probe, 'listening');
      const { port } = probe.address() as AddressInfo;
      await new Promise((resolve) => probe.close(resolve));
      const ctx = { ...context(), config: resolveConfig({ baseUrl: `http://127.0.0.1:${port}`, retry: { limit: 0 } }) };
      server.close(); // let this one request really hit the closed loopback port
      try {
        const failed = lastValueFrom(request$(ctx, getVersion));
        await expect(failed).rejects.toBeInstanceOf(NetworkError);
        await expect(failed).rejects.toMatchObject({ ambiguous: false });
      } finally {
        server.listen({ onUnhandledRequest: 'error' });
      }
    });

    it('401 → AuthError telling how to pass a token', async () => {
      server.use(http.get(`${BASE_URL}/x`, () => HttpResponse.json({ detail: 'Authentication required' }, { status: 401 })));
      const failed = lastValueFrom(request$(context(), { method: 'GET', path: '/x' }));
      await expect(failed).rejects.toBeInstanceOf(AuthError);
      await expect(failed).rejects.toBeInstanceOf(HttpError);
      await expect(failed).rejects.toMatchObject({ hadToken: false, message: expect.stringContaining('requires a token') });
      await expect(failed).rejects.toThrow('`token`');
    });
  });

  describe('retries', () => {
    it('retries 502/503 of a GET until it succeeds', async () => {
      let count = 0;
      server.use(
        http.get(`${BASE_URL}/api/v1/app/version`, () =>
          ++count < 3 ? new HttpResponse(null, { status: count === 1 ? 502 : 503 }) : HttpResponse.json({ version: 'ok' }),
        ),
      );
      expect(await lastValueFrom(request$(context(), getVersion))).toEqual({ version: 'ok' });
      expect(count).toBe(3);
    });

    it('retries a 429 with Retry-After, even for a POST', async () => {
      let count = 0;
      server.use(
        http.post(`${BASE_URL}/x`, () =>
          ++count === 1 ? new HttpResponse(null, { status: 429, headers: { 'Retry-After': '0' } }) : HttpResponse.json({ ok: 1 }),
        ),
      );
      expect(await lastValueFrom(request$(context(), { method: 'POST', path: '/x', json: {} }))).toEqual({ ok: 1 });
      expect(count).toBe(2);
    });

    it('exposes Retry-After on the error once retries are exhausted', async () => {
      server.use(http.get(`${BASE_URL}/x`, () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '0' } })));
      await expect(lastValueFrom(request$(context({ retry: { limit: 1 } }), { method: 'GET', path: '/x' }))).rejects.toMatchObject({ status: 429, retryAfter: 0 });
    });

    it('retries a persistent 500 only statusLimits[500] (2) times, not for the whole budget', async () => {
      let count = 0;
      server.use(http.get(`${BASE_URL}/x`, () => (count++, HttpResponse.json({ detail: 'no' }, { status: 500 }))));
      await expect(lastValueFrom(request$(context(), { method: 'GET', path: '/x' }))).rejects.toMatchObject({ status: 500 });
      expect(count).toBe(3);
    });

    it.each([400, 404, 422])('does not retry %i', async (status) => {
      let count = 0;
      server.use(http.get(`${BASE_URL}/x`, () => (count++, HttpResponse.json({ detail: 'no' }, { status }))));
      await expect(lastValueFrom(request$(context(), { method: 'GET', path: '/x' }))).rejects.toMatchObject({ status });
      expect(count).toBe(1);
    });

    it('does not retry a 503 of a POST (the server may have acted)', async () => {
      let count = 0;
      server.use(http.post(`${BASE_URL}/x`, () => (count++, new HttpResponse(null, { status: 503 }))));
      await expect(lastValueFrom(request$(context(), { method: 'POST', path: '/x', json: {} }))).rejects.toMatchObject({ status: 503 });
      expect(count).toBe(1);
    });

    it('retry: false sends exactly one attempt', async () => {
      let count = 0;
      server.use(http.get(`${BASE_URL}/x`, () => (count++, new HttpResponse(null, { status: 503 }))));
      await expect(lastValueFrom(request$(context(), { method: 'GET', path: '/x', retry: false }))).rejects.toMatchObject({ status: 503 });
      expect(count).toBe(1);
    });
  });

  describe('abort and timeout', () => {
    it('aborts the request in flight on unsubscribe', async () => {
      let reached!: () => void;
      const arrived = new Promise<void>((resolve) => (reached = resolve));
      server.use(
        http.get(`${BASE_URL}/slow`, async () => {
          reached();
          await delay('infinite');
          return HttpResponse.json({});
        }),
      );
      const ctx = context();
      const subscription = request$(ctx, { method: 'GET', path: '/slow' }).subscribe({ error: () => undefined });
      await arrived;
      expect(ctx.signals[0]!.aborted).toBe(false);
      subscription.unsubscribe();
      // The signal handed to fetch (msw does not propagate node-fetch aborts to its own Request).
      expect(ctx.signals[0]!.aborted).toBe(true);
    });

    it('times out a request → RequestTimeoutError, and aborts it', async () => {
      server.use(http.get(`${BASE_URL}/slow`, async () => (await delay('infinite'), HttpResponse.json({}))));
      const ctx = context({ timeout: 30, retry: { limit: 0 } });
      const failed = lastValueFrom(request$(ctx, { method: 'GET', path: '/slow' }));
      await expect(failed).rejects.toBeInstanceOf(RequestTimeoutError);
      await expect(failed).rejects.toMatchObject({ timeout: 30, message: expect.stringContaining('timed out after 30 ms') });
      expect(ctx.signals[0]!.aborted).toBe(true);
    });
  });

  describe('token', () => {
    it('sends the bearer token to the configured origin', async () => {
      let auth: string | null = null;
      server.use(http.get(`${BASE_URL}/x`, ({ request }) => ((auth = request.headers.get('authorization')), HttpResponse.json({}))));
      await lastValueFrom(request$(context({ token: TOKEN }), { method: 'GET', path: '/x' }));
      expect(auth).toBe(`Bearer ${TOKEN}`);
    });

    it('sends no Authorization header without a token', async () => {
      let auth: string | null = 'unset';
      server.use(http.get(`${BASE_URL}/x`, ({ request }) => ((auth = request.headers.get('authorization')), HttpResponse.json({}))));
      await lastValueFrom(request$(context(), { method: 'GET', path: '/x' }));
      expect(auth).toBeNull();
    });

    it('follows a same-origin redirect with the token', async () => {
      let auth: string | null = null;
      server.use(
        http.get(`${BASE_URL}/old`, () => new HttpResponse(null, { status: 307, headers: { Location: '/new' } })),
        http.get(`${BASE_URL}/new`, ({ request }) => ((auth = request.headers.get('authorization')), HttpResponse.json({ at: 'new' }))),
      );
      expect(await lastValueFrom(request$(context({ token: TOKEN }), { method: 'GET', path: '/old' }))).toEqual({ at: 'new' });
      expect(auth).toBe(`Bearer ${TOKEN}`);
    });

    it.each([301, 302, 303, 307, 308])('follows a %i redirect to another origin WITHOUT the token', async (status) => {
      let auth: string | null = 'unset';
      server.use(
        http.get(`${BASE_URL}/old`, () => new HttpResponse(null, { status, headers: { Location: `${OTHER}/elsewhere` } })),
        http.get(`${OTHER}/elsewhere`, ({ request }) => ((auth = request.headers.get('authorization')), HttpResponse.json({ at: 'other' }))),
      );
      expect(await lastValueFrom(request$(context({ token: TOKEN }), { method: 'GET', path: '/old' }))).toEqual({ at: 'other' });
      expect(auth).toBeNull();
    });

    it('307 keeps method and body across origins, still without the token', async () => {
      let seen: { auth: string | null; body: unknown } | undefined;
      server.use(
        http.post(`${BASE_URL}/old`, () => new HttpResponse(null, { status: 307, headers: { Location: `${OTHER}/post` } })),
        http.post(`${OTHER}/post`, async ({ request }) => {
          seen = { auth: request.headers.get('authorization'), body: await request.json() };
          return HttpResponse.json({});
        }),
      );
      await lastValueFrom(request$(context({ token: TOKEN }), { method: 'POST', path: '/old', json: { a: 1 } }));
      expect(seen).toEqual({ auth: null, body: { a: 1 } });
    });

    it('replaces the stored token from X-Refreshed-Token of the server', async () => {
      const auths: (string | null)[] = [];
      server.use(
        http.put(`${BASE_URL}/x`, ({ request }) => {
          auths.push(request.headers.get('authorization'));
          return HttpResponse.json({}, { headers: { 'X-Refreshed-Token': 'refreshed' } });
        }),
      );
      const ctx = context({ token: TOKEN });
      await lastValueFrom(request$(ctx, { method: 'PUT', path: '/x' }));
      await lastValueFrom(request$(ctx, { method: 'PUT', path: '/x' }));
      expect(auths).toEqual([`Bearer ${TOKEN}`, 'Bearer refreshed']);
      expect(ctx.token()).toBe('refreshed');
    });

    it('ignores X-Refreshed-Token from another origin', async () => {
      server.use(
        http.get(`${BASE_URL}/old`, () => new HttpResponse(null, { status: 302, headers: { Location: `${OTHER}/x` } })),
        http.get(`${OTHER}/x`, () => HttpResponse.json({}, { headers: { 'X-Refreshed-Token': 'evil' } })),
      );
      const ctx = context({ token: TOKEN });
      await lastValueFrom(request$(ctx, { method: 'GET', path: '/old' }));
      expect(ctx.token()).toBe(TOKEN);
    });

    it('never puts the token in error messages or serialized errors', async () => {
      const ctx = context({ token: TOKEN, retry: { limit: 0 } });
      server.use(
        // A proxy that echoes the request headers in its error page.
        http.get(`${BASE_URL}/echo`, ({ request }) => new HttpResponse(`bad gateway for ${request.headers.get('authorization')}`, { status: 502 })),
        http.get(`${BASE_URL}/echo-json`, ({ request }) => HttpResponse.json({ detail: `token ${request.headers.get('authorization')} rejected` }, { status: 401 })),
        http.get(`${BASE_URL}/bad-json`, ({ request }) => new HttpResponse(`{${request.headers.get('authorization')}`, { status: 200 })),
        http.get(`${BASE_URL}/reset`, () => HttpResponse.error()),
      );
      const expected = { '/echo': 'HttpError', '/echo-json': 'AuthError', '/bad-json': 'SchemaError', '/reset': 'NetworkError' };
      for (const [path, name] of Object.entries(expected)) {
        const failed = lastValueFrom(request$(ctx, { method: 'GET', path }));
        await expect(failed).rejects.toMatchObject({ name, message: expect.not.stringContaining(TOKEN), stack: expect.not.stringContaining(TOKEN) });
        await expect(failed).rejects.toSatisfy((e: { detail?: unknown }) => !JSON.stringify(e).includes(TOKEN), 'serializes without the token');
        await expect(failed).rejects.toSatisfy((e: { detail?: unknown }) => !JSON.stringify(e.detail ?? null).includes(TOKEN), 'has a detail without the token');
      }
      await expect(lastValueFrom(request$(ctx, { method: 'GET', path: '/echo' }))).rejects.toMatchObject({ detail: 'bad gateway for Bearer [redacted]' });
    });
  });
});
