import { filter, firstValueFrom, from, lastValueFrom, mergeMap, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InvokeAIClient } from '../../../src/client/types.js';
import { type Emulator, startEmulator } from '../../../src/emulator/index.js';
import type { RunEvent, RunResult } from '../../../src/run/types.js';
import { type InvokeAIPool, isPoolError, pool } from '../../../operators/pool.js';
import { deadUrl, itemsWith, quickClient, resizeBatch, startEmulators, trackOutstanding } from './support.js';

type Completed = Extract<RunEvent, { type: 'completed' }>;

const opened: { emulators: Emulator[]; clients: InvokeAIClient[]; pools: InvokeAIPool[] } = { emulators: [], clients: [], pools: [] };

function track<T extends Emulator[]>(emulators: T): T {
  opened.emulators.push(...emulators);
  return emulators;
}

function clientsFor(urls: readonly string[]): InvokeAIClient[] {
  const clients = urls.map(quickClient);
  opened.clients.push(...clients);
  return clients;
}

function poolOf(clients: InvokeAIClient[], options: Parameters<typeof pool>[1]): InvokeAIPool {
  const p = pool(clients, options);
  opened.pools.push(p);
  return p;
}

/** Runs `n` jobs through the pool at once; each job's origin is `job-<i>`. */
function runJobs(p: InvokeAIPool, n: number): Promise<Completed[]> {
  return lastValueFrom(
    from(Array.from({ length: n }, (_, i) => i)).pipe(
      mergeMap((i) => p.run(null, resizeBatch(), { origin: `job-${i}` })),
      filter((e): e is Completed => e.type === 'completed'),
      toArray(),
    ),
  );
}

/** Completed server-side queue items per origin, over the given emulators. */
function completedByOrigin(emulators: readonly Emulator[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const emu of emulators)
    for (const item of emu.queue.items())
      if (item.status === 'completed' && item.origin) counts.set(item.origin, (counts.get(item.origin) ?? 0) + 1);
  return counts;
}

const originOf = (r: RunResult) => r.item.origin;

afterEach(async () => {
  for (const p of opened.pools.splice(0)) p.close();
  for (const c of opened.clients.splice(0)) c.close();
  await Promise.all(opened.emulators.splice(0).map((e) => e.close()));
});

