import { HttpResponse, http } from 'msw';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ReaderWarning } from '../../src/client/warnings.js';
import { modelConfig } from '../support/builders.js';
import { BASE_URL, testClient, useMswServer } from '../support/msw.js';

const server = useMswServer();

describe('models', () => {
  it('list without a filter', async () => {
    let search = 'unset';
    server.use(http.get(`${BASE_URL}/api/v2/models/`, ({ request }) => ((search = new URL(request.url).search), HttpResponse.json({ models: [modelConfig()] }))));
    const models = await lastValueFrom(testClient().models.list());
    expect(models.map((m) => m.name)).toEqual(['test-sdxl']);
    // Unknown fields of a config pass through.
    expect(models[0]).toHaveProperty('repo_variant', 'fp16');
    expect(search).toBe('');
  });

  it.each([
    [{ base: 'sdxl' }, '?base_models=sdxl'],
    [{ base: ['sdxl', 'flux'], type: 'main' }, '?base_models=sdxl&base_models=flux&model_type=main'],
    [{ name: 'x y', type: 'vae' }, '?model_type=vae&model_name=x+y'],
  ])('list(%j) → %s', async (filter, expected) => {
    let search = '';
    server.use(http.get(`${BASE_URL}/api/v2/models/`, ({ request }) => ((search = new URL(request.url).search), HttpResponse.json({ models: [] }))));
    await lastValueFrom(testClient().models.list(filter));
    expect(search).toBe(expected);
  });

  it('a config missing `key` is dropped with a warning naming the entry and `key`; the others are kept', async () => {
    const { key: _key, ...broken } = modelConfig();
    server.use(http.get(`${BASE_URL}/api/v2/models/`, () => HttpResponse.json({ models: [broken, modelConfig({ name: 'ok' })] })));
    const warnings: ReaderWarning[] = [];
    const models = await lastValueFrom(testClient({ onWarning: (w) => warnings.push(w) }).models.list());
    expect(models.map((m) => m.name)).toEqual(['ok']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'dropped-entry', source: 'models.list', index: 0, issues: [{ path: 'key' }] });
    expect(warnings[0]!.message).toMatch(/models\.list: dropped entry 0 of 2.*key: /);
  });
});

describe('app', () => {
  it('version', async () => {
    server.use(http.get(`${BASE_URL}/api/v1/app/version`, () => HttpResponse.json({ version: '6.14.0-alpha' })));
    expect(await lastValueFrom(testClient().app.version())).toEqual({ version: '6.14.0-alpha' });
  });

  it('openapi is fetched below the base path', async () => {
    server.use(http.get(`${BASE_URL}/invoke/openapi.json`, () => HttpResponse.json({ openapi: '3.1.0' })));
    expect(await lastValueFrom(testClient({ baseUrl: `${BASE_URL}/invoke` }).app.openapi())).toEqual({ openapi: '3.1.0' });
  });
});
