import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createEventsApi } from '../../src/events/createEventsApi.js';
import { isAuthError } from '../../src/errors/guards.js';
import type { ReaderWarning } from '../../src/client/warnings.js';
import type { InvokeEventMap } from '../../src/schemas/events.js';
import { FAKE_CONFIG } from '../support/fakeClient.js';
import { fakeEvent, fakeSocketServer } from '../support/fakeSocket.js';

function setup(options: { token?: string; basePath?: string; autoConnect?: boolean } = {}) {
  const server = fakeSocketServer({ autoConnect: options.autoConnect ?? true });
  let token = options.token;
  const warnings: ReaderWarning[] = [];
  const api = createEventsApi({
    config: { ...FAKE_CONFIG, basePath: options.basePath ?? '', hasToken: token !== undefined },
    token: () => token,
    socketFactory: server.factory,
    warn: (w) => warnings.push(w),
  });
  return { server, api, warnings, setToken: (t: string) => (token = t) };
}

const status = fakeEvent.statusChanged({ item_id: 3, status: 'in_progress', status_sequence: 1 });

describe('createEventsApi', () => {
  it('opens no socket until a stream is subscribed', () => {
    const { server, api } = setup();
    api.on('queue_item_status_changed');
    void api.connected$;
    expect(server.sockets).toHaveLength(0);
  });

  it('connects to the origin with the socket.io path under the base path', () => {
    const { server, api } = setup({ basePath: '/invoke' });
    const sub = api.on('invocation_started').subscribe();
    expect(server.sockets).toHaveLength(1);
    expect(server.current!.url).toBe('http://127.0.0.1:9090');
    expect(server.current!.options.path).toBe('/invoke/ws/socket.io');
    expect(server.current!.options.auth).toBeUndefined();
    expect(server.current!.options.extraHeaders).toBeUndefined();
    sub.unsubscribe();
  });

  it('sends the token in the handshake auth and as a bearer header, reading the current token on reconnect', () => {
    const { server, api, setToken } = setup({ token: 'jwt-1' });
    const sub = api.on('invocation_started').subscribe();
    const { auth, extraHeaders } = server.current!.options;
    expect(auth?.token).toBe('jwt-1');
    expect(extraHeaders).toEqual({ Authorization: 'Bearer jwt-1' });
    setToken('jwt-2');
    expect(auth?.token).toBe('jwt-2');
    sub.unsubscribe();
  });

  it('emits subscribe_queue on every connect, reconnects included, and tracks connected$', () => {
    const { server, api } = setup({ autoConnect: false });
    const states: boolean[] = [];
    const sub = api.connected$.subscribe((c) => states.push(c));
    const socket = server.current!;
    expect(socket.connectCalls).toBe(1);
    expect(states).toEqual([false]);
    socket.serverConnect();
    socket.serverDrop();
    socket.serverConnect();
    expect(states).toEqual([false, true, false, true]);
    expect(socket.sent).toEqual([
      { event: 'subscribe_queue', args: [{ queue_id: 'default' }] },
      { event: 'subscribe_queue', args: [{ queue_id: 'default' }] },
    ]);
    sub.unsubscribe();
  });

  it('replays the latest connection state to a late subscriber', async () => {
    const { api } = setup();
    const sub = api.on('queue_cleared').subscribe();
    await expect(firstValueFrom(api.connected$)).resolves.toBe(true);
    sub.unsubscribe();
  });

  it('shares one socket between streams and closes it after the last one ends', () => {
    const { server, api } = setup();
    const a = api.on('queue_item_status_changed').subscribe();
    const b = api.on('invocation_complete').subscribe();
    const c = api.connected$.subscribe();
    expect(server.sockets).toHaveLength(1);
    const socket = server.current!;
    a.unsubscribe();
    b.unsubscribe();
    expect(socket.disconnectCalls).toBe(0);
    expect(socket.listenerCount('queue_item_status_changed')).toBe(0);
    c.unsubscribe();
    expect(socket.disconnectCalls).toBe(1);
    expect(socket.listenerCount('connect')).toBe(0);
    api.on('queue_cleared').subscribe().unsubscribe();
    expect(server.sockets).toHaveLength(2);
  });

  it('delivers valid payloads (unknown statuses kept), drops, counts and reports invalid ones', () => {
    const { server, api, warnings } = setup();
    const seen: InvokeEventMap['queue_item_status_changed'][] = [];
    const sub = api.on('queue_item_status_changed').subscribe((e) => seen.push(e));
    const socket = server.current!;
    socket.serverEmit('queue_item_status_changed', status);
    socket.serverEmit('queue_item_status_changed', { ...status, item_id: 'three' });
    socket.serverEmit('queue_item_status_changed', { ...status, status: 'exploded' });
    socket.serverEmit('queue_item_status_changed', { ...status, future_field: [1, 2] });
    expect(seen.map((e) => e.status)).toEqual(['in_progress', 'exploded', 'in_progress']);
    expect(seen[0]).toEqual(status);
    expect((seen[2] as Record<string, unknown>).future_field).toEqual([1, 2]);
    expect(api.droppedEvents).toBe(1);
    expect(api.invalidCount).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'invalid-events', event: 'queue_item_status_changed', count: 1, total: 1 });
    expect(warnings[0]!.message).toContain('item_id');
    sub.unsubscribe();
  });

  it('accepts a sanitized copy (redacted ids, null origin and errors)', () => {
    const { server, api } = setup();
    const seen: unknown[] = [];
    const sub = api.on('queue_item_status_changed').subscribe((e) => seen.push(e));
    const sanitized = {
      ...status,
      user_id: 'redacted',
      batch_id: 'redacted',
      session_id: 'redacted',
      origin: null,
      destination: null,
      batch_status: { ...status.batch_status, batch_id: 'redacted' },
      queue_status: { ...status.queue_status, item_id: null, session_id: null, batch_id: null },
    };
    server.current!.serverEmit('queue_item_status_changed', sanitized);
    expect(seen).toEqual([sanitized]);
    sub.unsubscribe();
  });

  it('reports a refused handshake as an AuthError and stays disconnected', () => {
    const { server, api } = setup({ autoConnect: false, token: 'secret-jwt-value' });
    const errors: Error[] = [];
    const states: boolean[] = [];
    api.errors$.subscribe((e) => errors.push(e));
    const sub = api.connected$.subscribe((c) => states.push(c));
    server.current!.serverRefuse();
    expect(states).toEqual([false]);
    expect(errors).toHaveLength(1);
    expect(isAuthError(errors[0])).toBe(true);
    expect((errors[0] as unknown as { hadToken: boolean }).hadToken).toBe(true);
    expect(errors[0]!.message).not.toContain('secret-jwt-value');
    sub.unsubscribe();
  });

  it('with sockets disabled, streams never emit and connected$ is false and completes', async () => {
    const api = createEventsApi({ config: FAKE_CONFIG, token: () => undefined, socketFactory: null });
    await expect(firstValueFrom(api.connected$.pipe(toArray()))).resolves.toEqual([false]);
    const seen: unknown[] = [];
    api.on('queue_item_status_changed').subscribe((e) => seen.push(e)).unsubscribe();
    expect(seen).toEqual([]);
  });
});
