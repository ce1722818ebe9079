/**
 * A web app served from the emulator's own origin (`staticDir`), as InvokeAI serves its UI: the
 * files of one directory for every GET outside the API, nothing outside that directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmulatorOptionError, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { fakeExecutor } from './support/fakeExecutor.js';
import { rawRequest } from './support/rawRequest.js';

const SECRET = 'not for the web';
const FILES: Record<string, [body: string, contentType: string]> = {
  'index.html': ['<!doctype html><title>app</title>', 'text/html; charset=utf-8'],
  'app.js': ['console.log(1)', 'text/javascript; charset=utf-8'],
  'app.js.map': ['{"version":3}', 'application/json'],
  'style.css': ['body{}', 'text/css; charset=utf-8'],
  'data.json': ['{"a":1}', 'application/json'],
  'icon.png': ['png bytes', 'image/png'],
  'logo.svg': ['<svg/>', 'image/svg+xml'],
  'photo.webp': ['webp bytes', 'image/webp'],
  'favicon.ico': ['ico bytes', 'image/x-icon'],
  'sub/index.html': ['<p>sub</p>', 'text/html; charset=utf-8'],
  // Decoys: server paths never come from the directory.
  'openapi.json': ['{"decoy":true}', 'application/json'],
  'api/v1/app/version': ['decoy', 'application/octet-stream'],
};

let root: string;
let site: string;
let emu: Emulator;
let based: Emulator;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'invokeai-rx-static-'));
  site = join(root, 'site');
  for (const [name, [body]] of Object.entries(FILES)) {
    mkdirSync(join(site, name, '..'), { recursive: true });
    writeFileSync(join(site, name), body);
  }
  writeFileSync(join(root, 'secret.txt'), SECRET);
  [emu, based] = await Promise.all([
    startEmulator({ executor: fakeExecutor, staticDir: site }),
    startEmulator({ executor: fakeExecutor, staticDir: site, basePath: '/invoke' }),
  ]);
});
afterAll(async () => {
  await Promise.all([emu?.close(), based?.close()]);
  rmSync(root, { recursive: true, force: true });
});

describe('staticDir', () => {
  it('serves index.html for / (query strings ignored) and for a directory', async () => {
    for (const path of ['/', '/?autostart=1']) {
      const r = await rawRequest(emu.port, 'GET', path);
      expect([r.status, r.body, r.headers['content-type']]).toEqual([200, FILES['index.html']![0], 'text/html; charset=utf-8']);
    }
    for (const path of ['/sub/', '/sub']) expect((await rawRequest(emu.port, 'GET', path)).body).toBe('<p>sub</p>');
  });

  it('serves every file with the content type of its extension', async () => {
    for (const [name, [body, contentType]] of Object.entries(FILES)) {
      if (name.startsWith('api/') || name === 'openapi.json') continue;
      const r = await rawRequest(emu.port, 'GET', `/${name}`);
      expect({ name, status: r.status, body: r.body, type: r.headers['content-type'] }).toEqual({ name, status: 200, body, type: contentType });
    }
  });

  it('answers HEAD with the headers only, and 404 for a missing file', async () => {
    const head = await rawRequest(emu.port, 'HEAD', '/app.js');
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', String(FILES['app.js']![0].length)]);
    const missing = await rawRequest(emu.port, 'GET', '/missing.js');
    expect([missing.status, JSON.parse(missing.body)]).toEqual([404, { detail: 'Not Found' }]);
  });

  it('leaves the server paths to the server', async () => {
    const version = await rawRequest(emu.port, 'GET', '/api/v1/app/version');
    expect(JSON.parse(version.body)).toEqual({ version: expect.any(String) });
    const openApi = JSON.parse((await rawRequest(emu.port, 'GET', '/openapi.json')).body);
    expect(openApi).toHaveProperty('paths');
    for (const path of ['/api/nothing', '/ws/other', '/docs']) expect((await rawRequest(emu.port, 'GET', path)).status).toBe(404);
  });

  it('never serves a file outside the directory', async () => {
    const attempts = [
      '/../secret.txt',
      '/sub/../../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/sub/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      `/${join(root, 'secret.txt')}`,
      `/${encodeURIComponent(join(root, 'secret.txt'))}`,
      '/%00secret.txt',
      '/%E0%A4%A',
    ];
    for (const path of attempts) {
      const r = await rawRequest(emu.port, 'GET', path);
      expect({ path, status: r.status, leaked: r.body.includes(SECRET) }).toEqual({ path, status: 404, leaked: false });
    }
  });

  it('does not count the web app in the API request stats', async () => {
    emu.stats.resetStats();
    await rawRequest(emu.port, 'GET', '/app.js');
    await rawRequest(emu.port, 'GET', '/api/v1/app/version');
    expect(emu.stats.byRoute()).toEqual({ 'GET /api/v1/app/version': 1 });
  });

  it('lives under the base path', async () => {
    expect((await rawRequest(based.port, 'GET', '/invoke/')).body).toBe(FILES['index.html']![0]);
    expect((await rawRequest(based.port, 'GET', '/invoke/app.js')).status).toBe(200);
    expect((await rawRequest(based.port, 'GET', '/app.js')).status).toBe(404);
  });

  it('is off by default, and a directory that does not exist is refused at start', async () => {
    const plain = await startEmulator({ executor: fakeExecutor });
    try {
      expect((await rawRequest(plain.port, 'GET', '/')).status).toBe(404);
    } finally {
      await plain.close();
    }
    const error = await startEmulator({ staticDir: join(root, 'nope') }).catch((e: unknown) => e);
    expect(isEmulatorOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^staticDir: '.*nope' is not a directory/);
  });
});
