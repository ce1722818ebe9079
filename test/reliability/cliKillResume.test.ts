import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/cli/output/runManifest.js';
import { startEmulator, type Emulator, type QueueItem } from '../../src/emulator/index.js';

/**
 * The CLI as a user runs it, in a child process: `refine --run-id` killed with SIGKILL part-way
 * (no chance to cancel or write a report), then the same command again. The truth is the
 * emulator's queue and image store, and the files.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
/** Generous: a loaded machine; the child normally needs seconds. */
const CHILD_BOUND_MS = 240_000;
const PROMPTS = ['a red fox', 'a heron at dawn', 'a lighthouse', 'a castle', 'an owl', 'a tram in the rain', 'a kite', 'a moth'];
/** base → refine → faces: the face workflow also saves intermediate images (cleaned by `clean`). */
const STAGES = 3;
const FINAL = 'face_enhanced.png';

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; with `killAfterResults`, SIGKILLs it once that many `result` events were printed. */
function cli(args: string[], killAfterResults?: number): Promise<Child> {
  return new Promise((resolve, reject) => {
    // node --import tsx (not npx): one process, so SIGKILL kills the CLI itself, not a wrapper.
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INVOKEAI_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfterResults !== undefined && results(stdout) >= killAfterResults) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), CHILD_BOUND_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const events = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string } & Record<string, unknown>);
const results = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('{"event":"result"')).length;
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
const itemsOf = (emu: Emulator, runId: string) => emu.queue.items().filter((i) => i.destination === runId);

/** Image names found under `key` anywhere in a value. */
function imageNames(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) imageNames(v, into);
  else if (value !== null && typeof value === 'object') {
    const name = (value as { image_name?: unknown }).image_name;
    if (typeof name === 'string') into.add(name);
    for (const v of Object.values(value)) imageNames(v, into);
  }
  return into;
}

/** Every image the items made (in their results, not given to them as inputs). */
function madeBy(items: readonly QueueItem[]): Set<string> {
  const made = new Set<string>();
  for (const item of items) {
    const inputs = imageNames(item.session.graph);
    for (const name of imageNames(item.session.results)) if (!inputs.has(name)) made.add(name);
  }
  return made;
}

const stageImages = (m: RunManifest) => m.chains.flatMap((c) => c.stages.map((s) => s.imageName));

