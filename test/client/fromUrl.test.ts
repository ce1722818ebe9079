import { firstValueFrom, lastValueFrom, toArray, take, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_OPTIONS } from '../../src/http/retry.js';
import { InvokeAIClient } from '../../src/client/InvokeAIClient.js';
import { resolveConfig } from '../../src/client/config.js';
import { parseServerUrl } from '../../src/client/parseServerUrl.js';
import type { SocketFactory, SocketLike } from '../../src/client/types.js';
import { queueAndProcessorStatus } from '../support/builders.js';

describe('parseServerUrl', () => {
  it.each([
    ['http://localhost:9090', 'http://localhost:9090', ''],
    ['http://127.0.0.1:9090/', 'http://127.0.0.1:9090', ''],
    ['https://invoke.example.com', 'https://invoke.example.com', ''],
    ['https://invoke.example.com:443/', 'https://invoke.example.com', ''],
    ['http://h:80', 'http://h', ''],
    ['HTTP://Host.Example:9090', 'http://host.example:9090', ''],
    ['http://h:9090/invoke', 'http://h:9090', '/invoke'],
    ['http://h:9090/invoke/', 'http://h:9090', '/invoke'],
    ['http://h/a/b//', 'http://h', '/a/b'],
    ['http://h:9090/api/v1', 'http://h:9090', ''],
    ['http://h:9090/api/v1/', 'http://h:9090', ''],
    ['http://h:9090/invoke/api/v1', 'http://h:9090', '/invoke'],
    ['http://h:9090/api/v2', 'http://h:9090', ''],
    ['http://h:9090/api', 'http://h:9090', ''],
    ['  http://h:9090  ', 'http://h:9090', ''],
    ['http://[::1]:9090', 'http://[::1]:9090', ''],
  ])('%s → origin %s, basePath %j', (url, origin, basePath) => {
    expect(parseServerUrl(url)).toEqual({ origin, basePath });
  });

  it.each([
    ['', /empty/],
    ['not a url', /Invalid InvokeAI server URL "not a url"/],
    ['localhost:9090', /scheme must be http or https.*forget "http:\/\/"/],
    ['ftp://h', /scheme must be http or https/],
    ['ws://h:9090', /scheme must be http or https/],
    ['http://user:pw@h:9090', /must not contain credentials.*`token`/],
  ])('%j → TypeError %s', (url, message) => {
    expect(() => parseServerUrl(url)).toThrow(TypeError);
    expect(() => parseServerUrl(url)).toThrow(message);
  });
});

describe('resolveConfig', () => {
  it('fills in defaults and never exposes the token', () => {
    const config = resolveConfig({ baseUrl: 'http://h:9090/invoke', token: 'secret-token' });
    expect(config).toEqual({
      origin: 'http://h:9090',
      basePath: '/invoke',
      queueId: 'default',
      timeout: 30_000,
      retry: DEFAULT_RETRY_OPTIONS,
      hasToken: true,
    });
    expect(JSON.stringify(config)).not.toContain('secret-token');
  });

  it('merges retry options', () => {
    expect(resolveConfig({ baseUrl: 'http://h', retry: { limit: 0 } }).retry).toEqual({ ...DEFAULT_RETRY_OPTIONS, limit: 0 });
  });

  it.each([
    [{ queueId: '' }, /queueId/],
    [{ queueId: 'a/b' }, /queueId/],
    [{ timeout: -1 }, /timeout/],
    [{ timeout: Number.NaN }, /timeout/],
    [{ retry: { limit: -1 } }, /retry.limit/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveConfig({ baseUrl: 'http://h', ...options })).toThrow(message);
  });
});

describe('InvokeAIClient.fromUrl', () => {
  it('creates a client for the parsed location', async () => {
    const urls: string[] = [];
    const fetch: typeof globalThis.fetch = async (input) => {
      const url = input instanceof Request ? input.url : String(input);
      urls.push(url);
      return Response.json(url.endsWith('/app/version') ? { version: '6.14.0' } : queueAndProcessorStatus());
    };
    const client = InvokeAIClient.fromUrl('http://h:9090/invoke/api/v1', { queueId: 'q', socketFactory: null, fetch });
    expect(client.config).toMatchObject({ origin: 'http://h:9090', basePath: '/invoke', queueId: 'q', hasToken: false });
    // Its APIs talk to that location, and to that queue.
    expect(await lastValueFrom(client.app.version())).toEqual({ version: '6.14.0' });
    await lastValueFrom(client.queue.getStatus());
    expect(urls).toEqual(['http://h:9090/invoke/api/v1/app/version', 'http://h:9090/invoke/api/v1/queue/q/status']);
  });

  it('throws a TypeError for an invalid URL', () => {
    expect(() => InvokeAIClient.fromUrl('localhost:9090')).toThrow(TypeError);
  });

  it('with socketFactory null, connected$ is false and no socket is created', async () => {
    const client = InvokeAIClient.fromUrl('http://h:9090', { socketFactory: null });
    expect(await firstValueFrom(client.events.connected$)).toBe(false);
  });

  it('passes origin, base path and token to the socket factory; close() ends the streams', async () => {
    const calls: Parameters<SocketFactory>[] = [];
    const handlers = new Map<string, (...args: unknown[]) => void>();
    let disconnected = 0;
    const socket: SocketLike = {
      connected: false,
      on: (event, listener) => void handlers.set(event, listener),
      off: (event) => void handlers.delete(event),
      emit: () => true,
      connect: () => undefined,
      disconnect: () => void disconnected++,
    };
    const client = InvokeAIClient.fromUrl('http://h:9090/invoke', {
      token: 'tok',
      socketFactory: (url, options) => (calls.push([url, options]), socket),
    });
    const done = new Subject<boolean[]>();
    client.events.connected$.pipe(take(10), toArray()).subscribe(done);
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe('http://h:9090');
    expect(calls[0]![1].path).toBe('/invoke/ws/socket.io');
    expect(calls[0]![1].auth?.token).toBe('tok');
    const ended = firstValueFrom(done);
    client.close();
    await ended;
    expect(disconnected).toBe(1);
  });
});
