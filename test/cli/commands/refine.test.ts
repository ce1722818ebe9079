import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { TABLE_6_14 } from '../../support/fieldTable.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decode, encode } from 'fast-png';
import { of, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refineMain } from '../../../src/cli/commands/refine.js';
import { manualInterrupts } from '../../../src/cli/interrupts.js';
import type { RunManifest } from '../../../src/cli/output/runManifest.js';
import { runCli } from '../../../src/cli/runCli.js';
import { DEFAULT_MODELS } from '../../../src/emulator/defaultModels.js';
import { startEmulator } from '../../../src/emulator/startEmulator.js';
import type { Emulator } from '../../../src/emulator/types.js';
import type { RunEvent } from '../../../src/run/types.js';
import type { ModelConfig } from '../../../src/schemas/model.js';
import type { Workflow } from '../../../src/workflow/Workflow.js';
import { fakeClient, fakeQueueItem } from '../../support/fakeClient.js';
import { fakeIo } from '../fakeCliIo.js';

const SMALL = ['--width', '64', '--height', '64'];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'invokeai-rx-refine-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const freshDir = () => join(tmp, `out-${++n}`);

function png(path: string) {
  return decode(readFileSync(path));
}

function manifest(dir: string): RunManifest {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
}

function stderrLines(io: ReturnType<typeof fakeIo>): string[] {
  return io.stderr().split('\n').filter((l) => l !== '');
}

