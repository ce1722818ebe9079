import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/runCli.js';
import { startEmulator } from '../../../src/emulator/startEmulator.js';
import type { Emulator } from '../../../src/emulator/types.js';
import { fakeIo } from '../fakeCliIo.js';

const workflow = (name: string) => fileURLToPath(new URL(`../../../data/workflows/${name}.json`, import.meta.url));
const lines = (text: string) => text.split('\n').filter(Boolean);

let tmp: string;
let emu: Emulator;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'invokeai-rx-run-refusals-'));
  emu = await startEmulator({ timing: { msPerStep: 1, msPerNode: 0 } });
});
afterAll(async () => {
  await emu.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('invokeai-rx run refuses before enqueueing (exit 2, one line, nothing written)', () => {
  it('a required input that is empty: names its index and label and how to --set it', async () => {
    const before = emu.queue.items().length;
    const out = join(tmp, 'required');
    const io = fakeIo(tmp);
    // sdxl_refiner.json: input 0 "Image" is required and has no value (inputs --json: required true, value null).
    const code = await runCli(['run', workflow('sdxl_refiner'), '--set', '3=4', '--server', emu.url, '--out', out], io);
    expect(code).toBe(2);
    expect(lines(io.stderr())).toEqual(['invokeai-rx run: required input 0 "Image" is empty; set it with --set 0=@FILE.png (nothing was enqueued)']);
    expect(emu.queue.items().length).toBe(before);
    expect(existsSync(out)).toBe(false);
  });

  it('an output directory that holds another run\'s files', async () => {
    const out = join(tmp, 'used');
    mkdirSync(out);
    writeFileSync(join(out, 'old-1-1.png'), 'x');
    const before = emu.queue.items().length;
    const io = fakeIo(tmp);
    const code = await runCli(['run', workflow('sdxl_base'), '--server', emu.url, '--out', 'used'], io);
    expect(code).toBe(2);
    expect(lines(io.stderr())).toEqual([expect.stringMatching(/^invokeai-rx run: --out used is not empty \(1 entry, e\.g\. old-1-1\.png\); pass a new or empty directory/)]);
    expect(readdirSync(out)).toEqual(['old-1-1.png']);
    expect(emu.queue.items().length).toBe(before);
  });

  it('an existing file as --out', async () => {
    writeFileSync(join(tmp, 'a-file'), 'x');
    const before = emu.queue.items().length;
    const io = fakeIo(tmp);
    const code = await runCli(['run', workflow('sdxl_base'), '--server', emu.url, '--out', 'a-file'], io);
    expect(code).toBe(2);
    expect(lines(io.stderr())).toEqual(['invokeai-rx run: --out a-file is an existing file; pass a new or empty directory']);
    expect(emu.queue.items().length).toBe(before);
  });

  it('a --server or INVOKEAI_URL that is not an http(s) URL, before creating the output directory', async () => {
    for (const [argv, env, message] of [
      [['--server', '127.0.0.1:9090'], {}, "--server expects an http:// or https:// URL or 'embedded', got '127.0.0.1:9090' (did you mean http://127.0.0.1:9090?)"],
      [['--server', 'ftp://example.org'], {}, "--server expects an http:// or https:// URL or 'embedded', got 'ftp://example.org'"],
      [[], { INVOKEAI_URL: 'ftp://example.org' }, "INVOKEAI_URL expects an http:// or https:// URL or 'embedded', got 'ftp://example.org'"],
    ] as const) {
      const out = join(tmp, `server-${Math.random().toString(36).slice(2)}`);
      const io = { ...fakeIo(tmp), env: { ...env } };
      const code = await runCli(['run', workflow('sdxl_base'), ...argv, '--out', out], io);
      expect(code).toBe(2);
      expect(lines(io.stderr())[0]).toBe(`invokeai-rx run: ${message}`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('reruns never overwrite: file names carry the queue item id', async () => {
    const names: string[] = [];
    for (const dir of ['rerun-1', 'rerun-2']) {
      const io = fakeIo(tmp);
      const code = await runCli(['run', workflow('sdxl_base'), '--set', '5=64', '--set', '6=64', '--server', emu.url, '--out', dir], io);
      expect(io.stderr()).toBe('');
      expect(code).toBe(0);
      names.push(...readdirSync(join(tmp, dir)));
    }
    const ids = emu.queue.items().slice(-2).map((i) => i.item_id);
    expect(names).toHaveLength(2);
    names.forEach((name, i) => expect(name).toMatch(new RegExp(`^[0-9a-f-]+-${ids[i]}-1\\.png$`)));
    expect(names[0]).not.toBe(names[1]);
  });
});
