import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctorMain } from '../../../src/cli/commands/doctor.js';
import { DEFAULT_MODELS, startEmulator, type Emulator, type EmulatorOptions } from '../../../src/emulator/index.js';
import { fakeIo } from '../fakeCliIo.js';

const WORKFLOWS = resolve(__dirname, '../../../data/workflows');
const emulators: Emulator[] = [];

afterEach(async () => {
  for (const emu of emulators.splice(0)) await emu.close();
});

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, ...options });
  emulators.push(emu);
  return emu;
}

/** The report's rows as `STATUS check`, in order. */
function rows(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^(OK|WARN|FAIL) /.test(l))
    .map((l) => l.split(/\s{2,}/).slice(0, 2).join(' '));
}

describe('invokeai-rx doctor', () => {
  it('reports a healthy server, the workflows it can run, and a probe run that cleans up after itself', async () => {
    const emu = await emulator();
    const io = fakeIo(process.cwd());
    const code = await doctorMain(['--server', emu.url, join(WORKFLOWS, 'sdxl_base.json'), join(WORKFLOWS, 'esrgan_upscale.json')], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    expect(rows(io.stdout())).toEqual(['OK server', 'OK auth', 'OK queue', 'OK events', 'OK server schema', 'OK sdxl_base.json', 'OK esrgan_upscale.json', 'OK probe']);
    expect(io.stdout()).toContain('InvokeAI 6.14');
    expect(io.stdout()).toMatch(/All is well/);
    // The probe ran one item and deleted both of its images.
    expect(emu.queue.items().map((i) => i.status)).toEqual(['completed']);
    expect(emu.images.imageNames()).toEqual([]);
  });

  it('a model the workflow names but the server lacks fails the workflow row, listing the installed candidates', async () => {
    const models = DEFAULT_MODELS.filter((m) => m.name !== 'juggernautXL_v9Rundiffusionphoto2');
    const emu = await emulator({ models });
    const io = fakeIo(process.cwd());
    const code = await doctorMain(['--server', emu.url, join(WORKFLOWS, 'sdxl_base.json')], io);
    expect(code).toBe(1);
    const line = io.stdout().split('\n').find((l) => l.startsWith('FAIL') && l.includes('sdxl_base.json'))!;
    expect(line).toContain('juggernautXL_v9Rundiffusionphoto2 (sdxl/main; installed: ');
    for (const m of models.filter((m) => m.base === 'sdxl' && m.type === 'main')) expect(line).toContain(m.name);
    expect(io.stdout()).toContain('invokeai-rx models');
  });

  it('a node type the server does not have fails the workflow row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
    try {
      const wf = JSON.parse(readFileSync(join(WORKFLOWS, 'esrgan_upscale.json'), 'utf8'));
      wf.nodes[0].data.type = 'some_node_pack_invocation';
      writeFileSync(join(dir, 'custom.json'), JSON.stringify(wf));
      const emu = await emulator();
      const io = fakeIo(process.cwd());
      expect(await doctorMain(['--server', emu.url, join(dir, 'custom.json')], io)).toBe(1);
      expect(io.stdout()).toMatch(/FAIL\s+custom\.json\s+node types the server lacks: some_node_pack_invocation/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a paused queue fails, says how to resume, and skips the probe (nothing enqueued)', async () => {
    const emu = await emulator();
    emu.faults.pause();
    const io = fakeIo(process.cwd());
    expect(await doctorMain(['--server', emu.url], io)).toBe(1);
    expect(io.stdout()).toMatch(/FAIL\s+queue\s+paused/);
    expect(io.stdout()).toContain('resume');
    expect(io.stdout()).toMatch(/FAIL\s+probe\s+skipped/);
    expect(emu.queue.items()).toEqual([]);
  });

  it('multi-user mode without a token fails the auth row and says to pass --token', async () => {
    const emu = await emulator({ multiUser: { users: [{ email: 'a@example.com', password: 'pw', is_admin: true }] } });
    const io = fakeIo(process.cwd());
    expect(await doctorMain(['--server', emu.url], io)).toBe(1);
    expect(rows(io.stdout())).toEqual(['OK server', 'FAIL auth']);
    expect(io.stdout()).toContain('--token');
  });

  it('an unreachable server is one failed row, exit 1', async () => {
    const emu = await emulator();
    const url = emu.url;
    await emu.close();
    emulators.pop();
    const io = fakeIo(process.cwd());
    expect(await doctorMain(['--server', url], io)).toBe(1);
    expect(rows(io.stdout())).toEqual(['FAIL server']);
  });

  it('refuses a bad --timeout as a usage error', async () => {
    const io = fakeIo(process.cwd());
    expect(await doctorMain(['--timeout', '0'], io)).toBe(2);
    expect(io.stderr()).toContain('--timeout');
  });
});
