import { HttpResponse, delay, http } from 'msw';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EnqueueError } from '../../src/errors/EnqueueError.js';
import { HttpError } from '../../src/errors/HttpError.js';
import { NetworkError } from '../../src/errors/NetworkError.js';
import type { Batch } from '../../src/schemas/graph.js';
import { batchStatus, enqueueBatchResult, queueAndProcessorStatus, queueItem } from '../support/builders.js';
import { BASE_URL, testClient, useMswServer } from '../support/msw.js';

const Q = `${BASE_URL}/api/v1/queue/default`;
const server = useMswServer();
const recorded = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/api-calls/call-wf-sdxl-text-to-image.json', import.meta.url)), 'utf8'),
);
const graph = { id: 'g', nodes: { a: { id: 'a', type: 'integer', value: 1 } }, edges: [] };

describe('queue reads and cancels', () => {
  it('getItem parses a recorded GET /i/{id} response', async () => {
    server.use(http.get(`${Q}/i/229`, () => HttpResponse.json(recorded)));
    const item = await lastValueFrom(testClient().queue.getItem(229));
    expect(item.item_id).toBe(229);
    expect(item.status).toBe('completed');
    expect(Object.keys(item.session.source_prepared_mapping).length).toBeGreaterThan(0);
  });

  it('uses the configured queue id', async () => {
    server.use(http.get(`${BASE_URL}/api/v1/queue/other/status`, () => HttpResponse.json(queueAndProcessorStatus())));
    const status = await lastValueFrom(testClient({ queueId: 'other' }).queue.getStatus());
    expect(status.processor.is_started).toBe(true);
  });

  it('cancelItem uses PUT /i/{id}/cancel (never DELETE, which deletes the row)', async () => {
    server.use(http.put(`${Q}/i/7/cancel`, () => HttpResponse.json(queueItem({ item_id: 7, status: 'canceled' }))));
    const item = await lastValueFrom(testClient().queue.cancelItem(7));
    expect(item.status).toBe('canceled');
  });

  it('cancelByBatchIds sends the ids', async () => {
    let body: unknown;
    server.use(http.put(`${Q}/cancel_by_batch_ids`, async ({ request }) => ((body = await request.json()), HttpResponse.json({ canceled: 2 }))));
    expect(await lastValueFrom(testClient().queue.cancelByBatchIds(['b1', 'b2']))).toEqual({ canceled: 2 });
    expect(body).toEqual({ batch_ids: ['b1', 'b2'] });
  });

  it('getBatchStatus', async () => {
    server.use(http.get(`${Q}/b/b1/status`, () => HttpResponse.json(batchStatus({ batch_id: 'b1', pending: 1, total: 1 }))));
    expect(await lastValueFrom(testClient().queue.getBatchStatus('b1'))).toMatchObject({ batch_id: 'b1', total: 1 });
  });

  it('getItems posts the ids, chunked by 1000, results in request order', async () => {
    const bodies: number[][] = [];
    server.use(
      http.post(`${Q}/items_by_ids`, async ({ request }) => {
        const { item_ids } = (await request.json()) as { item_ids: number[] };
        bodies.push(item_ids);
        // Missing ids are skipped by the server: only odd ones exist here.
        return HttpResponse.json(item_ids.filter((id) => id % 2 === 1).map((item_id) => queueItem({ item_id })));
      }),
    );
    const ids = Array.from({ length: 1500 }, (_, i) => i + 1);
    const items = await lastValueFrom(testClient().queue.getItems(ids));
    expect(bodies.map((b) => b.length)).toEqual([1000, 500]);
    expect(items.map((i) => i.item_id)).toEqual(ids.filter((id) => id % 2 === 1));
  });

  it('getItems of no ids sends nothing', async () => {
    expect(await lastValueFrom(testClient().queue.getItems([]))).toEqual([]);
  });

  it('rejects a bad item id early', () => {
    expect(() => testClient().queue.getItem(-1)).toThrow(TypeError);
  });
});

/**
 * A fake InvokeAI queue: it stores accepted batches and answers the status / lookup endpoints
 * from that state; `onEnqueue` decides per attempt what the wire does.
 */
