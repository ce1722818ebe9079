import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refineMain } from '../../../src/cli/commands/refine.js';
import type { RunManifest } from '../../../src/cli/output/runManifest.js';
import { createInvokeAIClient } from '../../../src/client/createInvokeAIClient.js';
import { startEmulator } from '../../../src/emulator/startEmulator.js';
import type { Emulator } from '../../../src/emulator/types.js';
import { fakeIo } from '../fakeCliIo.js';

const SMALL = ['--width', '64', '--height', '64'];
const repo = fileURLToPath(new URL('../../..', import.meta.url));

let tmp: string;
let n = 0;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'invokeai-rx-resilience-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const freshDir = () => join(tmp, `out-${++n}`);
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const unfinished = (emu: Emulator) => emu.queue.items().filter((i) => ['pending', 'in_progress', 'waiting'].includes(i.status));

describe('invokeai-rx refine: one chain failing does not end the others', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ timing: { msPerStep: 2, msPerNode: 0 } });
  });
  afterAll(() => emu.close());
  afterEach(() => {
    emu.faults.clear();
    emu.faults.resume();
  });

  it('a failed stage in one variation: the other variations finish, exit 3, summary and run.json name the failed one', async () => {
    emu.faults.failNode('spandrel_image_to_image_autoscale', { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory', times: 1 });
    const out = freshDir();
    const io = fakeIo(tmp);
    const code = await refineMain(['a fox', '--variations', '3', '--concurrency', '1', '--seed', '5', '--upscale', '--server', emu.url, '--output-dir', out, ...SMALL], io);
    expect(code).toBe(3);
    const err = lines(io.stderr());
    expect(err[0]).toBe('invokeai-rx refine: finished with failures: 1 of 3 chains failed');
    // Concurrency 1: variation 1 reaches the upscaler first and takes the one failure.
    expect(err.slice(1)).toEqual([expect.stringMatching(/^ {2}variation 1 \(seed 5\): upscaled-1: the server failed queue item \d+ .*OutOfMemoryError/)]);
    for (const v of [2, 3]) expect(existsSync(join(out, `upscaled-${v}.png`))).toBe(true);
    expect(existsSync(join(out, 'upscaled-1.png'))).toBe(false);
    const m = manifest(out);
    expect(m.status).toBe('finished_with_failures');
    expect(m.failures!.map((f) => [f.variation, f.seed, f.key, f.error_type])).toEqual([[1, 5, 'upscaled-1', 'OutOfMemoryError']]);
    expect(m.chains.map((c) => c.variation).sort()).toEqual([1, 2, 3]);
    expect(unfinished(emu)).toEqual([]);
  });

  it('--stall-timeout: a stage with no sign of life for that long is canceled and recorded', async () => {
    emu.faults.stallNode('spandrel_image_to_image_autoscale', { forever: true });
    const out = freshDir();
    const io = fakeIo(tmp);
    const code = await refineMain(['a fox', '--upscale', '--stall-timeout', '1', '--server', emu.url, '--output-dir', out, ...SMALL], io);
    expect(code).toBe(3);
    expect(lines(io.stderr())[1]).toMatch(/upscaled: timed out: queue item \d+ exceeded 1s \(stalled\); raise --stall-timeout/);
    expect(unfinished(emu)).toEqual([]);
  });

  it('--timeout counts from the start of a stage, not the wait behind the run’s own other variations', async () => {
    const slow = await startEmulator({ timing: { msPerStep: 60, msPerNode: 0 } });
    try {
      const out = freshDir();
      const io = fakeIo(tmp);
      // Six bases of 10 steps (~0.6 s each) are queued at once: the last waits ~3 s, runs ~0.6 s.
      const argv = ['a fox', '--variations', '6', '--concurrency', '6', '--base-steps', '10', '--refine-steps', '2', '--timeout', '3'];
      const code = await refineMain([...argv, '--server', slow.url, '--output-dir', out, ...SMALL], io);
      expect(io.stderr()).toBe('');
      expect(code).toBe(0);
      expect(manifest(out).chains).toHaveLength(6);
      expect(slow.queue.items().map((i) => i.status)).toEqual(Array(12).fill('completed'));
    } finally {
      await slow.close();
    }
  });

  it('the server lost a stage’s input image: the chain is made again from its prompt', async () => {
    const deleter = createInvokeAIClient({ baseUrl: emu.url, socketFactory: null });
    const before = new Set(emu.images.imageNames());
    let deleted: string[] | undefined;
    const stop = emu.onEvent((e) => {
      const payload = e.payload as { status?: string };
      if (deleted === undefined && e.event === 'queue_item_status_changed' && payload.status === 'completed') {
        // The first stage's images are gone before the refiner can read them (or before the command downloads them).
        deleted = emu.images.imageNames().filter((name) => !before.has(name));
        void firstValueFrom(deleter.images.deleteMany(deleted));
      }
    });
    try {
      const out = freshDir();
      const io = fakeIo(tmp);
      const code = await refineMain(['a fox', '--server', emu.url, '--output-dir', out, ...SMALL], io);
      expect(io.stderr()).toBe('');
      expect(code).toBe(0);
      expect(io.stdout()).toContain('the server lost an input image');
      const m = manifest(out);
      expect(m.status).toBe('completed');
      expect(m.chains[0]!.stages.map((s) => s.key)).toEqual(['base', 'refined']);
      expect(deleted!.length).toBeGreaterThan(0);
      expect(deleted).not.toContain(m.chains[0]!.stages[0]!.imageName);
    } finally {
      stop();
      deleter.close();
    }
  });
});

/** A TCP server on 127.0.0.1 that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((s) => {
    count++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('invokeai-rx refine against a server that accepts connections and never answers', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  beforeAll(async () => {
    silent = await silentServer();
  });
  afterAll(() => silent.close());

  it('errors once set-up exceeds --connect-timeout, in one line, exit 1', async () => {
    const io = fakeIo(tmp);
    const code = await refineMain(['a fox', '--connect-timeout', '1', '--server', silent.url, '--output-dir', freshDir()], io, { setupGraceMs: 100 });
    expect(code).toBe(1);
    expect(lines(io.stderr())).toEqual([`invokeai-rx refine: the server at ${silent.url} did not answer within 1s of set-up; check --server and that InvokeAI is running (or raise --connect-timeout)`]);
  });

  it('Ctrl-C (SIGINT) ends the command with 130, whatever the server does', async () => {
    const before = silent.connections();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'refine', 'a fox', '--server', silent.url, '--output-dir', freshDir()], {
      cwd: repo,
      env: { ...process.env, INVOKEAI_URL: '', INVOKEAI_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the command is waiting on the server (its first request is open).
    await expect.poll(() => silent.connections() > before, { timeout: 60_000, interval: 50 }).toBe(true);
    child.kill('SIGINT');
    // The default set-up bound is 60 s and request timeouts 30 s: only the interrupt can end it this soon.
    const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000))]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted');
  }, 90_000);
});
