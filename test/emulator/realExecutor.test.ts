import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { addGraph, api, enqueue, openSocket, settled, type TestSocket } from './support/harness.js';
import { expectEvent, expectResponse } from './support/openApi.js';
import sdxl from '../fixtures/api-calls/call-wf-sdxl-text-to-image.json' with { type: 'json' };
import refine from '../fixtures/api-calls/call-wf-sdxl-flux-refine.json' with { type: 'json' };
import fluxI2i from '../fixtures/api-calls/call-wf-flux-image-to-image.json' with { type: 'json' };

// The bundled executor (no `executor` option): the server and the executor together.
let emu: Emulator;
let sock: TestSocket;
beforeAll(async () => {
  emu = await startEmulator();
  sock = await openSocket(emu);
});
afterAll(async () => {
  sock.close();
  await emu.close();
});

describe('with the bundled executor', () => {
  it('runs integer → add', async () => {
    const r = await enqueue(emu, { graph: addGraph(20, 22), runs: 1 });
    expect(r.status).toBe(200);
    const item = await settled(emu, r.body.item_ids[0]);
    expect(item.status).toBe('completed');
    expect(item.session.results[item.session.source_prepared_mapping.sum[0]]).toMatchObject({ type: 'integer_output', value: 42 });
    const full = await api(emu, 'POST', '/api/v1/queue/default/items_by_ids', { item_ids: [item.item_id] });
    expectResponse('POST', '/api/v1/queue/{queue_id}/items_by_ids', 200, full.body);
  });

  it('runs blank_image → img_resize and serves the PNG', async () => {
    const graph = {
      id: 'img',
      nodes: {
        blank: { id: 'blank', type: 'blank_image', width: 64, height: 48, color: { r: 10, g: 200, b: 30, a: 255 } },
        resize: { id: 'resize', type: 'img_resize', width: 32, height: 24, is_intermediate: false },
      },
      edges: [{ source: { node_id: 'blank', field: 'image' }, destination: { node_id: 'resize', field: 'image' } }],
    };
    const r = await enqueue(emu, { graph, runs: 1 });
    expect(r.status).toBe(200);
    const item = await settled(emu, r.body.item_ids[0]);
    expect(item.status, JSON.stringify(item.error_message ?? '')).toBe('completed');
    const out = item.session.results[item.session.source_prepared_mapping.resize[0]];
    expect(out).toMatchObject({ type: 'image_output', width: 32, height: 24 });
    const res = await fetch(`${emu.url}/api/v1/images/i/${out.image.image_name}/full`);
    const img = decode(new Uint8Array(await res.arrayBuffer()));
    expect([img.width, img.height]).toEqual([32, 24]);
    const id = item.item_id;
    await sock.waitFor((ev) => ev.some((e) => e.event === 'queue_item_status_changed' && e.payload.item_id === id && e.payload.status === 'completed'));
    for (const e of sock.events.filter((x) => x.payload?.item_id === id)) expectEvent(e.event, e.payload);
  });

  it('rejects an unknown node type with 422', async () => {
    const g = addGraph();
    (g.nodes as any).x = { id: 'x', type: 'canny_image_processor' };
    const r = await enqueue(emu, { graph: g, runs: 1 });
    expect(r.status).toBe(422);
    expect(r.body.detail[0].type).toBe('union_tag_invalid');
  });

  it.each([
    ['sdxl-text-to-image', sdxl],
    ['sdxl-flux-refine', refine],
    ['flux-image-to-image', fluxI2i],
  ])('runs the graph recorded for %s', async (_name, recorded: any) => {
    let graph = structuredClone(recorded.session.graph);
    // Image inputs of the recording name images of the recording server: upload a stand-in.
    const json = JSON.stringify(graph);
    const names = [...new Set([...json.matchAll(/"image_name":"([^"]+)"/g)].map((m) => m[1]!))];
    for (const n of names) {
      const form = new FormData();
      const { encode } = await import('fast-png');
      const bytes = encode({ width: 64, height: 64, channels: 3, depth: 8, data: new Uint8Array(64 * 64 * 3).fill(100) });
      form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'in.png');
      const up = await api(emu, 'POST', '/api/v1/images/upload?image_category=user&is_intermediate=false', form);
      graph = JSON.parse(JSON.stringify(graph).replaceAll(n, up.body.image_name));
    }
    const r = await enqueue(emu, { graph, runs: 1 });
    expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
    const item = await settled(emu, r.body.item_ids[0]);
    expect(item.status, `${item.error_type}: ${item.error_message}`).toBe('completed');
    const images = Object.values(item.session.results as Record<string, any>).filter((o) => o.type === 'image_output');
    expect(images.length).toBeGreaterThan(0);
    for (const o of images) expect(emu.images.hasImage(o.image.image_name)).toBe(true);
  });
});