function fakeQueue(onEnqueue: (attempt: number, accept: () => void) => Promise<Response> | Response) {
  const items: { item_id: number; batch_id: string; priority: number }[] = [];
  const enqueueBodies: { batch: Batch & { batch_id: string }; prepend: boolean }[] = [];
  let nextId = 10;
  let statusChecks = 0;
  server.use(
    http.post(`${Q}/enqueue_batch`, async ({ request }) => {
      const body = (await request.json()) as (typeof enqueueBodies)[number];
      enqueueBodies.push(body);
      const accept = () => {
        const priority = body.prepend ? 5 : 0;
        for (let i = 0; i < (body.batch.runs ?? 1); i++) items.push({ item_id: nextId++, batch_id: body.batch.batch_id, priority });
      };
      return onEnqueue(enqueueBodies.length, accept);
    }),
    http.get(`${Q}/b/:batchId/status`, ({ params }) => {
      statusChecks++;
      const total = items.filter((i) => i.batch_id === params.batchId).length;
      return HttpResponse.json(batchStatus({ batch_id: String(params.batchId), pending: total, total }));
    }),
    http.get(`${Q}/item_ids`, ({ request }) => {
      expect(new URL(request.url).searchParams.get('order_dir')).toBe('DESC');
      // Another client's newer item sits in front of ours.
      const ids = [999, ...items.map((i) => i.item_id).reverse()];
      return HttpResponse.json({ item_ids: ids, total_count: ids.length });
    }),
    http.post(`${Q}/item_summaries_by_ids`, async ({ request }) => {
      const { item_ids } = (await request.json()) as { item_ids: number[] };
      return HttpResponse.json(
        item_ids.map((id) => {
          const found = items.find((i) => i.item_id === id);
          const { item_id, created_at, status, batch_id } = queueItem({ item_id: id, batch_id: found?.batch_id ?? 'someone-else' });
          return {
            item_id, created_at, status, batch_id, device: null, started_at: null, completed_at: null, origin: null,
            destination: null, user_id: 'system', user_display_name: null, user_email: null, field_values: null, parent_item_id: null,
          };
        }),
      );
    }),
    http.get(`${Q}/i/:id`, ({ params }) => {
      const found = items.find((i) => i.item_id === Number(params.id));
      return found ? HttpResponse.json(queueItem(found)) : HttpResponse.json({ detail: 'not found' }, { status: 404 });
    }),
  );
  const result = (body: (typeof enqueueBodies)[number]) =>
    HttpResponse.json(
      enqueueBatchResult({
        batch: { ...body.batch, runs: body.batch.runs ?? 1 },
        enqueued: body.batch.runs ?? 1,
        requested: body.batch.runs ?? 1,
        item_ids: items.filter((i) => i.batch_id === body.batch.batch_id).map((i) => i.item_id).reverse(),
      }),
    );
  return { items, enqueueBodies, statusChecks: () => statusChecks, result };
}

