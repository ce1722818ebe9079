import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelsMain } from '../../../src/cli/commands/models.js';
import { runMain } from '../../../src/cli/commands/run.js';
import { serve } from '../../../src/cli/commands/serve.js';
import type { RunManifest } from '../../../src/cli/output/runManifest.js';
import { runCli } from '../../../src/cli/runCli.js';
import { DEFAULT_MODELS, startEmulator } from '../../../src/emulator/index.js';
import type { Emulator, EmulatorOptions } from '../../../src/emulator/types.js';
import { fakeIo } from '../fakeCliIo.js';

const WANTED = 'juggernautXL_v9Rundiffusionphoto2';
const SDXL_MAINS = ['sdxlUnstableDiffusers_v9DIVINITYMACHINE', 'sdxlUnstableDiffusers_v11Rundiffusion', 'stable-diffusion-xl-base-1.0'];
const WITHOUT_WANTED = DEFAULT_MODELS.filter((m) => m.name !== WANTED);
const SD15 = DEFAULT_MODELS.find((m) => m.name === 'stable-diffusion-v1-5')!;
const SMALL = ['--width', '64', '--height', '64', '--base-steps', '2', '--refine-steps', '2'];
const dataWorkflow = (name: string) => fileURLToPath(new URL(`../../../data/workflows/${name}.json`, import.meta.url));
const sd15Workflow = fileURLToPath(new URL('../../fixtures/workflows/invokeai-defaults/Text to Image - SD1.5.json', import.meta.url));

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'invokeai-rx-models-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/** Deps that start the embedded emulator and keep it, to inspect its queue afterwards. */
function keepEmulator() {
  const started: Emulator[] = [];
  return {
    started,
    deps: {
      startEmulator: async (o: EmulatorOptions) => {
        const emu = await startEmulator({ ...o, timing: { msPerStep: 0, msPerNode: 0 } });
        started.push(emu);
        return emu;
      },
    },
  };
}

