import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { HttpErrorsOptions } from '../../src/emulator/faults.js';
import type { LongRunReport } from './longRun.script.js';
import { duplicatedBatches, unfinished } from './support.js';
import { createRng } from '../../src/emulator/executor/hash.js';

const PROMPTS = Number(process.env.LONG_RUN_PROMPTS ?? 2_000);
const SEED = Number(process.env.LONG_RUN_SEED ?? 20_240_611);
const FAULT_RATE = Number(process.env.LONG_RUN_FAULT_RATE ?? 0.025);
/** Generous: the child normally needs a fraction of this; past it, something keeps it alive. */
const EXIT_BOUND_MS = 480_000;

const ALL_KINDS = ['http', 'http', 'drop', 'socket', 'failRefine', 'failUpscale', 'stall'] as const;
/** `LONG_RUN_FAULTS=socket,stall` restricts the kinds injected (for investigating one). */
const KINDS = process.env.LONG_RUN_FAULTS ? ALL_KINDS.filter((k) => process.env.LONG_RUN_FAULTS!.split(',').includes(k)) : ALL_KINDS;

const Q = '/api/v1/queue/{queue_id}';
const ROUTES: [string, string][] = [
  ['GET', '/api/v2/models/'],
  ['POST', `${Q}/enqueue_batch`],
  ['GET', `${Q}/status`],
  ['GET', `${Q}/i/{item_id}`],
  ['POST', `${Q}/items_by_ids`],
  ['GET', `${Q}/b/{batch_id}/status`],
  ['POST', '/api/v1/images/delete'],
];


interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  exitedOnItsOwn: boolean;
}

function runChild(args: string[]): Promise<ChildOutcome> {
  const script = fileURLToPath(new URL('./longRun.script.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exitedOnItsOwn = true;
    const guard = setTimeout(() => {
      exitedOnItsOwn = false;
      child.kill('SIGKILL');
    }, EXIT_BOUND_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, exitedOnItsOwn });
    });
  });
}

describe('reliability: long run', () => {
  let emu: Emulator;
  const injected: Record<string, number> = {};

  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });

  it(`${PROMPTS} prompts through 3 stages under random faults: one final per prompt, nothing lost, duplicated, orphaned or left open`, async () => {
    const random = createRng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const count = (k: string) => (injected[k] = (injected[k] ?? 0) + 1);
    // Faults are injected as the server completes items (about one per 40), so the schedule
    // follows the work rather than the clock.
    const off = emu.onEvent((e) => {
      if (e.event !== 'queue_item_status_changed' || (e.payload as { status?: string }).status !== 'completed') return;
      if (random() >= FAULT_RATE) return;
      const kind = pick(KINDS);
      count(kind);
      switch (kind) {
        case 'http': {
          const [method, route] = pick(ROUTES);
          const status = pick([429, 502, 503] as const);
          const burst: HttpErrorsOptions = { status, count: 1 + Math.floor(random() * 3), route, method };
          if (status === 429) burst.retryAfter = 0;
          emu.faults.httpErrors(burst);
          break;
        }
        case 'drop':
          emu.faults.dropAfterAccept({ route: `${Q}/enqueue_batch`, method: 'POST', count: 1 });
          break;
        case 'socket':
          emu.faults.disconnectSockets();
          break;
        case 'failRefine':
          emu.faults.failNode('img_blur', { error_type: 'RuntimeError', error_message: 'injected refine failure' });
          break;
        case 'failUpscale':
          emu.faults.failNode('esrgan', { error_type: 'OutOfMemoryError', error_message: 'injected upscale failure' });
          break;
        case 'stall':
          emu.faults.stallNode('esrgan', { ms: 30 + Math.floor(random() * 100) });
          break;
      }
    });

    const child = await runChild([emu.url, String(PROMPTS), '16']);
    off();
    const context = `seed ${SEED}, faults ${JSON.stringify(injected)}\n${child.stderr.slice(-3000)}`;
    expect(child.exitedOnItsOwn, `the client process did not exit within ${EXIT_BOUND_MS} ms: ${context}`).toBe(true);
    expect(child.code, context).toBe(0);
    const report = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as LongRunReport;

    // Faults of every kind were injected and survived.
    for (const kind of new Set(KINDS)) expect(injected[kind] ?? 0, `${kind} faults: ${context}`).toBeGreaterThan(0);

    // One final result per prompt: none lost, none twice.
    expect(report.finals).toHaveLength(PROMPTS);
    expect(new Set(report.finals.map((f) => f.prompt)).size).toBe(PROMPTS);
    expect(report.perStage).toEqual({ generateBase: PROMPTS, refine: PROMPTS, upscale: PROMPTS });
    // Injected node failures became fallbacks, not losses; nothing was abandoned.
    expect(report.finals.filter((f) => !f.ok).length).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);

    // The server: exactly three queue items per prompt (no enqueue resubmitted), none left running.
    const items = emu.queue.items();
    expect(items).toHaveLength(3 * PROMPTS);
    expect(duplicatedBatches(emu)).toEqual([]);
    expect(unfinished(emu)).toEqual([]);
    expect(items.filter((i) => i.status === 'canceled')).toEqual([]);

    // No image missing, none orphaned: what is left on the server is exactly the finals.
    const finals = new Set(report.finals.map((f) => f.imageName));
    expect(finals.size).toBe(PROMPTS);
    for (const name of finals) expect(emu.images.hasImage(name)).toBe(true);
    const left = emu.images.imageNames();
    expect(left.filter((n) => !finals.has(n))).toEqual([]);
    expect(left).toHaveLength(PROMPTS);
  }, EXIT_BOUND_MS + 60_000);
});
