import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS } from '../../src/emulator/defaultModels.js';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { fakeExecutor } from './support/fakeExecutor.js';
import { api } from './support/harness.js';
import { expectResponse } from './support/openApi.js';
import recorded from '../fixtures/api-calls/call-wf-sdxl-flux-refine.json' with { type: 'json' };

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ executor: fakeExecutor });
});
afterAll(() => emu.close());

/** Every `{key, hash, name, base, type}` model identifier inside a recorded queue item. */
function modelIdentifiers(o: unknown, out: any[] = []): any[] {
  if (Array.isArray(o)) o.forEach((x) => modelIdentifiers(x, out));
  else if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    if (typeof r.key === 'string' && typeof r.hash === 'string' && typeof r.base === 'string' && typeof r.name === 'string') out.push(r);
    Object.values(r).forEach((x) => modelIdentifiers(x, out));
  }
  return out;
}

describe('models', () => {
  it('lists every default model as a valid AnyModelConfig', async () => {
    const r = await api(emu, 'GET', '/api/v2/models/');
    expect(r.status).toBe(200);
    expectResponse('GET', '/api/v2/models/', 200, r.body);
    expect(r.body.models).toHaveLength(DEFAULT_MODELS.length);
    for (const m of r.body.models) expectResponse('GET', '/api/v2/models/i/{key}', 200, m);
  });

  it('holds the models recorded workflows reference, with their exact keys and hashes', async () => {
    const ids = modelIdentifiers(recorded);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const r = await api(emu, 'GET', `/api/v2/models/i/${id.key}`);
      expect(r.status, id.name).toBe(200);
      expect(r.body).toMatchObject({ key: id.key, hash: id.hash, name: id.name, base: id.base, type: id.type });
    }
  });

  it('filters by base, type, name, format; get_by_attrs; unknown key 404', async () => {
    const sdxl = await api(emu, 'GET', '/api/v2/models/?base_models=sdxl&model_type=main');
    expect(sdxl.body.models.length).toBeGreaterThan(0);
    expect(sdxl.body.models.every((m: any) => m.base === 'sdxl' && m.type === 'main')).toBe(true);
    const two = await api(emu, 'GET', '/api/v2/models/?base_models=sdxl&base_models=flux&model_type=main');
    expect(new Set(two.body.models.map((m: any) => m.base))).toEqual(new Set(['sdxl', 'flux']));
    const esrgan = await api(emu, 'GET', '/api/v2/models/?model_type=spandrel_image_to_image');
    expect(esrgan.body.models.map((m: any) => m.name).sort()).toEqual(['RealESRGAN_x2plus', 'RealESRGAN_x4plus']);
    expect(esrgan.body.models[0]).not.toHaveProperty('scale');
    const byName = await api(emu, 'GET', '/api/v2/models/?model_name=flux1-schnell');
    expect(byName.body.models).toHaveLength(1);
    const attrs = await api(emu, 'GET', '/api/v2/models/get_by_attrs?name=flux1-dev&type=main&base=flux');
    expectResponse('GET', '/api/v2/models/get_by_attrs', 200, attrs.body);
    expect(attrs.body.variant).toBe('dev');
    expect(await api(emu, 'GET', '/api/v2/models/get_by_attrs?name=x&type=main&base=flux')).toMatchObject({
      status: 404,
      body: { detail: 'No model found with these attributes' },
    });
    expect((await api(emu, 'GET', '/api/v2/models/get_by_attrs?name=x')).status).toBe(422);
    expect((await api(emu, 'GET', '/api/v2/models/i/nope')).status).toBe(404);
  });

  it('serves the configured model list instead of the defaults', async () => {
    const custom = await startEmulator({ executor: fakeExecutor, models: [DEFAULT_MODELS[0]!] });
    try {
      expect((await api(custom, 'GET', '/api/v2/models/')).body.models).toHaveLength(1);
    } finally {
      await custom.close();
    }
  });
});

describe('app', () => {
  it('version, auth status (single-user), login refused in single-user mode', async () => {
    const v = await api(emu, 'GET', '/api/v1/app/version');
    expectResponse('GET', '/api/v1/app/version', 200, v.body);
    expect(v.body).toEqual({ version: '6.14.0-alpha' });
    const s = await api(emu, 'GET', '/api/v1/auth/status');
    expectResponse('GET', '/api/v1/auth/status', 200, s.body);
    expect(s.body).toEqual({ setup_required: false, multiuser_enabled: false, strict_password_checking: false, admin_email: null });
    const l = await api(emu, 'POST', '/api/v1/auth/login', { email: 'a@b.c', password: 'x' });
    expect(l.status).toBe(403);
    expect((await api(emu, 'GET', '/api/v1/auth/me')).status).toBe(401);
  });
});
