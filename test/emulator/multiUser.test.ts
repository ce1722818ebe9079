import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { fakeExecutor } from './support/fakeExecutor.js';
import { addGraph, api, enqueue, openSocket, settled } from './support/harness.js';
import { expectEvent, expectResponse } from './support/openApi.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    executor: fakeExecutor,
    multiUser: {
      users: [
        { email: 'admin@example.com', password: 'admin-pw', is_admin: true },
        { email: 'alice@example.com', password: 'alice-pw', is_admin: false },
        { email: 'bob@example.com', password: 'bob-pw', is_admin: false },
      ],
    },
  });
});
afterAll(() => emu.close());

async function login(email: string, password: string): Promise<string> {
  const r = await api(emu, 'POST', '/api/v1/auth/login', { email, password });
  expect(r.status).toBe(200);
  expectResponse('POST', '/api/v1/auth/login', 200, r.body);
  return r.body.token;
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('multi-user mode (§6)', () => {
  it('rejects anonymous and invalid tokens with 401; public routes stay open', async () => {
    expect(await api(emu, 'GET', '/api/v1/queue/default/status')).toMatchObject({ status: 401, body: { detail: 'Authentication required' } });
    expect(await api(emu, 'GET', '/api/v1/images/', undefined, bearer('x.y.z'))).toMatchObject({ status: 401, body: { detail: 'Invalid or expired token' } });
    expect((await api(emu, 'GET', '/api/v1/app/version')).status).toBe(200);
    const s = await api(emu, 'GET', '/api/v1/auth/status');
    expect(s.body).toMatchObject({ multiuser_enabled: true, setup_required: false });
    expect(await api(emu, 'POST', '/api/v1/auth/login', { email: 'alice@example.com', password: 'wrong' })).toMatchObject({
      status: 401,
      body: { detail: 'Incorrect email or password' },
    });
  });

  it('accepts Bearer tokens, refreshes them on mutations, and answers /auth/me', async () => {
    const token = await login('alice@example.com', 'alice-pw');
    const me = await api(emu, 'GET', '/api/v1/auth/me', undefined, bearer(token));
    expectResponse('GET', '/api/v1/auth/me', 200, me.body);
    expect(me.body).toMatchObject({ email: 'alice@example.com', is_admin: false });
    const r = await enqueue(emu, { graph: addGraph(), runs: 1 }, false, bearer(token));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-refreshed-token')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const item = await api(emu, 'GET', `/api/v1/queue/default/i/${r.body.item_ids[0]}`, undefined, bearer(token));
    expect(item.body.user_id).toBe(me.body.user_id);
    expect((await api(emu, 'PUT', '/api/v1/queue/default/processor/pause', undefined, bearer(token))).status).toBe(403);
  });

  it('refuses sockets without a valid token; accepts auth.token and the Authorization header', async () => {
    await expect(openSocket(emu)).rejects.toThrow();
    await expect(openSocket(emu, { token: 'bad.token.here' })).rejects.toThrow();
    const token = await login('bob@example.com', 'bob-pw');
    const viaAuth = await openSocket(emu, { token });
    const viaHeader = await openSocket(emu, { token, header: true });
    viaAuth.close();
    viaHeader.close();
  });

  it("routes events: the owner gets full payloads, other subscribers sanitized copies, admin everything", async () => {
    const [alice, bob, admin] = await Promise.all([
      login('alice@example.com', 'alice-pw'),
      login('bob@example.com', 'bob-pw'),
      login('admin@example.com', 'admin-pw'),
    ]);
    const [sa, sb, sadmin] = await Promise.all([openSocket(emu, { token: alice }), openSocket(emu, { token: bob }), openSocket(emu, { token: admin })]);
    try {
      const r = await enqueue(emu, { graph: addGraph(), runs: 1, origin: 'secret' }, false, bearer(alice));
      const id = r.body.item_ids[0];
      await sb.waitFor((ev) => ev.some((e) => e.event === 'queue_item_status_changed' && e.payload.item_id === id && e.payload.status === 'completed'));
      await sa.waitFor((ev) => ev.some((e) => e.event === 'queue_item_status_changed' && e.payload.item_id === id && e.payload.status === 'completed'));
      await sadmin.waitFor((ev) => ev.some((e) => e.event === 'queue_item_status_changed' && e.payload.item_id === id && e.payload.status === 'completed'));
      const own = sa.of('queue_item_status_changed', id).at(-1);
      expect(own).toMatchObject({ origin: 'secret', batch_id: r.body.batch.batch_id });
      const foreign = sb.of('queue_item_status_changed', id).at(-1);
      expect(foreign).toMatchObject({ user_id: 'redacted', batch_id: 'redacted', session_id: 'redacted', origin: null });
      expect(foreign.batch_status.batch_id).toBe('redacted');
      expect(sb.of('invocation_complete', id)).toEqual([]);
      expect(sb.of('batch_enqueued').at(-1)).toMatchObject({ user_id: 'redacted', origin: null });
      expect(sa.of('invocation_complete', id)).toHaveLength(2);
      expect(sadmin.of('invocation_complete', id)).toHaveLength(2);
      for (const s of [sa, sb, sadmin]) for (const e of s.events) expectEvent(e.event, e.payload);
      // Bob sees Alice's item redacted over REST and cannot cancel it.
      const seen = await api(emu, 'GET', `/api/v1/queue/default/i/${id}`, undefined, bearer(bob));
      expect(seen.body).toMatchObject({ user_id: 'redacted', batch_id: 'redacted' });
      expect((await api(emu, 'PUT', `/api/v1/queue/default/i/${id}/cancel`, undefined, bearer(bob))).status).toBe(403);
    } finally {
      sa.close();
      sb.close();
      sadmin.close();
    }
  });
});

describe('base path', () => {
  it('prefixes every route and the socket.io path', async () => {
    const based = await startEmulator({ executor: fakeExecutor, basePath: '/invoke/' });
    try {
      expect(based.url).toBe(`http://127.0.0.1:${based.port}/invoke`);
      expect(based.socketPath).toBe('/invoke/ws/socket.io');
      expect((await api(based, 'GET', '/api/v1/app/version')).body).toEqual({ version: '6.14.0-alpha' });
      expect((await fetch(`http://127.0.0.1:${based.port}/api/v1/app/version`)).status).toBe(404);
      const sock = await openSocket(based);
      try {
        const r = await enqueue(based, { graph: addGraph(), runs: 1 });
        const id = r.body.item_ids[0];
        await sock.waitFor((ev) => ev.some((e) => e.event === 'queue_item_status_changed' && e.payload.item_id === id && e.payload.status === 'completed'));
        expect((await settled(based, id)).status).toBe('completed');
      } finally {
        sock.close();
      }
    } finally {
      await based.close();
    }
  });
});
