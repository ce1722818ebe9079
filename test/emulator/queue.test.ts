import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { fakeExecutor } from './support/fakeExecutor.js';
import { addGraph, api, enqueue, openSocket, settled, type TestSocket } from './support/harness.js';
import { expectEvent, expectResponse, expectSchema } from './support/openApi.js';

const Q = '/api/v1/queue/{queue_id}';
let emu: Emulator;
let sock: TestSocket;

beforeAll(async () => {
  emu = await startEmulator({ executor: fakeExecutor });
  sock = await openSocket(emu);
});
afterAll(async () => {
  sock.close();
  await emu.close();
});

/** Every event received so far must match its OpenAPI schema. */
function expectAllEventsValid(): void {
  expect(sock.events.length).toBeGreaterThan(0);
  for (const { event, payload } of sock.events) expectEvent(event, payload);
}

/** Independent exclude_none: drops null-valued keys at every depth. */
function dropNulls(v: any): any {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]));
  return v;
}

describe('enqueue_batch', () => {
  it('answers 200 EnqueueBatchResult, runs the graph, and stores the results', async () => {
    const r = await enqueue(emu, { graph: addGraph(2, 3), runs: 1, origin: 'test-origin', destination: 'gallery' });
    expect(r.status).toBe(200);
    expectResponse('POST', `${Q}/enqueue_batch`, 200, r.body);
    expect(r.body).toMatchObject({ queue_id: 'default', enqueued: 1, requested: 1, priority: 0 });
    expect(r.body.batch.graph.nodes.sum).toEqual({ id: 'sum', is_intermediate: false, use_cache: true, a: 0, b: 3, type: 'add' });
    const [id] = r.body.item_ids;
    const item = await settled(emu, id);
    expect(item.status).toBe('completed');
    const prepared = item.session.source_prepared_mapping.sum[0];
    expect(item.session.results[prepared]).toEqual({ type: 'integer_output', value: 5 });
    expect(item.origin).toBe('test-origin');
    expect(item.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    expect(item.started_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  });

  it('GET /i/{id} omits nulls; items_by_ids carries them and matches SessionQueueItem', async () => {
    const r = await enqueue(emu, { graph: addGraph(1, 1), runs: 1 });
    const id = r.body.item_ids[0];
    await settled(emu, id);
    const full = await api(emu, 'POST', '/api/v1/queue/default/items_by_ids', { item_ids: [id, 99999] });
    expect(full.status).toBe(200);
    expectResponse('POST', `${Q}/items_by_ids`, 200, full.body);
    expect(full.body).toHaveLength(1);
    expect(full.body[0].error_type).toBeNull();
    const one = await api(emu, 'GET', `/api/v1/queue/default/i/${id}`);
    expect(one.body).toEqual(dropNulls(full.body[0]));
    expect('error_type' in one.body).toBe(false);
    expect('origin' in one.body).toBe(false);
  });

  it('expands batch data: runs × product of zipped lists, item_ids descending, field_values recorded', async () => {
    await api(emu, 'PUT', '/api/v1/queue/default/processor/pause');
    const data = [
      [
        { node_path: 'int', field_name: 'value', items: [10, 20] },
        { node_path: 'sum', field_name: 'b', items: [1, 2] },
      ],
      [{ node_path: 'int', field_name: 'use_cache', items: [1, 0, 1] }],
    ];
    const r = await enqueue(emu, { graph: addGraph(), runs: 2, data });
    expect(r.status).toBe(200);
    expect(r.body.requested).toBe(2 * 2 * 3);
    expect(r.body.enqueued).toBe(12);
    const ids: number[] = r.body.item_ids;
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const items = (await api(emu, 'POST', '/api/v1/queue/default/items_by_ids', { item_ids: [...ids].reverse() })).body;
    expect(items[0].field_values).toEqual([
      { node_path: 'int', field_name: 'value', value: 10 },
      { node_path: 'sum', field_name: 'b', value: 1 },
      { node_path: 'int', field_name: 'use_cache', value: 1 },
    ]);
    expect(items[1].field_values.map((f: any) => f.value)).toEqual([10, 1, 0]);
    expect(items[3].field_values.map((f: any) => f.value)).toEqual([20, 2, 1]);
    expect(items[6].field_values).toEqual(items[0].field_values);
    expect(items[0].session.graph.nodes.int.value).toBe(10);
    const status = await api(emu, 'GET', `/api/v1/queue/default/b/${r.body.batch.batch_id}/status`);
    expectResponse('GET', `${Q}/b/{batch_id}/status`, 200, status.body);
    expect(status.body).toMatchObject({ pending: 12, total: 12, completed: 0 });
    await api(emu, 'PUT', '/api/v1/queue/default/cancel_by_batch_ids', { batch_ids: [r.body.batch.batch_id] });
    await api(emu, 'PUT', '/api/v1/queue/default/processor/resume');
  });

  it('rejects invalid batches with FastAPI 422 bodies', async () => {
    const zipped = await enqueue(emu, {
      graph: addGraph(),
      runs: 1,
      data: [[{ node_path: 'int', field_name: 'value', items: [1, 2] }, { node_path: 'sum', field_name: 'b', items: [1] }]],
    });
    expect(zipped.status).toBe(422);
    expectSchema('HTTPValidationError', zipped.body);
    expect(zipped.body.detail[0].msg).toContain('Zipped batch items must all have the same length');
    const missingNode = await enqueue(emu, { graph: addGraph(), runs: 1, data: [[{ node_path: 'nope', field_name: 'value', items: [1] }]] });
    expect(missingNode.status).toBe(422);
    expect(missingNode.body.detail[0].msg).toContain('Node nope not found in graph');
    const badField = await enqueue(emu, { graph: addGraph(), runs: 1, data: [[{ node_path: 'int', field_name: 'zzz', items: [1] }]] });
    expect(badField.body.detail[0].msg).toContain('Field zzz not found in node int');
    const runs0 = await enqueue(emu, { graph: addGraph(), runs: 0 });
    expect(runs0.status).toBe(422);
    expect(runs0.body.detail[0]).toMatchObject({ type: 'greater_than_equal', loc: ['body', 'batch', 'runs'] });
    const noGraph = await api(emu, 'POST', '/api/v1/queue/default/enqueue_batch', { batch: { runs: 1 } });
    expect(noGraph.status).toBe(422);
    expect(noGraph.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'batch', 'graph'], msg: 'Field required' });
    const notJson = await fetch(`${emu.url}/api/v1/queue/default/enqueue_batch`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(422);
    expect((await notJson.json()).detail[0].type).toBe('json_invalid');
  });

  it('answers 422 union_tag_invalid for an unknown node type', async () => {
    const g = addGraph();
    (g.nodes as any).bad = { id: 'bad', type: 'canny_image_processor' };
    const r = await enqueue(emu, { graph: g, runs: 1 });
    expect(r.status).toBe(422);
    expectResponse('POST', `${Q}/enqueue_batch`, 422, r.body);
    expect(r.body.detail[0]).toMatchObject({ type: 'union_tag_invalid', loc: ['body', 'batch', 'graph', 'nodes', 'bad'] });
  });

  it('caps at maxQueueSize (enqueued 0 when full) and prepends with a higher priority', async () => {
    const small = await startEmulator({ executor: fakeExecutor, maxQueueSize: 3 });
    try {
      await api(small, 'PUT', '/api/v1/queue/default/processor/pause');
      const a = await enqueue(small, { graph: addGraph(), runs: 2 });
      expect(a.body).toMatchObject({ enqueued: 2, requested: 2, priority: 0 });
      const b = await enqueue(small, { graph: addGraph(), runs: 5 }, true);
      expect(b.body).toMatchObject({ enqueued: 1, requested: 5, priority: 1 });
      const full = await enqueue(small, { graph: addGraph(), runs: 1 });
      expect(full.status).toBe(200);
      expect(full.body).toMatchObject({ enqueued: 0, item_ids: [] });
      const list = await api(small, 'GET', '/api/v1/queue/default/list_all');
      expectResponse('GET', `${Q}/list_all`, 200, list.body);
      expect(list.body.map((i: any) => i.item_id)).toEqual([3, 1, 2]);
      const next = await api(small, 'GET', '/api/v1/queue/default/next');
      expectResponse('GET', `${Q}/next`, 200, next.body);
      expect(next.body.item_id).toBe(3);
      const current = await api(small, 'GET', '/api/v1/queue/default/current');
      expect(current.body).toBeNull();
      const st = await api(small, 'GET', '/api/v1/queue/default/status');
      expectResponse('GET', `${Q}/status`, 200, st.body);
      expect(st.body).toMatchObject({ queue: { pending: 3, total: 3, user_pending: 3 }, processor: { is_started: false, is_processing: false } });
      const ids = await api(small, 'GET', '/api/v1/queue/default/item_ids?order_dir=ASC');
      expectResponse('GET', `${Q}/item_ids`, 200, ids.body);
      expect(ids.body).toEqual({ item_ids: [1, 2, 3], total_count: 3 });
      const resumed = await api(small, 'PUT', '/api/v1/queue/default/processor/resume');
      expectResponse('PUT', `${Q}/processor/resume`, 200, resumed.body);
      expect(resumed.body.is_started).toBe(true);
      // priority DESC, item_id ASC: the prepended item runs first.
      const done = await Promise.all([1, 2, 3].map((i) => settled(small, i)));
      const started = done.map((i) => i.started_at);
      expect(started[2] <= started[0] && started[0] <= started[1]).toBe(true);
      const pruned = await api(small, 'PUT', '/api/v1/queue/default/prune');
      expectResponse('PUT', `${Q}/prune`, 200, pruned.body);
      expect(pruned.body).toEqual({ deleted: 3 });
    } finally {
      await small.close();
    }
  });
});

describe('status lifecycle and event order (§2.5)', () => {
  const seq = (itemId: number) =>
    sock.events
      .filter((e) => e.payload?.item_id === itemId)
      .map((e) => (e.event === 'queue_item_status_changed' ? `status:${e.payload.status}` : e.event));

  it('completed item: in_progress → invocation events per node → completed', async () => {
    const r = await enqueue(emu, { graph: addGraph(4, 5), runs: 1 });
    const id = r.body.item_ids[0];
    await sock.waitFor((ev) => ev.some((e) => e.event === 'queue_item_status_changed' && e.payload.item_id === id && e.payload.status === 'completed'));
    // batch_enqueued names no item: it must precede the item's first event.
    const enqueuedAt = sock.events.findIndex((e) => e.event === 'batch_enqueued' && e.payload.batch_id === r.body.batch.batch_id);
    expect(enqueuedAt).toBeGreaterThanOrEqual(0);
    expect(enqueuedAt).toBeLessThan(sock.events.findIndex((e) => e.payload?.item_id === id));
    expect(seq(id)).toEqual([
      'status:in_progress',
      'invocation_started',
      'invocation_progress',
      'invocation_complete',
      'invocation_started',
      'invocation_progress',
      'invocation_complete',
      'status:completed',
    ]);
    const statuses = sock.of('queue_item_status_changed', id);
    expect(statuses.map((s) => s.status_sequence)).toEqual([1, 2]);
    expect(statuses[1].batch_status).toMatchObject({ batch_id: r.body.batch.batch_id, completed: 1, total: 1 });
    const complete = sock.of('invocation_complete', id);
    expect(complete.map((c) => c.invocation_source_id)).toEqual(['int', 'sum']);
    expect(complete[1].result).toEqual({ type: 'integer_output', value: 9, output_meta: null });
    expect(complete[1].session_id).toBe(statuses[0].session_id);
    expectAllEventsValid();
  });

  it('failed item: failed status BEFORE invocation_error, error fields on the item', async () => {
    emu.faults.failNode('add', { error_type: 'ZeroDivisionError', error_message: 'division by zero' });
    const r = await enqueue(emu, { graph: addGraph(), runs: 1 });
    const id = r.body.item_ids[0];
    await sock.waitFor((ev) => ev.some((e) => e.event === 'invocation_error' && e.payload.item_id === id));
    expect(seq(id)).toEqual([
      'status:in_progress',
      'invocation_started',
      'invocation_progress',
      'invocation_complete',
      'invocation_started',
      'status:failed',
      'invocation_error',
    ]);
    const [err] = sock.of('invocation_error', id);
    expect(err).toMatchObject({ error_type: 'ZeroDivisionError', error_message: 'division by zero', invocation_source_id: 'sum' });
    expect(err.error_traceback).toContain('ZeroDivisionError: division by zero');
    const item = await settled(emu, id);
    expect(item).toMatchObject({ status: 'failed', error_type: 'ZeroDivisionError', error_message: 'division by zero' });
    const prepared = item.session.source_prepared_mapping.sum[0];
    expect(item.session.errors[prepared]).toBe('ZeroDivisionError: division by zero');
    // The next item is not affected.
    const ok = await enqueue(emu, { graph: addGraph(), runs: 1 });
    expect((await settled(emu, ok.body.item_ids[0])).status).toBe('completed');
    expectAllEventsValid();
  });

  it('canceled item: PUT /i/{id}/cancel stops a running item with one canceled status event', async () => {
    emu.faults.stallNode('add', { forever: true });
    const r = await enqueue(emu, { graph: addGraph(), runs: 1 });
    const id = r.body.item_ids[0];
    await sock.waitFor((ev) => ev.some((e) => e.event === 'invocation_started' && e.payload.item_id === id && e.payload.invocation_source_id === 'sum'));
    const cur = await api(emu, 'GET', '/api/v1/queue/default/current');
    expect(cur.body.item_id).toBe(id);
    const c = await api(emu, 'PUT', `/api/v1/queue/default/i/${id}/cancel`);
    expect(c.status).toBe(200);
    expectResponse('PUT', `${Q}/i/{item_id}/cancel`, 200, c.body);
    expect(c.body.status).toBe('canceled');
    expect(c.body.completed_at).not.toBeNull();
    await vi.waitFor(() => expect(emu.queue.isProcessing, 'worker busy').toBe(false), { timeout: 20_000, interval: 5 });
    expect(seq(id).slice(-2)).toEqual(['invocation_started', 'status:canceled']);
    // Canceling a finished item changes nothing and sends nothing.
    const again = await api(emu, 'PUT', `/api/v1/queue/default/i/${id}/cancel`);
    expect(again.body.status_sequence).toBe(c.body.status_sequence);
    expect(sock.of('queue_item_status_changed', id)).toHaveLength(2);
    expectAllEventsValid();
  });

  it('cancel_by_batch_ids: pending items silently + one queue_items_canceled; the running one with its own event', async () => {
    emu.faults.stallNode('add', { forever: true });
    const r = await enqueue(emu, { graph: addGraph(), runs: 3 });
    const [third, second, first] = r.body.item_ids;
    await sock.waitFor((ev) => ev.some((e) => e.event === 'invocation_started' && e.payload.item_id === first && e.payload.invocation_source_id === 'sum'));
    const c = await api(emu, 'PUT', '/api/v1/queue/default/cancel_by_batch_ids', { batch_ids: [r.body.batch.batch_id] });
    expectResponse('PUT', `${Q}/cancel_by_batch_ids`, 200, c.body);
    expect(c.body).toEqual({ canceled: 3 });
    await sock.waitFor((ev) => ev.some((e) => e.event === 'queue_items_canceled' && e.payload.canceled_item_ids.includes(second)));
    const bulk = sock.events.filter((e) => e.event === 'queue_items_canceled').at(-1)!.payload;
    expect(bulk.canceled_item_ids.sort()).toEqual([second, third].sort());
    expect(bulk.canceled_item_ids_by_user).toEqual({ system: bulk.canceled_item_ids });
    expect(sock.of('queue_item_status_changed', second)).toEqual([]);
    expect(sock.of('queue_item_status_changed', first).map((s) => s.status)).toEqual(['in_progress', 'canceled']);
    const st = await api(emu, 'GET', `/api/v1/queue/default/b/${r.body.batch.batch_id}/status`);
    expect(st.body).toMatchObject({ canceled: 3, pending: 0, in_progress: 0, total: 3 });
    expectAllEventsValid();
  });

  it('DELETE /i/{id} removes the row; unknown ids are 404 with the server message', async () => {
    const r = await enqueue(emu, { graph: addGraph(), runs: 1 });
    const id = r.body.item_ids[0];
    await settled(emu, id);
    const d = await api(emu, 'DELETE', `/api/v1/queue/default/i/${id}`);
    expect(d.status).toBe(200);
    expect(d.body).toBeNull();
    const g = await api(emu, 'GET', `/api/v1/queue/default/i/${id}`);
    expect(g.status).toBe(404);
    expect(g.body).toEqual({ detail: `Queue item with id ${id} not found in queue default` });
    expect((await api(emu, 'PUT', '/api/v1/queue/default/i/424242/cancel')).status).toBe(404);
    const notInt = await api(emu, 'GET', '/api/v1/queue/default/i/abc');
    expect(notInt.status).toBe(422);
    expect(notInt.body.detail[0]).toMatchObject({ type: 'int_parsing', loc: ['path', 'item_id'] });
  });

  it('clear: cancels the running item, deletes rows, emits queue_cleared to subscribers', async () => {
    emu.faults.stallNode('add', { forever: true });
    const r = await enqueue(emu, { graph: addGraph(), runs: 2 });
    const first = r.body.item_ids[1];
    await sock.waitFor((ev) => ev.some((e) => e.event === 'invocation_started' && e.payload.item_id === first && e.payload.invocation_source_id === 'sum'));
    const c = await api(emu, 'PUT', '/api/v1/queue/default/clear');
    expectResponse('PUT', `${Q}/clear`, 200, c.body);
    expect(c.body.deleted).toBeGreaterThanOrEqual(2);
    await sock.waitFor((ev) => ev.some((e) => e.event === 'queue_cleared'));
    expect(sock.of('queue_cleared').at(-1)).toMatchObject({ queue_id: 'default', user_id: null });
    expect(sock.of('queue_item_status_changed', first).map((s) => s.status)).toEqual(['in_progress', 'canceled']);
    expect((await api(emu, 'GET', `/api/v1/queue/default/i/${first}`)).status).toBe(404);
    expect((await api(emu, 'GET', '/api/v1/queue/default/list_all')).body).toEqual([]);
    expectAllEventsValid();
  });
});

describe('routing and errors', () => {
  it('the schema checks used here reject what the server must not send', () => {
    expect(() => expectSchema('SessionQueueItem', { item_id: 1 })).toThrow(/does not match/);
    expect(() => expectEvent('invocation_complete', { item_id: 'x' })).toThrow(/does not match/);
  });

  it('unknown routes are 404 {"detail":"Not Found"}; wrong methods 405', async () => {
    expect(await api(emu, 'GET', '/api/v1/nope')).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    expect(await api(emu, 'DELETE', '/api/v1/queue/default/status')).toMatchObject({ status: 405, body: { detail: 'Method Not Allowed' } });
  });

  it('queue_room events need subscribe_queue; private events reach every single-user socket', async () => {
    const quiet = await openSocket(emu, { subscribe: false });
    try {
      const r = await enqueue(emu, { graph: addGraph(), runs: 1 });
      const id = r.body.item_ids[0];
      await quiet.waitFor((ev) => ev.some((e) => e.event === 'queue_item_status_changed' && e.payload.item_id === id && e.payload.status === 'completed'));
      await api(emu, 'PUT', '/api/v1/queue/default/clear');
      await sock.waitFor((ev) => ev.filter((e) => e.event === 'queue_cleared').length >= 2);
      expect(quiet.of('queue_cleared')).toEqual([]);
      expect(quiet.of('invocation_complete', id)).toHaveLength(2);
    } finally {
      quiet.close();
    }
  });

  it('counts requests per route template', async () => {
    emu.stats.resetStats();
    await api(emu, 'GET', '/api/v1/queue/default/status');
    await api(emu, 'GET', '/api/v1/queue/default/status');
    await api(emu, 'GET', '/api/v1/queue/default/i/1');
    expect(emu.stats.requestCount('GET', '/api/v1/queue/{queue_id}/status')).toBe(2);
    expect(emu.stats.requestCount(undefined, '/api/v1/queue/{queue_id}/i/{item_id}')).toBe(1);
    expect(emu.stats.total).toBe(3);
    expect(emu.queue.workerBusyMs).toBeGreaterThan(0);
    expect(emu.queue.busyFraction).toBeGreaterThan(0);
    expect(emu.queue.busyFraction).toBeLessThanOrEqual(1);
  });
});