describe('invokeai-rx refine (embedded emulator)', () => {
  it('runs base → refine → upscale → faces and writes PNGs, run.json, contact sheet and index.html', async () => {
    const out = freshDir();
    const io = fakeIo(tmp);
    const code = await runCli(['refine', 'a lighthouse', '--upscale', '--enhance-face', '--output-dir', out], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);

    const stages = ['base', 'refined', 'upscaled', 'face_enhanced'];
    const images = Object.fromEntries(stages.map((s) => [s, png(join(out, `${s}.png`))]));
    for (const s of stages) expect(images[s]!.width).toBeGreaterThan(0);
    // --upscale-factor defaults to 2: the upscaled image is twice the refined one.
    expect(images['upscaled']!.width).toBe(2 * images['refined']!.width);
    expect(images['upscaled']!.height).toBe(2 * images['refined']!.height);
    // Faces are restored in place: same size as their input.
    expect(images['face_enhanced']!.width).toBe(images['upscaled']!.width);

    const m = manifest(out);
    expect(m.status).toBe('completed');
    expect(m.server.embedded).toBe(true);
    expect(m.parameters['upscale_factor']).toBe(2);
    const recorded = m.chains[0]!.stages;
    expect(recorded.map((s) => s.file)).toEqual(stages.map((s) => `${s}.png`));
    const ids = recorded.map((s) => s.item_id);
    for (const id of ids) expect(Number.isInteger(id) && id > 0).toBe(true);
    expect(new Set(ids).size).toBe(4);
    for (const s of recorded) expect(s.batch_id).toMatch(/^[0-9a-f-]{36}$/);
    // Every stage starts from the image the previous one produced.
    for (let i = 1; i < recorded.length; i++) expect(recorded[i]!.input).toBe(recorded[i - 1]!.imageName);
    expect(recorded[2]!.width).toBe(images['upscaled']!.width);

    const sheet = png(join(out, 'contact-sheet.png'));
    expect(sheet.width).toBeGreaterThan(2 * 192); // four 192-px thumbnails side by side
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const s of stages) expect(html).toContain(`src="${s}.png"`);
    expect(io.stdout()).toContain('face_enhanced: done');
  }, 180_000);

  it('--variations 3 --concurrency 2 writes three chains with consecutive seeds', async () => {
    const out = freshDir();
    const io = fakeIo(tmp);
    const code = await runCli(['refine', 'a castle', '--variations', '3', '--concurrency', '2', '--seed', '42', '--output-dir', out, ...SMALL], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    for (const v of [1, 2, 3]) {
      expect(png(join(out, `base-${v}.png`)).width).toBe(64);
      expect(png(join(out, `refined-${v}.png`)).width).toBe(64);
    }
    const m = manifest(out);
    expect(m.chains.map((c) => [c.variation, c.seed])).toEqual([
      [1, 42],
      [2, 43],
      [3, 44],
    ]);
    expect(m.chains.map((c) => c.stages[0]!.params['seed'])).toEqual([42, 43, 44]);
    // Different seeds give different pictures.
    const bases = [1, 2, 3].map((v) => Buffer.from(png(join(out, `base-${v}.png`)).data).toString('base64'));
    expect(new Set(bases).size).toBe(3);
    // Three rows of thumbnails.
    expect(png(join(out, 'contact-sheet.png')).height).toBeGreaterThan(3 * 192);
  });

  it('--passes 3 refines three times over the decreasing strength schedule', async () => {
    const out = freshDir();
    const io = fakeIo(tmp);
    const code = await runCli(['refine', 'a warrior', '--passes', '3', '--output-dir', out, ...SMALL], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const passes = [1, 2, 3].map((p) => join(out, `refined-pass-${p}.png`));
    for (const p of passes) expect(png(p).width).toBe(64);
    expect(existsSync(join(out, 'refined.png'))).toBe(false);
    const stages = manifest(out).chains[0]!.stages;
    expect(stages.map((s) => s.key)).toEqual(['base', 'refined-pass-1', 'refined-pass-2', 'refined-pass-3']);
    expect(stages.slice(1).map((s) => s.params['strength'])).toEqual([0.5, 0.3, 0.15]);
    expect(stages.slice(1).map((s) => s.pass)).toEqual([1, 2, 3]);
    for (let i = 1; i < stages.length; i++) expect(stages[i]!.input).toBe(stages[i - 1]!.imageName);
  });
});

describe('invokeai-rx refine against a given server', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ timing: { msPerStep: 2, msPerNode: 0 } });
  });
  afterAll(() => emu.close());
  afterEach(() => emu.faults.clear());

  it('never writes the token (given by flag or environment) into run.json or index.html', async () => {
    const out = freshDir();
    const io = { ...fakeIo(tmp), env: { INVOKEAI_TOKEN: 'env-secret-0123456789' } };
    const code = await runCli(['refine', 'a fox', '--server', emu.url, '--token', 'flag-secret-9876543210', '--output-dir', out, ...SMALL], io);
    expect(code).toBe(0);
    const files = readdirSync(out).filter((f) => !f.endsWith('.png'));
    expect(files.sort()).toEqual(['index.html', 'run.json']);
    for (const f of files) {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text).not.toContain('secret');
    }
    expect(manifest(out).server).toEqual({ url: emu.url, embedded: false });
    expect(io.stdout()).not.toContain('secret');
  });

  it('a failing stage: the run finishes with failures (exit 3), naming the server error_type, keeping what was done', async () => {
    emu.faults.failNode('spandrel_image_to_image_autoscale', { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory' });
    const out = freshDir();
    const io = fakeIo(tmp);
    const code = await runCli(['refine', 'a fox', '--upscale', '--seed', '7', '--server', emu.url, '--output-dir', out, ...SMALL], io);
    expect(code).toBe(3);
    const lines = stderrLines(io);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('invokeai-rx refine: finished with failures: 1 of 1 chain failed');
    expect(lines[1]).toMatch(/^ {2}variation 1 \(seed 7\): upscaled: the server failed queue item \d+ in node \S+: OutOfMemoryError: CUDA out of memory$/);
    expect(existsSync(join(out, 'base.png'))).toBe(true);
    expect(existsSync(join(out, 'refined.png'))).toBe(true);
    expect(existsSync(join(out, 'upscaled.png'))).toBe(false);
    const m = manifest(out);
    expect(m.status).toBe('finished_with_failures');
    expect(m.failures).toEqual([
      expect.objectContaining({ variation: 1, seed: 7, key: 'upscaled', error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory' }),
    ]);
    expect(m.failures![0]!.error_traceback).toContain('OutOfMemoryError: CUDA out of memory');
    expect(emu.queue.items().some((i) => i.status === 'pending' || i.status === 'in_progress')).toBe(false);
  });

  it('--timeout: a stage that runs too long is canceled and the run finishes with failures (exit 3)', async () => {
    emu.faults.stallNode('spandrel_image_to_image_autoscale', { forever: true });
    const out = freshDir();
    const io = fakeIo(tmp);
    const code = await runCli(['refine', 'a fox', '--upscale', '--timeout', '5', '--server', emu.url, '--output-dir', out, ...SMALL], io);
    expect(code).toBe(3);
    expect(stderrLines(io)[1]).toMatch(/^ {2}variation 1 \(seed \d+\): upscaled: timed out: queue item \d+ exceeded 5s \(running\); raise --timeout/);
    expect(existsSync(join(out, 'refined.png'))).toBe(true);
    expect(manifest(out).failures).toEqual([expect.objectContaining({ key: 'upscaled', name: 'RunTimeoutError' })]);
    // The stalled upscale item was canceled on the server; nothing is left running.
    const items = emu.queue.items();
    expect(items.at(-1)!.status).toBe('canceled');
    expect(items.filter((i) => i.status === 'pending' || i.status === 'in_progress')).toEqual([]);
  });

  it('--adaptive refines until the quality threshold, each pass as strong as the remaining gap', async () => {
    const out = freshDir();
    const io = fakeIo(tmp);
    const code = await runCli(['refine', 'a fox', '--adaptive', '0.99', '--server', emu.url, '--output-dir', out, ...SMALL], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const passes = manifest(out).chains[0]!.stages.slice(1);
    expect(passes.length).toBeLessThanOrEqual(5);
    passes.forEach((s, i) => {
      expect(s.key).toBe(`refined-pass-${i + 1}`);
      expect(s.pass).toBe(i + 1);
      expect(existsSync(join(out, s.file))).toBe(true);
      // strength = min(0.5, (threshold - quality) * 0.8), quality measured on the image the pass started from
      expect(s.params['strength']).toBeCloseTo(Math.min(0.5, (0.99 - s.quality!) * 0.8), 10);
    });
  });

  it('Ctrl-C mid-run cancels the work on the server and exits 130 in one line', async () => {
    const slow = await startEmulator({ timing: { msPerStep: 40, msPerNode: 0 } });
    try {
      const interrupts = manualInterrupts();
      const stop = slow.onEvent((e) => {
        if (e.event === 'invocation_progress') {
          stop();
          interrupts.interrupt();
        }
      });
      const out = freshDir();
      const io = fakeIo(tmp);
      const code = await refineMain(['a fox', '--variations', '2', '--upscale', '--server', slow.url, '--output-dir', out, ...SMALL], io, { interrupts });
      expect(code).toBe(130);
      const lines = stderrLines(io);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^invokeai-rx refine: interrupted/);
      const items = slow.queue.items();
      expect(items.length).toBeGreaterThan(0);
      expect(items.filter((i) => i.status === 'pending' || i.status === 'in_progress' || i.status === 'waiting')).toEqual([]);
      expect(items.some((i) => i.status === 'canceled')).toBe(true);
      expect(manifest(out).status).toBe('interrupted');
    } finally {
      await slow.close();
    }
  });
});

describe('invokeai-rx refine failures before running', () => {
  it('an unreachable server exits 1 with a one-line reason', async () => {
    const io = fakeIo(tmp);
    const code = await runCli(['refine', 'a fox', '--server', 'http://127.0.0.1:1', '--output-dir', freshDir()], io);
    expect(code).toBe(1);
    const lines = stderrLines(io);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^invokeai-rx refine: cannot reach the InvokeAI server at http:\/\/127\.0\.0\.1:1 \(.+\); check --server/);
  });

  it('a model missing on the server fails before anything runs, listing the installed candidates', async () => {
    const models = modelConfigs().filter((m) => m.name !== 'stable-diffusion-xl-refiner-1.0');
    models.push({ key: 'other-refiner', hash: 'blake3:00', name: 'my-refiner', base: 'sdxl-refiner', type: 'main' });
    const client = fakeClient({ models: { list: () => of(models) } });
    const io = fakeIo(tmp);
    const code = await refineMain(['a fox', '--server', 'http://fake.invalid:9090', '--output-dir', freshDir()], io, { createClient: () => client });
    expect(code).toBe(1);
    const lines = stderrLines(io);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"stable-diffusion-xl-refiner-1.0"');
    expect(lines[0]).toContain('my-refiner');
    expect(client.callsTo('queue.enqueueBatch')).toEqual([]);
  });

  it('an invalid workflow directory exits 1 with a one-line reason', async () => {
    const io = fakeIo(tmp);
    const code = await refineMain(['a fox', '--workflows', tmp, '--server', 'http://fake.invalid:9090', '--output-dir', freshDir()], io, {
      createClient: () => fakeClient(),
    });
    expect(code).toBe(1);
    expect(stderrLines(io)).toEqual([expect.stringMatching(/^invokeai-rx refine: Cannot read workflow .*sdxl_base\.json: no such file/)]);
  });

  it('usage errors exit 2', async () => {
    for (const argv of [[], ['a', 'b'], ['a fox', '--passes', '2', '--adaptive', '0.8'], ['a fox', '--width', '100'], ['a fox', '--refine-strength', '2']]) {
      const io = fakeIo(tmp);
      expect(await runCli(['refine', ...argv], io)).toBe(2);
      expect(io.stderr()).toMatch(/^invokeai-rx refine: .+\n\nusage: invokeai-rx refine/);
    }
  });
});

describe('invokeai-rx refine treats server image names as data', () => {
  it('writes only files it names itself, inside the output directory', async () => {
    const root = join(tmp, 'malicious');
    const out = join(root, 'a', 'b', 'out');
    const evil = ['../../evil.png', '/tmp/evil-absolute.png', '..\\..\\evil2.png'];
    let call = 0;
    const bytes = encode({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(200), channels: 3, depth: 8 });
    const downloaded: string[] = [];
    const client = fakeClient({
      models: { list: () => of(modelConfigs()) },
      app: { fieldTable: () => of(TABLE_6_14) },
      images: {
        download: (name: string) => {
          downloaded.push(name);
          return of(bytes);
        },
      },
    });
    const run = (_c: unknown, workflow: Workflow): Observable<RunEvent> => {
      const item_id = ++call;
      const imageName = evil[(item_id - 1) % evil.length]!;
      const item = fakeQueueItem({ item_id, batch_id: `b${item_id}`, status: 'completed' });
      return of<RunEvent[]>(
        { type: 'enqueued', batch_id: `b${item_id}`, item_ids: [item_id], at: 0 },
        {
          type: 'completed',
          item_id,
          result: {
            item,
            outputs: [{ nodeId: workflow.inputs[0]!.nodeId, nodeType: 'l2i', isIntermediate: false, imageNames: [imageName], boardId: null, boardInputIndex: null }],
            images: [imageName],
            timings: { enqueuedAt: 0, startedAt: 1, completedAt: 2 },
          },
        },
      );
    };
    const io = fakeIo(tmp);
    const code = await refineMain(['a fox', '--upscale', '--server', 'http://fake.invalid:9090', '--output-dir', out], io, { createClient: () => client, runWorkflow: run });
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    expect(downloaded).toEqual(evil);
    expect(readdirSync(out).sort()).toEqual(['base.png', 'contact-sheet.png', 'index.html', 'refined.png', 'run.json', 'upscaled.png']);
    expect(readdirSync(dirname(out))).toEqual(['out']);
    expect(readdirSync(join(root, 'a'))).toEqual(['b']);
    expect(existsSync('/tmp/evil-absolute.png')).toBe(false);
    // The names are kept as data in run.json.
    expect(manifest(out).chains[0]!.stages.map((s) => s.imageName)).toEqual(evil);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).not.toContain('evil');
  });
});

function modelConfigs(): ModelConfig[] {
  return DEFAULT_MODELS.map((m) => ({ key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type }) as ModelConfig);
}
