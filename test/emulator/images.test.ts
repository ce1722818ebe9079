import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { fakeExecutor } from './support/fakeExecutor.js';
import { api, enqueue, settled } from './support/harness.js';
import { expectResponse } from './support/openApi.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ executor: fakeExecutor });
});
afterAll(() => emu.close());

const png = (w: number, h: number, channels: 3 | 4 = 3) =>
  encode({ width: w, height: h, channels, depth: 8, data: new Uint8Array(w * h * channels).map((_, i) => (i * 7) % 256) });

async function upload(bytes: Uint8Array, query = 'image_category=user&is_intermediate=false', type = 'image/png', extra?: (f: FormData) => void) {
  const form = new FormData();
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), 'in.png');
  extra?.(form);
  return api(emu, 'POST', `/api/v1/images/upload?${query}`, form);
}

describe('images', () => {
  it('upload → 201 ImageDTO with Location; full returns the same PNG bytes; thumbnail is WebP', async () => {
    const bytes = png(40, 30);
    const r = await upload(bytes);
    expect(r.status).toBe(201);
    expectResponse('POST', '/api/v1/images/upload', 201, r.body);
    expect(r.body).toMatchObject({ width: 40, height: 30, image_origin: 'external', image_category: 'user', is_intermediate: false, board_id: null, starred: false });
    expect(r.body.image_name).toMatch(/^[0-9a-f-]{36}\.png$/);
    expect(r.headers.get('location')).toBe(`api/v1/images/i/${r.body.image_name}/full`);
    expect(emu.images.hasImage(r.body.image_name)).toBe(true);

    const full = await fetch(`${emu.url}/api/v1/images/i/${r.body.image_name}/full`);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/png');
    expect(full.headers.get('content-disposition')).toBe(`inline; filename="${r.body.image_name}"`);
    expect(new Uint8Array(await full.arrayBuffer())).toEqual(bytes);

    const thumb = await fetch(`${emu.url}/api/v1/images/i/${r.body.image_name}/thumbnail`);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const t = new Uint8Array(await thumb.arrayBuffer());
    expect(new TextDecoder().decode(t.subarray(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(t.subarray(8, 16))).toBe('WEBPVP8L');

    const dto = await api(emu, 'GET', `/api/v1/images/i/${r.body.image_name}`);
    expectResponse('GET', '/api/v1/images/i/{image_name}', 200, dto.body);
    expect(dto.body).toEqual(r.body);
    const urls = await api(emu, 'GET', `/api/v1/images/i/${r.body.image_name}/urls`);
    expectResponse('GET', '/api/v1/images/i/{image_name}/urls', 200, urls.body);
  });

  it('upload errors: 415 not an image / unreadable, 422 missing query, 404 unknown board', async () => {
    expect((await upload(png(2, 2), 'image_category=user&is_intermediate=false', 'text/plain')).body).toEqual({ detail: 'Not an image' });
    const junk = await upload(new Uint8Array([1, 2, 3]));
    expect(junk).toMatchObject({ status: 415, body: { detail: 'Failed to read image' } });
    const missing = await upload(png(2, 2), 'is_intermediate=false');
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toMatchObject({ type: 'missing', loc: ['query', 'image_category'] });
    expect(await upload(png(2, 2), 'image_category=user&is_intermediate=false&board_id=nope')).toMatchObject({ status: 404, body: { detail: 'Board not found' } });
    const resized = await upload(png(8, 8), 'image_category=user&is_intermediate=true', 'image/png', (f) => f.append('resize_to', JSON.stringify({ width: 4, height: 2 })));
    expect(resized.body).toMatchObject({ width: 4, height: 2, is_intermediate: true });
    expect((await upload(png(8, 8), 'image_category=user&is_intermediate=false', 'image/png', (f) => f.append('resize_to', '[4,2]'))).status).toBe(400);
  });

  it('unknown image: 404 Not Found for reads, 200 empty lists for delete', async () => {
    for (const p of ['', '/full', '/thumbnail', '/urls'])
      expect(await api(emu, 'GET', `/api/v1/images/i/nope.png${p}`)).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    const d = await api(emu, 'DELETE', '/api/v1/images/i/nope.png');
    expect(d).toMatchObject({ status: 200, body: { deleted_images: [], affected_boards: [], failed_images: [] } });
  });

  it('star/unstar, patch, list with filters and pagination, images_by_names, delete, intermediates', async () => {
    const a = (await upload(png(4, 4))).body.image_name;
    const b = (await upload(png(4, 4), 'image_category=general&is_intermediate=true')).body.image_name;
    const s = await api(emu, 'POST', '/api/v1/images/star', { image_names: [a, 'nope.png'] });
    expectResponse('POST', '/api/v1/images/star', 200, s.body);
    expect(s.body).toEqual({ starred_images: [a], affected_boards: ['none'] });
    const u = await api(emu, 'POST', '/api/v1/images/unstar', { image_names: [a] });
    expectResponse('POST', '/api/v1/images/unstar', 200, u.body);
    expect(u.body.unstarred_images).toEqual([a]);
    const p = await api(emu, 'PATCH', `/api/v1/images/i/${a}`, { starred: true, image_category: 'control' });
    expectResponse('PATCH', '/api/v1/images/i/{image_name}', 200, p.body);
    expect(p.body).toMatchObject({ starred: true, image_category: 'control' });
    expect((await api(emu, 'PATCH', `/api/v1/images/i/${a}`, { nonsense: 1 })).status).toBe(422);

    const list = await api(emu, 'GET', '/api/v1/images/?categories=control&categories=general&limit=1&offset=0');
    expectResponse('GET', '/api/v1/images/', 200, list.body);
    expect(list.body).toMatchObject({ limit: 1, offset: 0, total: 2 });
    expect(list.body.items[0].image_name).toBe(a); // starred first
    const inter = await api(emu, 'GET', '/api/v1/images/?is_intermediate=true&board_id=none');
    const names = inter.body.items.map((i: any) => i.image_name);
    expect(names).toContain(b);
    expect(names).not.toContain(a);
    expect((await api(emu, 'GET', '/api/v1/images/?categories=bogus')).status).toBe(422);

    const count = await api(emu, 'GET', '/api/v1/images/intermediates');
    expectResponse('GET', '/api/v1/images/intermediates', 200, count.body);
    expect(count.body).toBeGreaterThanOrEqual(1);

    const byNames = await api(emu, 'POST', '/api/v1/images/images_by_names', { image_names: [b, 'x.png', a] });
    expectResponse('POST', '/api/v1/images/images_by_names', 200, byNames.body);
    expect(byNames.body.map((i: any) => i.image_name)).toEqual([b, a]);

    const del = await api(emu, 'POST', '/api/v1/images/delete', { image_names: [a] });
    expectResponse('POST', '/api/v1/images/delete', 200, del.body);
    expect(del.body).toEqual({ deleted_images: [a], affected_boards: ['none'], failed_images: [] });
    const del2 = await api(emu, 'DELETE', `/api/v1/images/i/${b}`);
    expectResponse('DELETE', '/api/v1/images/i/{image_name}', 200, del2.body);
    expect(emu.images.hasImage(a) || emu.images.hasImage(b)).toBe(false);
  });

  it('node outputs land in the gallery with the session and prepared node ids', async () => {
    const graph = { id: 'g', nodes: { blank: { id: 'blank', type: 'blank_image', width: 16, height: 8 } }, edges: [] };
    const r = await enqueue(emu, { graph, runs: 1, workflow: { name: 'x', nodes: [], edges: [] } });
    const item = await settled(emu, r.body.item_ids[0]);
    const prepared = item.session.source_prepared_mapping.blank[0];
    const name = item.session.results[prepared].image.image_name;
    const dto = (await api(emu, 'GET', `/api/v1/images/i/${name}`)).body;
    expect(dto).toMatchObject({ image_origin: 'internal', image_category: 'general', width: 16, height: 8, session_id: item.session_id, node_id: prepared, has_workflow: true });
  });
});

describe('boards', () => {
  it('create (201), get, list (400 without all/offset+limit), patch (201), image_names, board_images, delete', async () => {
    const c = await api(emu, 'POST', '/api/v1/boards/?board_name=Refined');
    expect(c.status).toBe(201);
    expectResponse('POST', '/api/v1/boards/', 201, c.body);
    const id = c.body.board_id;
    expect(c.body).toMatchObject({ board_name: 'Refined', user_id: 'system', image_count: 0, asset_count: 0, archived: false });
    expect((await api(emu, 'POST', '/api/v1/boards/')).status).toBe(422);

    const all = await api(emu, 'GET', '/api/v1/boards/?all=true');
    expectResponse('GET', '/api/v1/boards/', 200, all.body);
    expect(all.body.map((b: any) => b.board_id)).toContain(id);
    const page = await api(emu, 'GET', '/api/v1/boards/?offset=0&limit=5');
    expectResponse('GET', '/api/v1/boards/', 200, page.body);
    expect(page.body.total).toBeGreaterThanOrEqual(1);
    const bad = await api(emu, 'GET', '/api/v1/boards/');
    expect(bad).toMatchObject({ status: 400, body: { detail: "Invalid request: Must provide either 'all' or both 'offset' and 'limit'" } });

    const got = await api(emu, 'GET', `/api/v1/boards/${id}`);
    expectResponse('GET', '/api/v1/boards/{board_id}', 200, got.body);
    expect(await api(emu, 'GET', '/api/v1/boards/none')).toMatchObject({ status: 404, body: { detail: 'Board not found' } });
    const patched = await api(emu, 'PATCH', `/api/v1/boards/${id}`, { board_name: 'Final' });
    expect(patched.status).toBe(201);
    expectResponse('PATCH', '/api/v1/boards/{board_id}', 201, patched.body);
    expect(patched.body.board_name).toBe('Final');
    expect((await api(emu, 'PATCH', `/api/v1/boards/${id}`, { nope: 1 })).status).toBe(422);

    const img = (await upload(png(4, 4), `image_category=general&is_intermediate=false&board_id=${id}`)).body.image_name;
    const img2 = (await upload(png(4, 4))).body.image_name;
    expect((await api(emu, 'GET', `/api/v1/boards/${id}/image_names`)).body).toEqual([img]);
    const add = await api(emu, 'POST', '/api/v1/board_images/', { board_id: id, image_name: img2 });
    expect(add.status).toBe(201);
    expectResponse('POST', '/api/v1/board_images/', 201, add.body);
    expect(add.body).toEqual({ added_images: [img2], affected_boards: expect.arrayContaining(['none', id]) });
    expect((await api(emu, 'POST', '/api/v1/board_images/', { board_id: 'none', image_name: img2 })).status).toBe(404);
    const rm = await api(emu, 'DELETE', '/api/v1/board_images/', { image_name: img2 });
    expect(rm.status).toBe(201);
    expectResponse('DELETE', '/api/v1/board_images/', 201, rm.body);
    const none = await api(emu, 'GET', '/api/v1/boards/none/image_names');
    expectResponse('GET', '/api/v1/boards/{board_id}/image_names', 200, none.body);
    expect(none.body).toContain(img2);
    expect((await api(emu, 'GET', `/api/v1/boards/${id}`)).body.image_count).toBe(1);

    const d = await api(emu, 'DELETE', `/api/v1/boards/${id}`);
    expectResponse('DELETE', '/api/v1/boards/{board_id}', 200, d.body);
    expect(d.body).toMatchObject({ board_id: id, deleted_board_images: [img], deleted_images: [] });
    expect((await api(emu, 'GET', `/api/v1/images/i/${img}`)).body.board_id).toBeNull();
    expect((await api(emu, 'GET', `/api/v1/boards/${id}`)).status).toBe(404);
  });
});