let tmp: string;
let n = 0;
const emulators: Emulator[] = [];
const newEmulator = async () => {
  // Slow enough that a run is still under way after its first results.
  const emu = await startEmulator({ timing: { msPerStep: 40, msPerNode: 5 } });
  emulators.push(emu);
  return emu;
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'invokeai-rx-cli-resume-'));
  writeFileSync(join(tmp, 'prompts.txt'), PROMPTS.join('\n') + '\n');
  writeFileSync(join(tmp, 'other.txt'), 'a blue whale\na tin robot\n');
});
afterAll(async () => {
  for (const emu of emulators) await emu.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The refine command line of a run (no --seed: a resume must reuse the seed the run drew). */
const refine = (runId: string, server: string, dir: string, prompts = 'prompts.txt') => [
  'refine',
  '--prompts',
  join(tmp, prompts),
  '--run-id',
  runId,
  '--server',
  server,
  '--output-dir',
  dir,
  '--json',
  '--width',
  '64',
  '--height',
  '64',
  '--base-steps',
  '3',
  '--refine-steps',
  '3',
  '--enhance-face',
  '--concurrency',
  '2',
];

/** run.json says every prompt has its chain complete, and the folder has one valid final image per prompt. */
function expectEveryPromptFinished(dir: string): RunManifest {
  const m = manifest(dir);
  expect(m.status).toBe('completed');
  expect(m.chains).toHaveLength(PROMPTS.length);
  expect(m.chains.map((c) => c.prompt)).toEqual(PROMPTS);
  for (const chain of m.chains) {
    expect(chain.complete).toBe(true);
    expect(chain.stages.map((s) => s.stage)).toEqual(['base', 'refined', 'face_enhanced']);
    const final = decode(readFileSync(join(dir, chain.folder!, FINAL)));
    expect(final.width).toBe(64);
  }
  expect(existsSync(join(dir, 'contact-sheet.png'))).toBe(true);
  expect(existsSync(join(dir, 'index.html'))).toBe(true);
  return m;
}

describe('refine --run-id killed with SIGKILL, then the same command again', () => {
  it('finishes every prompt once, enqueues no work twice, and clean removes only its intermediates', async () => {
    const emu = await newEmulator();
    // Another run on the same server first: nothing below may touch it.
    const otherDir = join(tmp, `out-${++n}`);
    const other = await cli(refine('other-run', emu.url, otherDir, 'other.txt'));
    expect(other.code, other.stderr).toBe(0);
    const otherItems = itemsOf(emu, 'other-run').map((i) => `${i.item_id}:${i.status}`);
    const otherImages = [...madeBy(itemsOf(emu, 'other-run'))];
    expect(otherItems).toHaveLength(2 * STAGES);
    expect(otherImages.every((name) => emu.images.hasImage(name))).toBe(true);

    const runId = 'catalog-killed';
    const dir = join(tmp, `out-${++n}`);
    const k = 1 + randomInt(5);
    const killed = await cli(refine(runId, emu.url, dir), k);
    expect(killed.signal, `killed after ${k} results; stderr: ${killed.stderr}`).toBe('SIGKILL');
    const start = events(killed.stdout)[0]!;
    expect(start).toMatchObject({ event: 'start', run_id: runId, resumed: false });
    // The journal names the run: the directory can be resumed.
    expect(manifest(dir)).toMatchObject({ runId, status: 'running' });

    const again = await cli(refine(runId, emu.url, dir));
    expect(again.code, again.stderr).toBe(0);
    expect(events(again.stdout)[0]).toMatchObject({ event: 'start', run_id: runId, resumed: true, seed: start['seed'] });
    const m = expectEveryPromptFinished(dir);

    // One queue item per prompt and stage: nothing done or under way was enqueued again.
    const items = itemsOf(emu, runId);
    expect(items).toHaveLength(PROMPTS.length * STAGES);
    expect(new Set(items.map((i) => i.batch_id)).size).toBe(PROMPTS.length * STAGES);
    expect(items.every((i) => i.status === 'completed')).toBe(true);
    // The files are the images of those items.
    const made = madeBy(items);
    for (const name of stageImages(m)) expect(made.has(name)).toBe(true);

    // Before cleaning, the run's items left intermediate images beside the saved results.
    const results = new Set(stageImages(m));
    expect([...made].filter((name) => emu.images.hasImage(name) && !results.has(name)).length).toBeGreaterThan(0);

    const clean = await cli(['clean', '--run-id', runId, '--server', emu.url, '--images', 'intermediates']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`run ${runId} on ${emu.url}`);
    expect(clean.stdout).toMatch(/failed deletes: +0/);
    // Only the results the run saved are left of it.
    expect([...made].filter((name) => emu.images.hasImage(name)).sort()).toEqual([...results].sort());

    // The other run is untouched.
    expect(itemsOf(emu, 'other-run').map((i) => `${i.item_id}:${i.status}`)).toEqual(otherItems);
    expect(otherImages.filter((name) => !emu.images.hasImage(name))).toEqual([]);
  }, 600_000);

  it('resumed against a new, empty server: only the unfinished chains run, each stage enqueued once', async () => {
    const first = await newEmulator();
    const runId = 'catalog-moved';
    const dir = join(tmp, `out-${++n}`);
    // At least 9 of 24 results: with two chains at a time, at least two chains are complete.
    const k = 9 + randomInt(3);
    const killed = await cli(refine(runId, first.url, dir), k);
    expect(killed.signal, `killed after ${k} results; stderr: ${killed.stderr}`).toBe('SIGKILL');
    const journal = manifest(dir);
    const finished = journal.chains.filter((c) => c.complete && c.stages.every((s) => existsSync(join(dir, s.file)))).map((c) => c.promptIndex);
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.length).toBeLessThan(PROMPTS.length);
    await first.close();

    const fresh = await newEmulator();
    const again = await cli(refine(runId, fresh.url, dir));
    expect(again.code, again.stderr).toBe(0);
    const m = expectEveryPromptFinished(dir);
    const items = itemsOf(fresh, runId);
    expect(items).toHaveLength((PROMPTS.length - finished.length) * STAGES);
    expect(new Set(items.map((i) => i.batch_id)).size).toBe(items.length);
    expect(items.every((i) => i.status === 'completed')).toBe(true);
    // The chains finished before were taken from the files, the others from the new server.
    const made = madeBy(items);
    for (const chain of m.chains) {
      const fromFiles = finished.includes(chain.promptIndex);
      for (const s of chain.stages) expect(made.has(s.imageName)).toBe(!fromFiles);
    }
  }, 600_000);
});
