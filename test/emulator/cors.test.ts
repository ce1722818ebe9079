/**
 * CORS as InvokeAI answers it (FastAPI's CORSMiddleware from `allow_origins`, credentials and every
 * method and header allowed): nothing for other origins by default, the origin mirrored back for
 * the listed ones; socket.io follows the same list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmulatorOptionError, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { fakeExecutor } from './support/fakeExecutor.js';
import { rawRequest } from './support/rawRequest.js';

const APP = 'http://app.test:5173';
const OTHER = 'http://elsewhere.test';
const preflight = (origin: string, method = 'POST') => ({
  origin,
  'access-control-request-method': method,
  'access-control-request-headers': 'authorization,content-type',
});
const pollingHandshake = (emu: Emulator) => `${emu.socketPath}/?EIO=4&transport=polling`;

let closed: Emulator;
let open: Emulator;
let any: Emulator;
beforeAll(async () => {
  [closed, open, any] = await Promise.all([
    startEmulator({ executor: fakeExecutor }),
    startEmulator({ executor: fakeExecutor, allowOrigins: [APP] }),
    startEmulator({ executor: fakeExecutor, allowOrigins: ['*'] }),
  ]);
});
afterAll(() => Promise.all([closed, open, any].map((e) => e?.close())));

describe('CORS by default (no allowed origins, as InvokeAI ships)', () => {
  it('adds no CORS header to a request without Origin', async () => {
    const r = await rawRequest(closed.port, 'GET', '/api/v1/app/version');
    expect(r.status).toBe(200);
    expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('answers a cross-origin request without allowing the page to read it', async () => {
    const r = await rawRequest(closed.port, 'GET', '/api/v1/app/version', { origin: APP });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses the preflight with 400 "Disallowed CORS origin"', async () => {
    const r = await rawRequest(closed.port, 'OPTIONS', '/api/v1/queue/default/enqueue_batch', preflight(APP));
    expect(r.status).toBe(400);
    expect(r.body).toBe('Disallowed CORS origin');
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('socket.io sends no CORS headers either', async () => {
    const r = await rawRequest(closed.port, 'GET', pollingHandshake(closed), { origin: APP });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with allowOrigins', () => {
  it('answers the preflight of a listed origin with that origin, credentials and the requested headers', async () => {
    const r = await rawRequest(open.port, 'OPTIONS', '/api/v1/queue/default/enqueue_batch', preflight(APP));
    expect(r.status).toBe(200);
    expect(r.headers).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'authorization,content-type',
    });
    expect(String(r.headers['access-control-allow-methods']).split(', ')).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
  });

  it('lets a listed origin read answers and the refreshed token header', async () => {
    const r = await rawRequest(open.port, 'GET', '/api/v1/app/version', { origin: APP });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ version: expect.any(String) });
    expect(r.headers['access-control-allow-origin']).toBe(APP);
    expect(r.headers['vary']).toBe('Origin');
    expect(String(r.headers['access-control-expose-headers'])).toContain('X-Refreshed-Token');
  });

  it('still refuses origins not listed', async () => {
    const pre = await rawRequest(open.port, 'OPTIONS', '/api/v1/app/version', preflight(OTHER, 'GET'));
    expect([pre.status, pre.body]).toEqual([400, 'Disallowed CORS origin']);
    const get = await rawRequest(open.port, 'GET', '/api/v1/app/version', { origin: OTHER });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('socket.io allows the listed origin only', async () => {
    const allowed = await rawRequest(open.port, 'GET', pollingHandshake(open), { origin: APP });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    const other = await rawRequest(open.port, 'GET', pollingHandshake(open), { origin: OTHER });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("'*' allows every origin", async () => {
    const pre = await rawRequest(any.port, 'OPTIONS', '/api/v1/app/version', preflight(OTHER, 'GET'));
    expect([pre.status, pre.headers['access-control-allow-origin']]).toEqual([200, OTHER]);
    const get = await rawRequest(any.port, 'GET', '/api/v1/app/version', { origin: OTHER });
    expect(get.headers['access-control-allow-origin']).toBe('*');
  });

  it('refuses entries that are not origins, naming the fix', async () => {
    const error = await startEmulator({ allowOrigins: ['http://app.test:5173/'] }).catch((e: unknown) => e);
    expect(isEmulatorOptionError(error)).toBe(true);
    expect((error as Error).message).toContain("did you mean 'http://app.test:5173'");
    await expect(startEmulator({ allowOrigins: ['app.test'] })).rejects.toThrow(/allowOrigins: 'app.test' is not an origin/);
  });
});