describe('enqueueBatch', () => {
  it('assigns a batch_id, sends {batch, prepend} and returns the result', async () => {
    const fake = fakeQueue((_, accept) => (accept(), fake.result(fake.enqueueBodies[0]!)));
    const result = await lastValueFrom(testClient().queue.enqueueBatch({ graph, runs: 2 }));
    expect(fake.enqueueBodies).toHaveLength(1);
    const sent = fake.enqueueBodies[0]!;
    expect(sent.prepend).toBe(false);
    expect(sent.batch.batch_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sent.batch.graph).toEqual(graph);
    expect(result.item_ids).toEqual([11, 10]);
    expect(fake.statusChecks()).toBe(0);
  });

  it('keeps a caller-chosen batch_id and a fresh one per subscription otherwise', async () => {
    const fake = fakeQueue((n, accept) => (accept(), fake.result(fake.enqueueBodies[n - 1]!)));
    await lastValueFrom(testClient().queue.enqueueBatch({ graph, batch_id: 'mine' }, { prepend: true }));
    const enqueue$ = testClient().queue.enqueueBatch({ graph });
    await lastValueFrom(enqueue$);
    await lastValueFrom(enqueue$);
    expect(fake.enqueueBodies.map((b) => b.batch.batch_id)[0]).toBe('mine');
    expect(fake.enqueueBodies[0]!.prepend).toBe(true);
    expect(new Set(fake.enqueueBodies.map((b) => b.batch.batch_id)).size).toBe(3);
  });

  it('connection reset after the server accepted: checks the batch and does NOT enqueue twice', async () => {
    const fake = fakeQueue((_, accept) => (accept(), HttpResponse.error()));
    const result = await lastValueFrom(testClient().queue.enqueueBatch({ graph, runs: 2 }));
    expect(fake.enqueueBodies).toHaveLength(1);
    expect(fake.items).toHaveLength(2);
    expect(fake.statusChecks()).toBe(1);
    expect(result).toMatchObject({ queue_id: 'default', enqueued: 2, requested: 2, priority: 0, item_ids: [11, 10] });
    expect(result.batch.batch_id).toBe(fake.enqueueBodies[0]!.batch.batch_id);
  });

  it.each([502, 503, 504])('%i after the server accepted: reconciles instead of resubmitting', async (status) => {
    const fake = fakeQueue((_, accept) => (accept(), new HttpResponse(null, { status })));
    const result = await lastValueFrom(testClient().queue.enqueueBatch({ graph }));
    expect(fake.enqueueBodies).toHaveLength(1);
    expect(result.item_ids).toEqual([10]);
  });

  it('request timeout after the server accepted: reconciles', async () => {
    const fake = fakeQueue(async (_, accept) => {
      accept();
      await delay('infinite');
      return HttpResponse.json({});
    });
    const result = await lastValueFrom(testClient({ timeout: 50 }).queue.enqueueBatch({ graph }));
    expect(fake.enqueueBodies).toHaveLength(1);
    expect(result.item_ids).toEqual([10]);
  });

  it('reads the priority of a prepended batch from its item', async () => {
    fakeQueue((_, accept) => (accept(), HttpResponse.error()));
    const result = await lastValueFrom(testClient().queue.enqueueBatch({ graph }, { prepend: true }));
    expect(result.priority).toBe(5);
  });

  it('503 before the server accepted: resubmits the same batch_id with backoff', async () => {
    const fake = fakeQueue((n, accept) => (n === 1 ? new HttpResponse(null, { status: 503 }) : (accept(), fake.result(fake.enqueueBodies[1]!))));
    const result = await lastValueFrom(testClient().queue.enqueueBatch({ graph }));
    expect(fake.enqueueBodies).toHaveLength(2);
    expect(fake.enqueueBodies[1]!.batch.batch_id).toBe(fake.enqueueBodies[0]!.batch.batch_id);
    expect(fake.items).toHaveLength(1);
    expect(result.item_ids).toEqual([10]);
  });

  it('gives up after the retry limit when the server never takes the batch', async () => {
    const fake = fakeQueue(() => HttpResponse.error());
    await expect(lastValueFrom(testClient({ retry: { limit: 2 } }).queue.enqueueBatch({ graph }))).rejects.toBeInstanceOf(NetworkError);
    expect(fake.enqueueBodies).toHaveLength(3);
    expect(fake.items).toHaveLength(0);
  });

  it('429 is retried normally (rejected before processing)', async () => {
    const fake = fakeQueue((n, accept) =>
      n === 1 ? new HttpResponse(null, { status: 429, headers: { 'Retry-After': '0' } }) : (accept(), fake.result(fake.enqueueBodies[1]!)),
    );
    await lastValueFrom(testClient().queue.enqueueBatch({ graph }));
    expect(fake.enqueueBodies).toHaveLength(2);
    expect(fake.statusChecks()).toBe(0);
  });

  it('422 is not retried and not reconciled', async () => {
    const fake = fakeQueue(() => HttpResponse.json({ detail: [{ loc: ['body', 'batch', 'graph'], msg: 'bad', type: 'value_error' }] }, { status: 422 }));
    await expect(lastValueFrom(testClient().queue.enqueueBatch({ graph }))).rejects.toBeInstanceOf(HttpError);
    expect(fake.enqueueBodies).toHaveLength(1);
    expect(fake.statusChecks()).toBe(0);
  });

  it('when the status check fails too, the ambiguous error surfaces and nothing is resubmitted', async () => {
    const fake = fakeQueue(() => HttpResponse.error());
    server.use(http.get(`${Q}/b/:batchId/status`, () => HttpResponse.json({ detail: 'down' }, { status: 500 })));
    await expect(lastValueFrom(testClient().queue.enqueueBatch({ graph }))).rejects.toBeInstanceOf(NetworkError);
    expect(fake.enqueueBodies).toHaveLength(1);
  });

  it('an invalid batch errors with a TypeError before anything is sent', async () => {
    const fake = fakeQueue(() => HttpResponse.json({}));
    const failed = lastValueFrom(testClient().queue.enqueueBatch({ graph, runs: 0 }));
    await expect(failed).rejects.toBeInstanceOf(TypeError);
    await expect(failed).rejects.toThrow('runs');
    expect(fake.enqueueBodies).toHaveLength(0);
  });

  it('enqueued: 0 (queue full) for longer than the retry budget → EnqueueError', async () => {
    const fake = fakeQueue(() => HttpResponse.json(enqueueBatchResult({ enqueued: 0, requested: 3, item_ids: [] })));
    const failed = lastValueFrom(testClient({ retry: { for: 100 } }).queue.enqueueBatch({ graph, runs: 3 }));
    await expect(failed).rejects.toBeInstanceOf(EnqueueError);
    await expect(failed).rejects.toMatchObject({ enqueued: 0, requested: 3, message: expect.stringContaining('queue is full') });
    // Waited out within the budget: resubmitted (the same batch), not given up at once.
    expect(fake.enqueueBodies.length).toBeGreaterThan(1);
    expect(new Set(fake.enqueueBodies.map((b) => b.batch.batch_id)).size).toBe(1);
  });

  it('a queue that is full, then drains, takes the batch once', async () => {
    const fake = fakeQueue((attempt, accept) => {
      if (attempt <= 3) return HttpResponse.json(enqueueBatchResult({ enqueued: 0, requested: 1, item_ids: [] }));
      accept();
      return fake.result(fake.enqueueBodies.at(-1)!);
    });
    const result = await lastValueFrom(testClient().queue.enqueueBatch({ graph, runs: 1 }));
    expect(result.enqueued).toBe(1);
    expect(fake.items.map((i) => i.batch_id)).toEqual([result.batch.batch_id]);
  });
});
