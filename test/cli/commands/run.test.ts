import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, encode } from 'fast-png';
import { of, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputFileNames, runMain } from '../../../src/cli/commands/run.js';
import { runCli } from '../../../src/cli/runCli.js';
import { DEFAULT_MODELS } from '../../../src/emulator/defaultModels.js';
import { startEmulator } from '../../../src/emulator/startEmulator.js';
import type { Emulator } from '../../../src/emulator/types.js';
import type { RunEvent } from '../../../src/run/types.js';
import type { ModelConfig } from '../../../src/schemas/model.js';
import { fakeClient, fakeQueueItem } from '../../support/fakeClient.js';
import { fakeIo } from '../fakeCliIo.js';

const workflow = (name: string) => fileURLToPath(new URL(`../../../data/workflows/${name}.json`, import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { nodes: { id: string; data: { type: string; label?: string } }[] };

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'invokeai-rx-run-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('invokeai-rx run', () => {
  it('runs sdxl_base.json with --set values and downloads its output as <node label>-<item id>-1.png', async () => {
    const out = join(tmp, 'base');
    const io = fakeIo(tmp);
    const code = await runCli(['run', workflow('sdxl_base'), '--set', '0=a red fox', '--set', '5=64', '--set', 'Height=48', '--out', out], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    // The gallery output of sdxl_base is its l2i node; the embedded emulator's first queue item is 1.
    const l2i = readJson(workflow('sdxl_base')).nodes.find((node) => node.data.type === 'l2i')!;
    const stem = l2i.data.label ? l2i.data.label.replace(/[^A-Za-z0-9_-]+/g, '_') : l2i.id;
    expect(readdirSync(out)).toEqual([`${stem}-1-1.png`]);
    const image = decode(readFileSync(join(out, `${stem}-1-1.png`)));
    expect([image.width, image.height]).toEqual([64, 48]);
    // The printed paths are the files.
    const printed = io.stdout().split('\n').filter((l) => l.endsWith('.png'));
    expect(printed).toEqual([join('.', 'base', `${stem}-1-1.png`)]);
    expect(io.stdout()).toContain('sdxl_base: done');
  });

  describe('on a given server', () => {
    let emu: Emulator;
    beforeAll(async () => {
      emu = await startEmulator({});
    });
    afterAll(() => emu.close());

    it('uploads an image input given as @PATH and runs on the uploaded image', async () => {
      const input = join(tmp, 'photo.png');
      writeFileSync(input, encode({ width: 40, height: 24, data: new Uint8Array(40 * 24 * 3).fill(90), channels: 3, depth: 8 }));
      const before = new Set(emu.images.imageNames());
      const out = join(tmp, 'refined');
      const io = fakeIo(tmp);
      const code = await runCli(['run', workflow('sdxl_refiner'), '--set', '0=@photo.png', '--set', '3=4', '--server', emu.url, '--out', out], io);
      expect(io.stderr()).toBe('');
      expect(code).toBe(0);
      const uploaded = emu.images.imageNames().filter((name) => !before.has(name));
      // The upload and the refined output.
      expect(uploaded).toHaveLength(2);
      expect(io.stdout()).toMatch(/uploaded photo\.png as \S+\.png/);
      const files = readdirSync(out);
      expect(files).toHaveLength(1);
      const image = decode(readFileSync(join(out, files[0]!)));
      expect([image.width, image.height]).toEqual([40, 24]);
    });

    it('a failing node exits 1 with the server error in one line', async () => {
      emu.faults.failNode('l2i', { error_type: 'RuntimeError', error_message: 'VAE decode exploded' });
      const io = fakeIo(tmp);
      const code = await runCli(['run', workflow('sdxl_base'), '--set', '5=64', '--set', '6=64', '--server', emu.url, '--out', join(tmp, 'fail')], io);
      expect(code).toBe(1);
      const lines = io.stderr().split('\n').filter(Boolean);
      expect(lines).toEqual([expect.stringMatching(/^invokeai-rx run: the server failed queue item \d+ in node \S+: RuntimeError: VAE decode exploded$/)]);
      expect(existsSync(join(tmp, 'fail'))).toBe(true);
      expect(readdirSync(join(tmp, 'fail'))).toEqual([]);
    });
  });

  it('a missing @file is a one-line failure', async () => {
    const io = fakeIo(tmp);
    const client = fakeClient({ models: { list: () => of([]) } });
    const code = await runMain([workflow('sdxl_refiner'), '--set', '0=@nope.png', '--server', 'http://fake.invalid:9090', '--out', join(tmp, 'x')], io, {
      createClient: () => client,
    });
    expect(code).toBe(1);
    expect(io.stderr().split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^invokeai-rx run: .*nope\.png/)]);
    expect(client.callsTo('images.upload')).toEqual([]);
  });

  it('names files after node ids, never after server image names', async () => {
    const bytes = encode({ width: 4, height: 4, data: new Uint8Array(48), channels: 3, depth: 8 });
    const models = DEFAULT_MODELS.map((m) => ({ key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type }) as ModelConfig);
    const client = fakeClient({ models: { list: () => of(models) }, images: { download: () => of(bytes) } });
    const run = (): Observable<RunEvent> =>
      of<RunEvent[]>(
        { type: 'enqueued', batch_id: 'b', item_ids: [1], at: 0 },
        {
          type: 'completed',
          item_id: 1,
          result: {
            item: fakeQueueItem({ item_id: 1, status: 'completed' }),
            outputs: [
              { nodeId: '../../up', nodeType: 'l2i', isIntermediate: false, imageNames: ['../../evil.png', '/etc/passwd'], boardId: null, boardInputIndex: null },
              { nodeId: '..\\..\\up', nodeType: 'l2i', isIntermediate: true, imageNames: ['x.png'], boardId: null, boardInputIndex: null },
            ],
            images: [],
            timings: { enqueuedAt: 0, startedAt: 1, completedAt: 2 },
          },
        },
      );
    const out = join(tmp, 'names', 'out');
    const io = fakeIo(tmp);
    const code = await runMain([workflow('esrgan_upscale'), '--set', '0=in.png', '--server', 'http://fake.invalid:9090', '--out', out], io, {
      createClient: () => client,
      runWorkflow: run,
    });
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['up-1-1.png', 'up-1-2.png', 'up_2-1-1.png']);
    expect(readdirSync(join(tmp, 'names'))).toEqual(['out']);
  });

  it('outputFileNames: <label or node id>-<item id>-<n>.png, numbered per node, stems kept unique', () => {
    const mk = (nodeId: string, n: number) => ({ nodeId, nodeType: 'l2i', isIntermediate: false, imageNames: Array.from({ length: n }, (_, i) => `${nodeId}${i}`), boardId: null, boardInputIndex: null });
    expect(outputFileNames([mk('a b', 2), mk('a/b', 1), mk('', 1)], 7).map((f) => f.file)).toEqual(['a_b-7-1.png', 'a_b-7-2.png', 'a_b_2-7-1.png', 'output-7-1.png']);
    const labels: Record<string, string> = { n1: 'Final Image', n2: '  ' };
    expect(outputFileNames([mk('n1', 1), mk('n2', 1)], 12, (id) => labels[id]).map((f) => f.file)).toEqual(['Final_Image-12-1.png', 'n2-12-1.png']);
  });

  it('usage errors exit 2', async () => {
    for (const argv of [[], ['a.json', 'b.json'], ['a.json', '--set', 'novalue'], ['a.json', '--timeout', '-1']]) {
      const io = fakeIo(tmp);
      expect(await runCli(['run', ...argv], io)).toBe(2);
      expect(io.stderr()).toMatch(/^invokeai-rx run: .+\n\nusage: invokeai-rx run/);
    }
  });
});
