import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateBase, refine } from '../../operators/index.js';
import type { SocketFactory } from '../../src/client/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { defaultSocketFactory } from '../../src/events/defaultSocketFactory.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import { REAL_TIME, TINY_BASE_BINDING, TINY_IMAGE_BINDING, fastClient, tinyWorkflows, upscaleBatch } from './support.js';

const wf = tinyWorkflows();
type Enqueued = Extract<RunEvent, { type: 'enqueued' }>;


/** Per item: how many times each event type was emitted. */
function eventCounts(events: readonly RunEvent[]): Map<number, Record<string, number>> {
  const byItem = new Map<number, Record<string, number>>();
  for (const e of events) {
    if (!('item_id' in e)) continue;
    const c = byItem.get(e.item_id) ?? {};
    c[e.type] = (c[e.type] ?? 0) + 1;
    byItem.set(e.item_id, c);
  }
  return byItem;
}

/** Checks the run's event stream: each item ends exactly once, last, and started at most once. */
function expectEachItemOnce(events: readonly RunEvent[]): void {
  const enqueued = events.filter((e): e is Enqueued => e.type === 'enqueued');
  expect(enqueued).toHaveLength(1);
  const counts = eventCounts(events);
  for (const id of enqueued[0]!.item_ids) {
    expect(counts.get(id)?.completed, `item ${id} completed`).toBe(1);
    expect(counts.get(id)?.started ?? 0, `item ${id} started`).toBeLessThanOrEqual(1);
    expect(counts.get(id)?.queued, `item ${id} queued`).toBe(1);
    const own = events.filter((e) => 'item_id' in e && e.item_id === id);
    expect(own.at(-1)!.type).toBe('completed');
  }
  expect(events.at(-1)!.type).toBe('completed');
}

describe('reliability: socket loss', () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });
  beforeEach(() => emu.faults.clear());

  it('socket dropped mid-run, twice: every item completes exactly once (poll fallback, resync after reconnect)', async () => {
    const client = fastClient(emu);
    emu.faults.stallNode('esrgan', { ms: 300, times: 3 });
    let drops = 0;
    const events = await lastValueFrom(
      runWorkflow(client, { batch: upscaleBatch(3) }, { pollInterval: 200, pollIntervalWithoutSocket: 50 }).pipe(
        tap((e) => {
          if (e.type === 'started' && drops < 2) {
            drops += 1;
            emu.faults.disconnectSockets();
          }
        }),
        toArray(),
      ),
    );
    client.close();
    expect(drops).toBe(2);
    expectEachItemOnce(events);
    for (const id of (events[0] as Enqueued).item_ids) expect(emu.queue.get(id)?.status).toBe('completed');
  });

  it('after the server ends the socket session, the client reconnects by itself (and keeps reconnecting)', async () => {
    const client = fastClient(emu);
    const states: boolean[] = [];
    const sub = client.events.connected$.subscribe((c) => states.push(c));
    try {
      for (let round = 1; round <= 2; round++) {
        await vi.waitFor(() => expect(states.at(-1), `connected (round ${round})`).toBe(true), REAL_TIME);
        emu.faults.disconnectSockets();
        await vi.waitFor(() => expect(states.at(-1), `disconnected (round ${round})`).toBe(false), REAL_TIME);
      }
      // Server-ended sessions are not retried by socket.io itself; the events layer does it.
      await vi.waitFor(() => expect(states.at(-1), 'reconnected').toBe(true), { ...REAL_TIME, timeout: 10_000 });
      expect(states).toEqual([false, true, false, true, false, true]);
    } finally {
      sub.unsubscribe();
      client.close();
    }
  });

  it('the socket drops while the item finishes (the terminal event is lost): the poll still completes it once', async () => {
    const client = fastClient(emu);
    emu.faults.stallNode('esrgan', { ms: 150 });
    // Drop every socket the moment the item's status changes to completed, before the event is delivered.
    const off = emu.onEvent((e) => {
      if (e.event === 'queue_item_status_changed' && (e.payload as { status?: string }).status === 'completed') emu.faults.disconnectSockets();
    });
    try {
      const events = await lastValueFrom(runWorkflow(client, { batch: upscaleBatch() }, { pollInterval: 100, pollIntervalWithoutSocket: 50 }).pipe(toArray()));
      expectEachItemOnce(events);
    } finally {
      off();
      client.close();
    }
  });

  it('no socket at all (socketFactory: null): a two-stage pipeline completes by polling alone', async () => {
    const client = fastClient(emu, { socketFactory: null });
    const results = await lastValueFrom(
      from(['one', 'two', 'three']).pipe(
        generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING, runOptions: { pollIntervalWithoutSocket: 20 } }),
        refine(client, { workflow: wf.refine, binding: TINY_IMAGE_BINDING, runOptions: { pollIntervalWithoutSocket: 20 } }),
        toArray(),
      ),
    );
    client.close();
    expect(results.map((r) => [r.stage, r.ok, r.lineage.prompt])).toEqual([
      ['refine', true, 'one'],
      ['refine', true, 'two'],
      ['refine', true, 'three'],
    ]);
    for (const r of results) expect(emu.images.hasImage(r.imageName)).toBe(true);
  });

  it('a socket that never connects (wrong socket.io path): the run stops waiting, polls, and completes once', async () => {
    const connectAttempts: string[] = [];
    const wrongPath: SocketFactory = (url, options) => {
      connectAttempts.push(options.path);
      return defaultSocketFactory(url, { ...options, path: '/not-the-socket-path/socket.io' });
    };
    const client = fastClient(emu, { socketFactory: wrongPath });
    const events = await lastValueFrom(
      runWorkflow(client, { batch: upscaleBatch(2) }, { connectTimeout: 100, pollIntervalWithoutSocket: 30 }).pipe(toArray()),
    );
    client.close();
    expect(connectAttempts.length).toBeGreaterThan(0);
    expectEachItemOnce(events);
    // Without a socket only the poll reports: each item still ends exactly once, with its outputs.
    const done = events.filter((e): e is Extract<RunEvent, { type: 'completed' }> => e.type === 'completed');
    for (const d of done) expect(d.result.images).toHaveLength(2);
  });

  it('sockets dropped repeatedly under a parallel load: each of twelve prompts yields exactly one result', async () => {
    const client = fastClient(emu);
    const timer = setInterval(() => emu.faults.disconnectSockets(), 120);
    try {
      const prompts = Array.from({ length: 12 }, (_, i) => `p${i}`);
      const results = await lastValueFrom(
        from(prompts).pipe(
          generateBase(client, { workflow: wf.base, binding: TINY_BASE_BINDING, concurrency: 6, runOptions: { pollInterval: 100, pollIntervalWithoutSocket: 30 } }),
          toArray(),
        ),
      );
      expect(results.map((r) => r.lineage.prompt).sort()).toEqual([...prompts].sort());
      expect(new Set(results.map((r) => r.item_id)).size).toBe(12);
    } finally {
      clearInterval(timer);
      client.close();
    }
  });
});
