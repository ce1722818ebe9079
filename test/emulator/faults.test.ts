import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { fakeExecutor } from './support/fakeExecutor.js';
import { addGraph, api, enqueue, openSocket, settled, type TestSocket } from './support/harness.js';

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

const startedNode = (id: number, source: string) => (ev: { event: string; payload: any }[]) =>
  ev.some((e) => e.event === 'invocation_started' && e.payload.item_id === id && e.payload.invocation_source_id === source);

describe('faults', () => {
  it('failNode fails exactly `times` executions, then disarms', async () => {
    emu.faults.failNode('integer', { error_type: 'ValueError', error_message: 'bad', times: 2 });
    const r = await enqueue(emu, { graph: addGraph(), runs: 3 });
    const [c, b, a] = r.body.item_ids;
    expect((await settled(emu, a)).error_type).toBe('ValueError');
    expect((await settled(emu, b)).error_message).toBe('bad');
    expect((await settled(emu, c)).status).toBe('completed');
    expect(emu.faults.state().failNode).toEqual({});
  });

  it('httpErrors answers the next N matching requests with the status and Retry-After', async () => {
    emu.faults.httpErrors({ status: 503, count: 2, retryAfter: 7, route: '/api/v1/queue/{queue_id}/status', method: 'GET' });
    const other = await api(emu, 'GET', '/api/v1/app/version');
    expect(other.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const r = await api(emu, 'GET', '/api/v1/queue/default/status');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('7');
      expect(r.body).toEqual({ detail: 'Service Unavailable' });
    }
    expect((await api(emu, 'GET', '/api/v1/queue/default/status')).status).toBe(200);
    emu.faults.httpErrors({ status: 429, count: 1, route: 'enqueue_batch' });
    const limited = await enqueue(emu, { graph: addGraph(), runs: 1 });
    expect(limited.status).toBe(429);
    expect(emu.queue.items().some((i) => i.status === 'pending' && i.batch_id === limited.body?.batch?.batch_id)).toBe(false);
  });

  it('dropAfterAccept creates the items, then resets the connection without an answer', async () => {
    const before = emu.queue.items().length;
    emu.faults.dropAfterAccept({ route: 'enqueue_batch', count: 1 });
    const batch_id = 'dropped-batch';
    await expect(enqueue(emu, { graph: addGraph(), runs: 2, batch_id })).rejects.toThrow();
    expect(emu.queue.items().length).toBe(before + 2);
    const st = await api(emu, 'GET', `/api/v1/queue/default/b/${batch_id}/status`);
    expect(st.body.total).toBe(2);
    const ok = await enqueue(emu, { graph: addGraph(), runs: 1 });
    expect(ok.status).toBe(200);
  });

  it('stallNode holds a node until the item is canceled', async () => {
    emu.faults.stallNode('add', { forever: true });
    const r = await enqueue(emu, { graph: addGraph(), runs: 1 });
    const id = r.body.item_ids[0];
    await sock.waitFor(startedNode(id, 'sum'));
    expect((await api(emu, 'GET', `/api/v1/queue/default/i/${id}`)).body.status).toBe('in_progress');
    expect(emu.queue.isProcessing).toBe(true);
    await api(emu, 'PUT', `/api/v1/queue/default/i/${id}/cancel`);
    await vi.waitFor(() => expect(emu.queue.isProcessing, 'worker busy').toBe(false), { timeout: 20_000, interval: 5 });
    expect(sock.of('invocation_complete', id).map((e) => e.invocation_source_id)).toEqual(['int']);
  });

  it('pause/resume stop and restart the processor', async () => {
    emu.faults.pause();
    const r = await enqueue(emu, { graph: addGraph(), runs: 1 });
    const id = r.body.item_ids[0];
    const st = await api(emu, 'GET', '/api/v1/queue/default/status');
    expect(st.body.processor.is_started).toBe(false);
    expect((await api(emu, 'GET', `/api/v1/queue/default/i/${id}`)).body.status).toBe('pending');
    emu.faults.resume();
    expect((await settled(emu, id)).status).toBe('completed');
  });

  it('disconnectSockets drops every socket.io client', async () => {
    const s = await openSocket(emu);
    const gone = new Promise<string>((resolve) => s.socket.once('disconnect', (reason) => resolve(reason)));
    emu.faults.disconnectSockets();
    expect(await gone).toBe('io server disconnect');
    // The shared socket was dropped too: reconnect for later tests.
    sock.close();
    sock = await openSocket(emu);
  });

  it('restart cancels the in-progress item silently (as InvokeAI startup does), drops sockets, keeps the port', async () => {
    emu.faults.stallNode('add', { forever: true });
    const r = await enqueue(emu, { graph: addGraph(), runs: 2 });
    const [second, first] = r.body.item_ids;
    await sock.waitFor(startedNode(first, 'sum'));
    const dropped = new Promise<void>((resolve) => sock.socket.once('disconnect', () => resolve()));
    await emu.faults.restart();
    await dropped;
    const item = await settled(emu, first);
    expect(item.status).toBe('canceled');
    expect(item.error_type).toBeUndefined();
    expect(sock.of('queue_item_status_changed', first).map((s) => s.status)).toEqual(['in_progress']);
    // Pending work continues after the restart, on the same port.
    expect((await settled(emu, second)).status).toBe('completed');
    sock = await openSocket(emu);
  });

  it('restart({ inProgressAs: "failed" }) marks the in-progress item failed with error fields', async () => {
    emu.faults.stallNode('add', { forever: true });
    const r = await enqueue(emu, { graph: addGraph(), runs: 1 });
    const id = r.body.item_ids[0];
    await sock.waitFor(startedNode(id, 'sum'));
    await emu.faults.restart({ inProgressAs: 'failed' });
    const item = await settled(emu, id);
    expect(item).toMatchObject({ status: 'failed', error_type: 'ServerRestartError' });
    expect(item.completed_at).toBeDefined();
    sock = await openSocket(emu);
  });

  it('the same controls work over HTTP under /__emulator/faults', async () => {
    const armed = await api(emu, 'POST', '/__emulator/faults/fail-node', { type: 'add', error_type: 'RuntimeError', error_message: 'boom' });
    expect(armed.status).toBe(200);
    expect(armed.body.failNode.add).toMatchObject({ error_type: 'RuntimeError', remaining: 1 });
    const r = await enqueue(emu, { graph: addGraph(), runs: 1 });
    expect((await settled(emu, r.body.item_ids[0])).error_message).toBe('boom');

    await api(emu, 'POST', '/__emulator/faults/http-errors', { status: 500, count: 1, route: '/api/v1/app/version' });
    expect((await api(emu, 'GET', '/api/v1/app/version')).status).toBe(500);
    expect((await api(emu, 'GET', '/api/v1/app/version')).status).toBe(200);

    await api(emu, 'POST', '/__emulator/faults/http-errors', { status: 502, count: 5 });
    await api(emu, 'POST', '/__emulator/faults/stall-node', { type: 'add', ms: 1 });
    await api(emu, 'POST', '/__emulator/faults/drop-after-accept', { route: 'enqueue_batch', count: 3 });
    expect((await api(emu, 'GET', '/__emulator/faults')).body).toMatchObject({ httpErrors: [{ status: 502, remaining: 5 }], dropAfterAccept: [{ remaining: 3 }] });
    const cleared = await api(emu, 'POST', '/__emulator/faults/clear');
    expect(cleared.body).toEqual({ failNode: {}, stallNode: {}, httpErrors: [], dropAfterAccept: [] });
    expect((await api(emu, 'POST', '/__emulator/faults/http-errors', { status: 404, count: 1 })).status).toBe(422);

    await api(emu, 'POST', '/__emulator/faults/pause');
    expect((await api(emu, 'GET', '/api/v1/queue/default/status')).body.processor.is_started).toBe(false);
    await api(emu, 'POST', '/__emulator/faults/resume');
    expect((await api(emu, 'GET', '/api/v1/queue/default/status')).body.processor.is_started).toBe(true);

    const s = await openSocket(emu);
    const gone = new Promise<void>((resolve) => s.socket.once('disconnect', () => resolve()));
    await api(emu, 'POST', '/__emulator/faults/disconnect-sockets');
    await gone;
    sock = await openSocket(emu);

    const restarted = await api(emu, 'POST', '/__emulator/faults/restart', { inProgressAs: 'canceled' });
    expect(restarted.status).toBe(200);
  });
});