describe('pool', () => {
  it('spreads jobs over every server and completes each job once', async () => {
    const emulators = track(await startEmulators(3, { msPerNode: 20 }));
    const p = poolOf(clientsFor(emulators.map((e) => e.url)), { perServer: 1, healthInterval: 1_000 });

    const results = await runJobs(p, 9);

    expect(results).toHaveLength(9);
    expect(new Set(results.map((e) => originOf(e.result))).size).toBe(9);
    const perServer = emulators.map((e) => itemsWith(e, 'completed'));
    expect(perServer.every((n) => n >= 1)).toBe(true);
    expect(perServer.reduce((a, b) => a + b, 0)).toBe(9);
    // The pool knows where each output image is, and it is on that server.
    for (const { result } of results) {
      const owner = p.serverOf(result.images[0]!);
      const emu = emulators.find((e) => owner?.config.origin === new URL(e.url).origin)!;
      expect(emu.images.hasImage(result.images[0]!)).toBe(true);
    }
  });

  it('keeps at most perServer jobs on each server, and uses that depth', async () => {
    const emulators = track(await startEmulators(2, { msPerNode: 30 }));
    const trackers = emulators.map(trackOutstanding);
    const p = poolOf(clientsFor(emulators.map((e) => e.url)), { perServer: 2, healthInterval: 1_000 });

    const results = await runJobs(p, 10);
    trackers.forEach((t) => t.stop());

    expect(results).toHaveLength(10);
    expect(trackers.map((t) => t.max())).toEqual([2, 2]);
  });

  it('sends nothing to a server that is down', async () => {
    const dead = await deadUrl();
    const [live] = track(await startEmulators(1));
    const p = poolOf(clientsFor([dead.url, live!.url]), { perServer: 2, healthInterval: 1_000 });

    const results = await runJobs(p, 4);

    expect(results).toHaveLength(4);
    expect(itemsWith(live!, 'completed')).toBe(4);
    const health = await firstValueFrom(p.health$);
    expect(health.map((h) => h.status)).toEqual(['down', 'up']);
    expect(health.map((h) => h.completed)).toEqual([0, 4]);
  });

  it('moves the jobs of a server that dies to another one; each job completes exactly once', async () => {
    const [doomed, survivor] = track(await startEmulators(2, { msPerNode: 150 }));
    const p = poolOf(clientsFor([doomed!.url, survivor!.url]), { perServer: 3, healthInterval: 200, resubmitStarted: true });
    const done = runJobs(p, 8);
    // Dies with one job running there and two waiting in its queue.
    await vi.waitFor(() => expect([itemsWith(doomed!, 'in_progress'), itemsWith(doomed!, 'pending')]).toEqual([1, 2]), { timeout: 10_000, interval: 5 });
    await doomed!.close();
    const results = await done;

    expect(results).toHaveLength(8);
    const origins = results.map((e) => originOf(e.result));
    expect(new Set(origins).size).toBe(8);
    const serverSide = completedByOrigin([doomed!, survivor!]);
    expect([...serverSide.keys()].sort()).toEqual([...origins].sort());
    expect([...serverSide.values()].every((n) => n === 1)).toBe(true);
    expect((await firstValueFrom(p.health$))[0]!.status).toBe('down');
  });

  it('fails a started job with PoolError when its server dies and resubmitStarted is off', async () => {
    const [doomed] = track(await startEmulators(1, { msPerNode: 300 }));
    const p = poolOf(clientsFor([doomed!.url]), { perServer: 1, healthInterval: 100 });
    const started = new Promise<void>((resolve) =>
      doomed!.onEvent((e) => {
        if (e.event === 'queue_item_status_changed' && e.payload.status === 'in_progress') resolve();
      }),
    );
    const outcome = lastValueFrom(p.run(null, resizeBatch())).then(
      () => null,
      (e: unknown) => e,
    );
    await started;
    // Let the run see the item start before the server goes away.
    await new Promise((r) => setTimeout(r, 50));
    await doomed!.close();
    const error = await outcome;
    expect(isPoolError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'server-lost', server: doomed!.url });
  });

  it('waits for a server that is down and dispatches once a health check finds it up', async () => {
    const dead = await deadUrl();
    const p = poolOf(clientsFor([dead.url]), { perServer: 1, healthInterval: 50 });
    const statuses: string[] = [];
    p.health$.subscribe((h) => {
      if (statuses.at(-1) !== h[0]!.status) statuses.push(h[0]!.status);
    });

    const result = lastValueFrom(p.run(null, resizeBatch()).pipe(filter((e): e is Completed => e.type === 'completed')));
    await vi.waitFor(() => expect(statuses).toContain('down'), { timeout: 15_000, interval: 5 });
    const revived = await startEmulator({ port: dead.port });
    track([revived]);

    const { result: r } = await result;
    expect(revived.images.hasImage(r.images[0]!)).toBe(true);
    expect(statuses).toEqual(['unknown', 'down', 'up']);
  });

  it('refuses queue calls on its client and fails waiting jobs on close', async () => {
    const dead = await deadUrl();
    const p = pool(clientsFor([dead.url]), { healthInterval: 50 });
    await expect(firstValueFrom(p.client.queue.getStatus())).rejects.toThrow(/pool\.run/);
    const waiting = lastValueFrom(p.run(null, resizeBatch()));
    p.close();
    await expect(waiting).rejects.toMatchObject({ name: 'PoolError', reason: 'closed' });
    await expect(lastValueFrom(p.run(null, resizeBatch()))).rejects.toMatchObject({ reason: 'closed' });
  });

  it('validates its options', () => {
    const clients = clientsFor(['http://127.0.0.1:1']);
    expect(() => pool([], {})).toThrow(/at least one client/);
    expect(() => pool(clients, { perServer: 0 })).toThrow(/perServer/);
    expect(() => pool(clients, { healthInterval: -1 })).toThrow(/healthInterval/);
  });
});

