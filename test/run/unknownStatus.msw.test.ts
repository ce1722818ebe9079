// A queue status this library does not know (a newer server's) is not terminal: the run keeps
// waiting within its timeouts, warns once, and completes when the item does.
import { HttpResponse, http } from 'msw';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import type { ReaderWarning } from '../../src/client/warnings.js';
import { isRunTimeoutError } from '../../src/errors/guards.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { Batch } from '../../src/schemas/graph.js';
import { enqueueBatchResult, queueItem } from '../support/builders.js';
import { fakeEvent, fakeSocketServer } from '../support/fakeSocket.js';
import { BASE_URL, testClient, useMswServer } from '../support/msw.js';

const Q = `${BASE_URL}/api/v1/queue/default`;
const server = useMswServer();
const BATCH_ID = 'b7c1f7d2-0000-4000-8000-000000000001';
const batch: Batch = { batch_id: BATCH_ID, graph: { nodes: {}, edges: [] }, runs: 1 };
const fast = { connectTimeout: 0, pollIntervalWithoutSocket: 2, pollInterval: 2, queuePosition: false } as const;

/** The item as successive `GET /i/1` answers give it; the last one repeats (or `statuses()` when a function). */
function serveItem(statuses: string[] | (() => string)): { reads: () => number } {
  let reads = 0;
  const next = typeof statuses === 'function' ? statuses : () => statuses[Math.min(reads, statuses.length - 1)]!;
  server.use(
    http.post(`${Q}/enqueue_batch`, () => HttpResponse.json(enqueueBatchResult({ item_ids: [1] }))),
    http.get(`${Q}/i/1`, () => {
      const status = next();
      reads += 1;
      const known = ['pending', 'in_progress', 'completed'].includes(status);
      return HttpResponse.json({ ...queueItem({ item_id: 1, status: known ? (status as 'pending') : 'in_progress', status_sequence: reads }), status });
    }),
    http.put(`${Q}/i/1/cancel`, () => HttpResponse.json(queueItem({ item_id: 1, status: 'canceled' }))),
  );
  return { reads: () => reads };
}

describe('runWorkflow with a status it does not know', () => {
  it('keeps polling through an unknown status and completes when the item completes; warns once', async () => {
    const served = serveItem(['pending', 'paused', 'paused', 'suspended', 'completed']);
    const warnings: ReaderWarning[] = [];
    const client = testClient({ onWarning: (w) => warnings.push(w) });
    const events = await lastValueFrom(runWorkflow(client, { batch }, fast).pipe(toArray()));
    expect(events.at(-1)).toMatchObject({ type: 'completed', item_id: 1, result: { item: { status: 'completed' } } });
    expect(served.reads()).toBeGreaterThanOrEqual(5);
    expect(warnings).toEqual([expect.objectContaining({ kind: 'unknown-status', item_id: 1, status: 'paused' })]);
    expect(warnings[0]!.message).toContain('"paused"');
  });

  it('an unknown status never ends the run by itself: the run limit still applies, and the item is canceled', async () => {
    serveItem(['paused']);
    let canceled = 0;
    server.use(http.put(`${Q}/i/1/cancel`, () => ((canceled += 1), HttpResponse.json(queueItem({ item_id: 1, status: 'canceled' })))));
    const client = testClient({ onWarning: () => {} });
    const error = await lastValueFrom(runWorkflow(client, { batch }, { ...fast, timeouts: { total: 150 } })).catch((e: unknown) => e);
    expect(isRunTimeoutError(error)).toBe(true);
    await vi.waitFor(() => expect(canceled).toBe(1));
  });

  it('an unknown status in a socket event is not dropped: the run warns and keeps waiting for the item', async () => {
    const sockets = fakeSocketServer({ autoConnect: true });
    let status = 'in_progress';
    serveItem(() => status);
    const warnings: ReaderWarning[] = [];
    const client = testClient({ socketFactory: sockets.factory, onWarning: (w) => warnings.push(w) });
    const run = lastValueFrom(runWorkflow(client, { batch }, { ...fast, pollInterval: 5 }).pipe(toArray()));
    await new Promise((resolve) => setTimeout(resolve, 10));
    sockets.current!.serverEmit('queue_item_status_changed', { ...fakeEvent.statusChanged({ item_id: 1, batch_id: BATCH_ID, status: 'in_progress', status_sequence: 50 }), status: 'quarantined' });
    // The run must still be waiting: the unknown status did not end it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(warnings).toEqual([expect.objectContaining({ kind: 'unknown-status', status: 'quarantined' })]);
    status = 'completed';
    const events = await run;
    expect(events.at(-1)).toMatchObject({ type: 'completed', item_id: 1 });
    expect(client.events.invalidCount).toBe(0);
    expect(warnings).toEqual([expect.objectContaining({ kind: 'unknown-status', status: 'quarantined' })]);
  });
});
