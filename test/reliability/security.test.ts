import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../src/cli/commands/run.js';
import type { InvokeAIClient, SocketFactory } from '../../src/client/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { isAuthError, isHttpError, isNetworkError } from '../../src/errors/index.js';
import { createEventsApi } from '../../src/events/createEventsApi.js';
import { defaultSocketFactory } from '../../src/events/defaultSocketFactory.js';
import { resolveConfig } from '../../src/client/config.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import { fakeIo } from '../cli/fakeCliIo.js';
import { fastClient, settle, tinyWorkflows } from './support.js';

const wf = tinyWorkflows();
const USERS = [{ email: 'alice@example.com', password: 'alice-pw', is_admin: false }];

/** Everything an error exposes when logged or serialized. */
const shown = (e: unknown) => `${String(e)}\n${inspect(e, { depth: 8 })}\n${JSON.stringify(e)}\n${(e as Error)?.stack ?? ''}`;

/** A plain HTTP server that records each request's headers and answers with `reply`. */
async function recorder(reply: (path: string, port: number) => { status: number; headers?: Record<string, string>; body?: string }) {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const r = reply(req.url ?? '', (server.address() as AddressInfo).port);
    res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
    res.end(r.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { seen, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('reliability: the token goes only to the configured origin', () => {
  const token = 'tok-SECRET-1234567890';
  const version = JSON.stringify({ version: '6.14.0' });

  it('a redirect to another origin is followed without the token; same-origin hops keep it', async () => {
    const other = await recorder(() => ({ status: 200, body: version }));
    // Same host name, other port: another origin.
    const front = await recorder((path, port) =>
      path.startsWith('/hop/')
        ? { status: 307, headers: { location: `http://127.0.0.1:${other.port}${path.slice(4)}` } }
        : { status: 307, headers: { location: `http://127.0.0.1:${port}/hop${path}` } },
    );
    try {
      const client = fastClient({ url: `http://127.0.0.1:${front.port}` }, { token, socketFactory: null });
      await expect(lastValueFrom(client.app.version())).resolves.toEqual({ version: '6.14.0' });
      expect(front.seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
      expect(other.seen).toHaveLength(1);
      expect(other.seen[0]!.headers.authorization).toBeUndefined();
      expect(JSON.stringify(other.seen)).not.toContain(token);
    } finally {
      await front.close();
      await other.close();
    }
  });

  it('the token never appears in a URL: not in any request, not in the socket address', async () => {
    const emu = await startEmulator({ multiUser: { users: USERS } });
    const urls: string[] = [];
    const sockets: string[] = [];
    try {
      const login = await fetch(`${emu.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: USERS[0]!.email, password: USERS[0]!.password }),
      });
      const { token: real } = (await login.json()) as { token: string };
      const socketFactory: SocketFactory = (url, options) => {
        sockets.push(`${url} ${options.path}`);
        return defaultSocketFactory(url, options);
      };
      const client = fastClient(emu, {
        token: real,
        socketFactory,
        fetch: (input, init) => {
          urls.push(String(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url));
          return globalThis.fetch(input, init);
        },
      });
      const events = await lastValueFrom(runWorkflow(client, wf.base.with({ 0: 'authenticated' })).pipe(toArray()));
      client.close();
      expect(events.at(-1)!.type).toBe('completed');
      expect(urls.length).toBeGreaterThan(2);
      expect(sockets).toHaveLength(1);
      for (const u of [...urls, ...sockets]) expect(u).not.toContain(real);
      // The resolved configuration (what gets logged) says there is a token, not what it is.
      expect(JSON.stringify(client.config)).not.toContain(real);
      expect(client.config.hasToken).toBe(true);
      expect(inspect(client, { depth: 6 })).not.toContain(real);
    } finally {
      await emu.close();
    }
  });

  it('errors never carry the token: echoed in a body, in a transport failure, or refreshed by the server', async () => {
    let refreshed = 'tok-REFRESHED-0987654321';
    let mode: 'echo' | 'throw' | 'refresh' | 'echo-new' = 'echo';
    const client = fastClient({ url: 'http://127.0.0.1:9' }, {
      token,
      socketFactory: null,
      retry: { limit: 0 },
      fetch: async (_input, init) => {
        const auth = new Headers(init?.headers).get('authorization') ?? '';
        if (mode === 'throw') throw Object.assign(new Error(`connect ECONNRESET while sending ${auth}`), { code: 'ECONNRESET' });
        if (mode === 'refresh') return new Response(JSON.stringify({ version: '6.14.0' }), { status: 200, headers: { 'x-refreshed-token': refreshed } });
        return new Response(JSON.stringify({ detail: `token ${auth.slice(7)} rejected` }), { status: mode === 'echo' ? 500 : 422 });
      },
    });
    const echo = await settle(lastValueFrom(client.app.version()));
    expect(!echo.ok && isHttpError(echo.error)).toBe(true);
    expect(shown(!echo.ok && echo.error)).not.toContain(token);
    expect(shown(!echo.ok && echo.error)).toContain('[redacted]');

    mode = 'throw';
    const reset = await settle(lastValueFrom(client.app.version()));
    expect(!reset.ok && isNetworkError(reset.error)).toBe(true);
    expect(shown(!reset.ok && reset.error)).not.toContain(token);

    // The server slides the token: the new one is used from now on, and scrubbed the same way.
    mode = 'refresh';
    await lastValueFrom(client.app.version());
    mode = 'echo-new';
    const echoNew = await settle(lastValueFrom(client.app.version()));
    expect(!echoNew.ok && isHttpError(echoNew.error) && echoNew.error.status).toBe(422);
    expect(shown(!echoNew.ok && echoNew.error)).not.toContain(refreshed);
    expect(shown(!echoNew.ok && echoNew.error)).not.toContain(token);
    refreshed = '';
  });

  it('the CLI never prints or writes the token (run against a multi-user server)', async () => {
    const emu = await startEmulator({ multiUser: { users: USERS } });
    const root = await mkdtemp(join(tmpdir(), 'invokeai-rx-token-'));
    try {
      const login = await fetch(`${emu.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: USERS[0]!.email, password: USERS[0]!.password }),
      });
      const { token: real } = (await login.json()) as { token: string };
      await writeFile(join(root, 'wf.json'), JSON.stringify(wf.base.raw));
      const ok = fakeIo(root);
      expect(await runMain(['wf.json', '--server', emu.url, '--out', 'out'], { ...ok, env: { INVOKEAI_TOKEN: real } }), ok.stderr()).toBe(0);
      const bad = fakeIo(root);
      const wrong = `${real.slice(0, -4)}AAAA`;
      expect(await runMain(['wf.json', '--server', emu.url, '--token', wrong, '--out', 'out2'], bad)).toBe(1);
      expect(bad.stderr()).toMatch(/401|token/i);
      for (const io of [ok, bad]) expect(io.stdout() + io.stderr()).not.toMatch(new RegExp(`${real.slice(-12)}|${wrong.slice(-12)}`));
      for (const f of await readdir(root, { recursive: true, withFileTypes: true })) {
        if (!f.isFile()) continue;
        const text = (await readFile(join(f.parentPath, f.name))).toString('latin1');
        expect(text.includes(real) || text.includes(wrong), f.name).toBe(false);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
      await emu.close();
    }
  });
});

describe('reliability: multi-user mode', () => {
  let emu: Emulator;
  let token: string;

  beforeAll(async () => {
    emu = await startEmulator({ multiUser: { users: USERS } });
    const login = await fetch(`${emu.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: USERS[0]!.email, password: USERS[0]!.password }),
    });
    token = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await emu?.close();
  });

  const runWith = async (client: InvokeAIClient) => {
    const outcome = await settle(lastValueFrom(runWorkflow(client, wf.base, { connectTimeout: 300 })));
    client.close();
    return outcome;
  };

  it('an anonymous run is refused: AuthError saying the server needs a token and how to get one; nothing queued', async () => {
    const before = emu.queue.items().length;
    const outcome = await runWith(fastClient(emu));
    const error = outcome.ok ? null : outcome.error;
    expect(isAuthError(error) && [error.status, error.hadToken]).toEqual([401, false]);
    expect((error as Error).message).toMatch(/multi-user mode and requires a token; log in \(POST \/api\/v1\/auth\/login\) and pass it as `token`/);
    expect(emu.queue.items().length).toBe(before);
  });

  it('an invalid token is refused: AuthError saying to log in again', async () => {
    const outcome = await runWith(fastClient(emu, { token: `${token.slice(0, -4)}AAAA` }));
    const error = outcome.ok ? null : outcome.error;
    expect(isAuthError(error) && [error.status, error.hadToken]).toEqual([401, true]);
    expect((error as Error).message).toMatch(/invalid or expired; log in again/);
  });

  it('an anonymous socket is refused: the events layer reports AuthError and stays disconnected', async () => {
    const config = resolveConfig({ baseUrl: emu.url });
    const events = createEventsApi({ config, token: () => undefined });
    const states: boolean[] = [];
    const sub = events.connected$.subscribe((c) => states.push(c));
    try {
      const error = await firstValueFrom(events.errors$.pipe(filter(isAuthError), take(1)));
      expect(error.hadToken).toBe(false);
      expect(error.message).toMatch(/requires a token/);
      expect(states).not.toContain(true);
    } finally {
      sub.unsubscribe();
    }
  });

  it('with a valid token the run completes, over HTTP and the socket', async () => {
    const client = fastClient(emu, { token });
    const connected = firstValueFrom(client.events.connected$.pipe(filter(Boolean)));
    const outcome = await settle(lastValueFrom(runWorkflow(client, wf.base).pipe(toArray())));
    await connected;
    client.close();
    expect(outcome.ok && outcome.value.at(-1)!.type).toBe('completed');
  });
});
