import { describe, expect, it, vi } from 'vitest';
import { serve, serveOptions } from '../../../src/cli/commands/serve.js';
import type { CliIo } from '../../../src/cli/cliIo.js';

function io() {
  let out = '';
  let err = '';
  const value: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, env: {}, cwd: process.cwd() };
  return { io: value, out: () => out, err: () => err };
}

describe('invokeai-rx serve', () => {
  it('parses options', () => {
    expect(serveOptions(['--port', '0', '--base-path', '/x', '--ms-per-step', '5', '--token-users', 'a@b.c:pw:admin,d@e.f:pw2'])).toMatchObject({
      port: 0,
      basePath: '/x',
      timing: { msPerStep: 5, msPerNode: 0 },
      multiUser: { users: [{ email: 'a@b.c', password: 'pw', is_admin: true }, { email: 'd@e.f', password: 'pw2', is_admin: false }] },
    });
    expect(serveOptions([])).toMatchObject({ port: 9090 });
    expect(serveOptions(['--help'])).toBe('help');
    expect(() => serveOptions(['--port', 'x'])).toThrow(/--port/);
    expect(() => serveOptions(['--token-users', 'nopassword'])).toThrow(/EMAIL:PASSWORD/);
  });

  it('prints the URL, serves until stopped, then closes', async () => {
    const t = io();
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = serve(['--port', '0', '--base-path', '/invoke'], t.io, stopped);
    const url = await vi.waitFor(
      () => {
        const printed = /listening on (\S+)/.exec(t.out())?.[1];
        if (!printed) throw new Error(`no "listening on" line yet in: ${t.out()}`);
        return printed;
      },
      { timeout: 20_000, interval: 10 },
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invoke$/);
    expect(await (await fetch(`${url}/api/v1/app/version`)).json()).toEqual({ version: '6.14.0-alpha' });
    stop();
    expect(await running).toBe(0);
    await expect(fetch(`${url}/api/v1/app/version`)).rejects.toThrow();
  });

  it('exits 2 on bad usage', async () => {
    const t = io();
    expect(await serve(['--bogus'], t.io, Promise.resolve())).toBe(2);
    expect(t.err()).toContain('unknown option --bogus');
  });
});