describe('invokeai-rx models', () => {
  it("prints the server's models as a table: name, base, type, key", async () => {
    const io = fakeIo(tmp);
    expect(await runCli(['models', '--base', 'sd-1'], io)).toBe(0);
    expect(io.stderr()).toBe('');
    const rows = lines(io.stdout()).map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ['name', 'base', 'type', 'key'],
      ['stable-diffusion-v1-5', 'sd-1', 'main', SD15.key],
    ]);
  });

  it('--json prints the records with key, hash, name, base and type; --type filters', async () => {
    const io = fakeIo(tmp);
    expect(await modelsMain(['--json', '--type', 'spandrel_image_to_image'], io)).toBe(0);
    const list = JSON.parse(io.stdout()) as Record<string, unknown>[];
    const expected = DEFAULT_MODELS.filter((m) => m.type === 'spandrel_image_to_image');
    expect(list.map((m) => m['name']).sort()).toEqual(expected.map((m) => m.name).sort());
    for (const m of list) {
      const source = expected.find((e) => e.key === m['key'])!;
      expect(m).toMatchObject({ key: source.key, hash: source.hash, name: source.name, base: source.base, type: source.type, format: source.format });
    }
  });

  it('a usage error exits 2; an unreachable server exits 1 with one line', async () => {
    const bad = fakeIo(tmp);
    expect(await modelsMain(['extra'], bad)).toBe(2);
    const down = fakeIo(tmp);
    expect(await modelsMain(['--server', 'http://127.0.0.1:9'], down)).toBe(1);
    expect(lines(down.stderr())).toHaveLength(1);
    expect(down.stderr()).toMatch(/^invokeai-rx models: cannot reach the InvokeAI server at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('invokeai-rx serve --models', () => {
  it('round-trips `models --json`: the emulator serves exactly the models of the listed install', async () => {
    const source = await startEmulator({ port: 0, models: WITHOUT_WANTED });
    const dumped = fakeIo(tmp);
    try {
      expect(await modelsMain(['--json', '--server', source.url], dumped)).toBe(0);
    } finally {
      await source.close();
    }
    const file = join(tmp, 'install.json');
    writeFileSync(file, dumped.stdout());

    const io = fakeIo(tmp);
    let stop!: () => void;
    const running = serve(['--port', '0', '--models', 'install.json'], io, new Promise<void>((r) => (stop = r)));
    let url: string | undefined;
    while (!(url = /listening on (\S+)/.exec(io.stdout())?.[1])) await new Promise((r) => setTimeout(r, 10));
    const mirrored = fakeIo(tmp);
    expect(await modelsMain(['--json', '--server', url], mirrored)).toBe(0);
    stop();
    expect(await running).toBe(0);
    expect(io.stdout()).toContain(`installed models: ${WITHOUT_WANTED.length}`);
    expect(JSON.parse(mirrored.stdout())).toEqual(JSON.parse(dumped.stdout()));
    expect((JSON.parse(mirrored.stdout()) as { name: string }[]).some((m) => m.name === WANTED)).toBe(false);
  });

  it('accepts the body of GET /api/v2/models/ and records with only key, hash, name, base and type', async () => {
    const file = join(tmp, 'minimal.json');
    writeFileSync(file, JSON.stringify({ models: [{ key: 'k1', hash: 'h1', name: 'mine', base: 'sdxl', type: 'main' }] }));
    const io = fakeIo(tmp);
    let stop!: () => void;
    const running = serve(['--port', '0', '--models', file], io, new Promise<void>((r) => (stop = r)));
    let url: string | undefined;
    while (!(url = /listening on (\S+)/.exec(io.stdout())?.[1])) await new Promise((r) => setTimeout(r, 10));
    const listed = fakeIo(tmp);
    expect(await modelsMain(['--server', url], listed)).toBe(0);
    stop();
    await running;
    expect(lines(listed.stdout())[1]!.split(/\s{2,}/)).toEqual(['mine', 'sdxl', 'main', 'k1']);
  });

  it.each([
    ['not JSON', '{oops', /not valid JSON/],
    ['not a list', '{"a": 1}', /expected a JSON list of model records/],
    ['a record without a name', '[{"key": "k", "hash": "h", "base": "sdxl", "type": "main"}]', /model 0 field name/],
    ['a duplicate key', '[{"key":"k","hash":"h","name":"a","base":"sdxl","type":"main"},{"key":"k","hash":"h2","name":"b","base":"sdxl","type":"main"}]', /model 1: key "k" appears twice/],
  ])('refuses a models file that is %s (exit 2)', async (_what, text, message) => {
    const file = join(tmp, `bad-${_what.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    const io = fakeIo(tmp);
    expect(await serve(['--port', '0', '--models', file], io, Promise.resolve())).toBe(2);
    expect(io.stdout()).toBe('');
    expect(io.stderr().split('\n')[0]).toMatch(message);
    expect(io.stderr().split('\n')[0]).toMatch(/^invokeai-rx serve: --models /);
  });

  it('refuses a models file that does not exist (exit 2)', async () => {
    const io = fakeIo(tmp);
    expect(await serve(['--models', 'missing.json'], io, Promise.resolve())).toBe(2);
    expect(io.stderr()).toMatch(/--models \S*missing\.json: cannot read the file \(ENOENT\)/);
  });
});

describe('invokeai-rx run --set INDEX=NAME', () => {
  it('sets a model input by name from the server list and runs it', async () => {
    const { started, deps } = keepEmulator();
    const io = fakeIo(tmp);
    const code = await runMain([sd15Workflow, '--set', '0=stable-diffusion-v1-5', '--set', '3=64', '--set', '4=64', '--out', join(tmp, 'sd15')], io, deps);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const items = started[0]!.queue.items();
    expect(items).toHaveLength(1);
    const nodes = Object.values((items[0]!.session as { graph: { nodes: Record<string, { type: string; model?: { key: string } }> } }).graph.nodes);
    expect(nodes.find((n) => n.type === 'main_model_loader')!.model).toMatchObject({ key: SD15.key, name: SD15.name, base: 'sd-1', type: 'main' });
  });

  it('a model name the server lacks exits 2 with one line listing the candidates, nothing enqueued', async () => {
    const { started, deps } = keepEmulator();
    const io = fakeIo(tmp);
    const code = await runMain([dataWorkflow('sdxl_base'), '--set', '8=juggernautXL', '--out', join(tmp, 'wrong')], io, deps);
    expect(code).toBe(2);
    const err = lines(io.stderr());
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^invokeai-rx run: --set 8=juggernautXL: Model "juggernautXL" \(sdxl\/main\)/);
    for (const name of [WANTED, ...SDXL_MAINS]) expect(err[0]).toContain(name);
    expect(started[0]!.queue.items()).toEqual([]);
    expect(started[0]!.images.imageNames()).toEqual([]);
  });

  it('an ambiguous model name exits 2 listing both keys', async () => {
    const twin = { ...SD15, key: 'twin-key', hash: 'blake3:twin' };
    const emu = await startEmulator({ port: 0, models: [...DEFAULT_MODELS, twin] });
    try {
      const io = fakeIo(tmp);
      const code = await runMain([sd15Workflow, '--set', '0=stable-diffusion-v1-5', '--server', emu.url, '--out', join(tmp, 'twin')], io);
      expect(code).toBe(2);
      const err = lines(io.stderr());
      expect(err).toHaveLength(1);
      expect(err[0]).toContain(SD15.key);
      expect(err[0]).toContain('twin-key');
      expect(emu.queue.items()).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});

describe('invokeai-rx refine on a server without the bundled model', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, timing: { msPerStep: 0, msPerNode: 0 }, models: WITHOUT_WANTED });
  });
  afterAll(() => emu.close());

  it('exits 1 with the ModelNotFoundError and its candidates in one line, nothing enqueued', async () => {
    const io = fakeIo(tmp);
    const out = join(tmp, 'refine-missing');
    const code = await runCli(['refine', 'a fox', '--server', emu.url, '--output-dir', out, ...SMALL], io);
    expect(code).toBe(1);
    const err = lines(io.stderr());
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(new RegExp(`^invokeai-rx refine: Model "${WANTED}" \\(sdxl/main\\) wanted by input 8 `));
    for (const name of SDXL_MAINS) expect(err[0]).toContain(name);
    expect(emu.queue.items()).toEqual([]);
  });

  it('--model-fallback same-base runs, warns on stderr and records the substitution in run.json', async () => {
    const io = fakeIo(tmp);
    const out = join(tmp, 'refine-fallback');
    const code = await runCli(['refine', 'a fox', '--server', emu.url, '--output-dir', out, '--model-fallback', 'same-base', ...SMALL], io);
    const err = lines(io.stderr());
    expect(err).toEqual([
      `invokeai-rx refine: warning: base: model "${WANTED}" (sdxl/main) wanted by input 8 (model) is not installed; ` +
        'using "sdxlUnstableDiffusers_v11Rundiffusion" instead (--model-fallback same-base)',
    ]);
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunManifest;
    expect(manifest.parameters['model_fallback']).toBe('same-base');
    const used = DEFAULT_MODELS.find((m) => m.name === 'sdxlUnstableDiffusers_v11Rundiffusion')!;
    expect(manifest.models!.filter((m) => m.substituted)).toEqual([
      expect.objectContaining({ workflow: 'base', index: 8, wanted: expect.objectContaining({ name: WANTED }), used: expect.objectContaining({ key: used.key }), matchedBy: 'base' }),
    ]);
    // The refiner's model is installed: matched, not substituted.
    expect(manifest.models!.find((m) => m.workflow === 'refiner')).toMatchObject({ substituted: false });
  });

  it('--model-fallback with another value is a usage error', async () => {
    const io = fakeIo(tmp);
    expect(await runCli(['refine', 'a fox', '--model-fallback', 'any'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^invokeai-rx refine: --model-fallback expects none or same-base, got 'any'/);
  });
});
