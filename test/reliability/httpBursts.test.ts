import { from, lastValueFrom, toArray } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, generateBase, refine, type StageOutput } from '../../operators/index.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import type { Emulator } from '../../src/emulator/index.js';
import type { HttpErrorsOptions } from '../../src/emulator/faults.js';
import { isHttpError } from '../../src/errors/guards.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import {
  REAL_TIME,
  TINY_BASE_BINDING,
  TINY_IMAGE_BINDING,
  duplicatedBatches,
  emulatorWithClient,
  fastClient,
  settle,
  tinyWorkflows,
  unfinished,
} from './support.js';

const Q = '/api/v1/queue/{queue_id}';
const wf = tinyWorkflows();

/** Every request the client sends, in order, with when it was sent and how it ended. */
interface Sent {
  method: string;
  path: string;
  at: number;
  status: number | null;
}

/** A fetch that records each request (for checking delays between attempts) before delegating. */
function recordingFetch(log: Sent[]): typeof globalThis.fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const entry: Sent = { method: (init?.method ?? 'GET').toUpperCase(), path: url.pathname, at: performance.now(), status: null };
    log.push(entry);
    const response = await globalThis.fetch(input, init);
    entry.status = response.status;
    return response;
  };
}

describe('reliability: 5xx and 429 bursts', () => {
  let emu: Emulator;
  let client: InvokeAIClient;
  emulatorWithClient((e, c) => ([emu, client] = [e, c]));
  beforeEach(() => {
    emu.faults.clear();
  });

  /** Armed bursts that were not consumed by the scenario (a burst that never hit proves nothing). */
  const unconsumed = () => emu.faults.state().httpErrors;

  /** generateBase (onto a named board) → refine → cleanup for two prompts. */
  const pipeline = (c: InvokeAIClient, board: string) =>
    from(['first prompt', 'second prompt']).pipe(
      generateBase(c, { workflow: wf.base, binding: TINY_BASE_BINDING, board }),
      refine(c, { workflow: wf.refine, binding: TINY_IMAGE_BINDING }),
      cleanup(c),
    );

  const pipelineRoutes: [string, string][] = [
    ['GET', '/api/v2/models/'],
    ['GET', '/api/v1/boards/'],
    ['POST', '/api/v1/boards/'],
    ['POST', `${Q}/enqueue_batch`],
    ['GET', `${Q}/i/{item_id}`],
    ['POST', '/api/v1/images/delete'],
  ];

  for (const status of [502, 503, 429] as const) {
    it.each(pipelineRoutes)(`a burst of ${status} on %s %s: retried, the pipeline completes with every image`, async (method, route) => {
      const board = `burst-${status}-${method}-${route.replace(/\W+/g, '-')}`;
      const burst: HttpErrorsOptions = { status, count: 2, route, method, ...(status === 429 ? { retryAfter: 0 } : {}) };
      emu.faults.httpErrors(burst);
      const before = new Set(emu.queue.items().map((i) => i.item_id));

      const results: StageOutput[] = await lastValueFrom(pipeline(client, board).pipe(toArray()));

      expect(unconsumed()).toEqual([]);
      expect(results.map((r) => [r.stage, r.ok, r.lineage.prompt])).toEqual([
        ['refine', true, 'first prompt'],
        ['refine', true, 'second prompt'],
      ]);
      // Finals exist; the base images (intermediates of the chain) were deleted despite the burst.
      for (const r of results) {
        expect(emu.images.hasImage(r.imageName)).toBe(true);
        expect(r.lineage.base).toBeDefined();
        expect(emu.images.hasImage(r.lineage.base!)).toBe(false);
      }
      // One queue item per stage run: nothing was enqueued twice.
      const mine = emu.queue.items().filter((i) => !before.has(i.item_id));
      expect(mine.map((i) => i.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
      expect(duplicatedBatches(emu, new Set(mine.map((i) => i.batch_id)))).toEqual([]);
    });
  }

  it.each([502, 503, 429] as const)('a burst of %i on GET .../status (queue position of a run): retried, the run completes', async (status) => {
    emu.faults.httpErrors({ status, count: 2, route: `${Q}/status`, method: 'GET', ...(status === 429 ? { retryAfter: 0 } : {}) });
    const events = await lastValueFrom(runWorkflow(client, wf.base).pipe(toArray()));
    expect(unconsumed()).toEqual([]);
    const queued = events.find((e): e is Extract<RunEvent, { type: 'queued' }> => e.type === 'queued');
    // The position came from the retried status call.
    expect(queued?.position).toEqual(expect.any(Number));
    expect(events.at(-1)!.type).toBe('completed');
  });

  it('polling a multi-item run (items_by_ids) through a 503 burst without a socket completes every item', async () => {
    const polling = fastClient(emu, { socketFactory: null });
    emu.faults.httpErrors({ status: 503, count: 3, route: `${Q}/items_by_ids`, method: 'POST' });
    const events = await lastValueFrom(runWorkflow(polling, wf.base, { runs: 3, pollIntervalWithoutSocket: 20 }).pipe(toArray()));
    polling.close();
    expect(unconsumed()).toEqual([]);
    const completed = events.filter((e): e is Extract<RunEvent, { type: 'completed' }> => e.type === 'completed');
    expect(completed.map((e) => e.item_id).sort()).toEqual((events[0] as Extract<RunEvent, { type: 'enqueued' }>).item_ids);
  });

  it('image download retries a 503 burst and returns the stored bytes', async () => {
    const [result] = await lastValueFrom(from(['download me']).pipe(generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING }), toArray()));
    emu.faults.httpErrors({ status: 503, count: 2, route: '/api/v1/images/i/{image_name}/full', method: 'GET' });
    const bytes = await lastValueFrom(client.images.download(result!.imageName));
    expect(unconsumed()).toEqual([]);
    // A PNG signature: the real bytes, not an error body.
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('upload (a non-idempotent POST) retries 429 but never resends after a 503', async () => {
    const source = await lastValueFrom(from(['src']).pipe(generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING })));
    const png = await lastValueFrom(client.images.download(source.imageName));
    const before = emu.images.imageNames().length;
    emu.faults.httpErrors({ status: 429, count: 2, route: '/api/v1/images/upload', method: 'POST', retryAfter: 0 });
    const uploaded = await lastValueFrom(client.images.upload(png));
    expect(emu.images.hasImage(uploaded.image_name)).toBe(true);
    expect(emu.images.imageNames().length).toBe(before + 1);

    emu.stats.resetStats();
    emu.faults.httpErrors({ status: 503, count: 1, route: '/api/v1/images/upload', method: 'POST' });
    const outcome = await settle(lastValueFrom(client.images.upload(png)));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && isHttpError(outcome.error) && outcome.error.status).toBe(503);
    expect(emu.stats.requestCount('POST', '/api/v1/images/upload')).toBe(1);
  });

  it('a persistent 500 (deterministic server failure) is reported after statusLimits[500] = 2 retries, not retried for the whole budget', async () => {
    emu.stats.resetStats();
    emu.faults.httpErrors({ status: 500, count: 10, route: '/api/v1/app/version', method: 'GET' });
    const outcome = await settle(lastValueFrom(client.app.version()));
    emu.faults.clear();
    expect(!outcome.ok && isHttpError(outcome.error) && outcome.error.status).toBe(500);
    expect(emu.stats.requestCount('GET', '/api/v1/app/version')).toBe(3);
  });

  it('a 500 on a non-idempotent POST (upload) is never resent', async () => {
    emu.stats.resetStats();
    emu.faults.httpErrors({ status: 500, count: 1, route: '/api/v1/images/upload', method: 'POST' });
    const outcome = await settle(lastValueFrom(client.images.upload(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))));
    expect(!outcome.ok && isHttpError(outcome.error) && outcome.error.status).toBe(500);
    expect(emu.stats.requestCount('POST', '/api/v1/images/upload')).toBe(1);
  });

  it('honours Retry-After: the next attempt waits at least the delay the server asked for', async () => {
    const log: Sent[] = [];
    const recorded = fastClient(emu, { fetch: recordingFetch(log), socketFactory: null, retry: { jitter: false } });
    emu.faults.httpErrors({ status: 429, count: 1, route: `${Q}/status`, method: 'GET', retryAfter: 1 });
    await lastValueFrom(recorded.queue.getStatus());
    const attempts = log.filter((s) => s.path.endsWith('/status'));
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('backs off exponentially between attempts when the server gives no Retry-After', async () => {
    const log: Sent[] = [];
    const recorded = fastClient(emu, { fetch: recordingFetch(log), socketFactory: null, retry: { jitter: false, baseDelay: 40 } });
    emu.faults.httpErrors({ status: 503, count: 3, route: `${Q}/status`, method: 'GET' });
    await lastValueFrom(recorded.queue.getStatus());
    const at = log.filter((s) => s.path.endsWith('/status')).map((s) => s.at);
    expect(at).toHaveLength(4);
    // 40, 80, 160 ms at least (a loaded machine only makes the gaps longer).
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(40);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(80);
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(160);
  });

  it('a burst longer than the retry limit surfaces as HttpError with the status, and leaves nothing running', async () => {
    const limited = fastClient(emu, { retry: { limit: 2 } });
    emu.faults.httpErrors({ status: 503, count: 10, route: '/api/v2/models/', method: 'GET' });
    const outcome = await settle(lastValueFrom(from(['x']).pipe(generateBase(limited, { workflow: wf.base, binding: TINY_BASE_BINDING }))));
    limited.close();
    emu.faults.clear();
    expect(!outcome.ok && isHttpError(outcome.error) && outcome.error.status).toBe(503);
    expect(!outcome.ok && (outcome.error as Error).message).toMatch(/503.*models/s);
    await vi.waitFor(() => expect(unfinished(emu)).toEqual([]), REAL_TIME);
  });
});
