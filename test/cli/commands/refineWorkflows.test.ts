import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { refineMain } from '../../../src/cli/commands/refine.js';
import { DEFAULT_MODELS, emulatorModel } from '../../../src/emulator/defaultModels.js';
import { startEmulator } from '../../../src/emulator/startEmulator.js';
import { runWorkflow } from '../../../src/run/runWorkflow.js';
import { loadWorkflowFile } from '../../../src/workflow/loadWorkflowFile.js';
import type { Workflow } from '../../../src/workflow/Workflow.js';
import type { RunWorkflowFn } from '../../../operators/index.js';
import { fakeIo } from '../fakeCliIo.js';
import { SMALL, lines, refineTestbed } from './support/refineTestbed.js';

const bundled = (name: string) => fileURLToPath(new URL(`../../../data/workflows/${name}`, import.meta.url));

let custom: string;
/** Form indices of the reordered refiner, by label (read from the file, as `invokeai-rx inputs` shows them). */
let idx: Record<string, number>;
const bed = refineTestbed('refine-wf', (tmp) => {
  // A user's own refiner: the same graph with its form laid out differently (root elements reversed).
  custom = join(tmp, 'my-workflows');
  mkdirSync(custom);
  for (const f of ['sdxl_base.json', 'esrgan_upscale.json', 'face_restore.json']) copyFileSync(bundled(f), join(custom, f));
  const refiner = JSON.parse(readFileSync(bundled('sdxl_refiner.json'), 'utf8')) as { form: { rootElementId: string; elements: Record<string, { data: { children: string[] } }> } };
  refiner.form.elements[refiner.form.rootElementId]!.data.children.reverse();
  writeFileSync(join(custom, 'sdxl_refiner.json'), JSON.stringify(refiner));
  idx = Object.fromEntries(loadWorkflowFile(join(custom, 'sdxl_refiner.json')).inputs.map((i) => [i.label, i.index]));
});
const { freshDir, manifest } = bed;

/** Runs workflows for real and remembers each workflow as it was sent. */
function spy(): { run: RunWorkflowFn; sent: Workflow[] } {
  const sent: Workflow[] = [];
  return { sent, run: (c, wf, o) => (sent.push(wf), runWorkflow(c, wf, o)) };
}

/** Runs refine against the emulator; expects a refusal: exit 2, one line, nothing enqueued, nothing written. */
async function refused(argv: string[], server = bed.emu): Promise<string> {
  const before = server.queue.items().length;
  const out = freshDir();
  const io = fakeIo(bed.tmp);
  const code = await refineMain([...argv, '--server', server.url, '--output-dir', out, ...SMALL], io);
  expect(code).toBe(2);
  const err = lines(io.stderr());
  expect(err).toHaveLength(1);
  expect(server.queue.items().length).toBe(before);
  expect(existsSync(out)).toBe(false);
  return err[0]!;
}

describe('refine --workflows with another form layout', () => {
  it('without a binding: says which input is wrong and how to bind it', async () => {
    expect(idx['Image']).not.toBe(0);
    const line = await refused(['a fox', '--workflows', custom]);
    const file = join(custom, 'sdxl_refiner.json');
    expect(line).toBe(
      `invokeai-rx refine: refine.image=0: input 0 "Board" of ${file} is a board field, but "image" needs image; ` +
        `bind it with --bind refine.image=INDEX or in a --binding file (list the workflow's inputs with 'invokeai-rx inputs ${file}')`,
    );
  });

  it('a --binding file maps each semantic name to the form index; the values land in those inputs', async () => {
    const binding = join(bed.tmp, 'binding.json');
    writeFileSync(binding, JSON.stringify({ refine: { image: idx['Image'], prompt: idx['Positive Prompt'], steps: idx['Steps'], strength: idx['Strength'] } }));
    const s = spy();
    const out = freshDir();
    const io = fakeIo(bed.tmp);
    const code = await refineMain(
      ['a fox', '--workflows', custom, '--binding', binding, '--refine-strength', '0.45', '--refine-steps', '4', '--server', bed.emu.url, '--output-dir', out, ...SMALL],
      io,
      { runWorkflow: s.run },
    );
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const refiner = s.sent[1]!;
    expect(refiner.inputs[idx['Strength']!]!.value).toBe(0.45);
    expect(refiner.inputs[idx['Steps']!]!.value).toBe(4);
    expect(refiner.inputs[idx['Image']!]!.value).toEqual({ image_name: manifest(out).chains[0]!.stages[0]!.imageName });
    expect(manifest(out).parameters['bindings']).toMatchObject({ refine: { strength: idx['Strength'] } });
  });

  it('a value for an unbound input is refused, naming the flag and the --bind that fixes it; --bind fixes it', async () => {
    const binding = join(bed.tmp, 'partial.json');
    writeFileSync(binding, JSON.stringify({ refine: { image: idx['Image'], steps: idx['Steps'] } }));
    const line = await refused(['a fox', '--workflows', custom, '--binding', binding, '--refine-strength', '0.4']);
    expect(line).toBe(
      `invokeai-rx refine: --refine-strength sets the refine workflow's "strength", but no form input is bound to it; ` +
        `bind one with --bind refine.strength=INDEX (list the workflow's inputs with 'invokeai-rx inputs FILE')`,
    );
    expect(await refused(['a fox', '--workflows', custom, '--binding', binding, '--passes', '2'])).toMatch(/^invokeai-rx refine: --passes sets the refine workflow's "strength"/);

    const s = spy();
    const io = fakeIo(bed.tmp);
    const code = await refineMain(
      ['a fox', '--workflows', custom, '--binding', binding, '--bind', `refine.strength=${idx['Strength']}`, '--refine-strength', '0.4', '--server', bed.emu.url, '--output-dir', freshDir(), ...SMALL],
      io,
      { runWorkflow: s.run },
    );
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    expect(s.sent[1]!.inputs[idx['Strength']!]!.value).toBe(0.4);
  });

  it('binding mistakes are usage errors', async () => {
    const bad = join(bed.tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ refiner: { image: 0 } }));
    expect(await refused(['a fox', '--binding', bad])).toMatch(/^invokeai-rx refine: --binding .*bad\.json: .*"refiner".*; expected \{"STAGE": \{"NAME": INDEX\}\} with stages base, refine, upscale, faces$/);
    writeFileSync(bad, JSON.stringify({ refine: { sharpness: 0 } }));
    expect(await refused(['a fox', '--binding', bad])).toMatch(/^invokeai-rx refine: --binding .*bad\.json: stage 'refine' has no input named 'sharpness'; it binds image, prompt, /);
    writeFileSync(bad, '{not json');
    expect(await refused(['a fox', '--binding', bad])).toMatch(/^invokeai-rx refine: --binding .*bad\.json is not valid JSON/);
    expect(await refused(['a fox', '--bind', 'refine.strength=99'])).toMatch(
      /^invokeai-rx refine: refine\.strength=99: .*sdxl_refiner\.json has no form input 99 \(it has 0-6\); bind it with --bind refine\.strength=INDEX/,
    );
    const io = fakeIo(bed.tmp);
    expect(await refineMain(['a fox', '--bind', 'refine.strength'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^invokeai-rx refine: --bind expects STAGE\.NAME=INDEX \(e\.g\. refine\.strength=3\), got 'refine\.strength'\n/);
  });
});

describe('refine model flags', () => {
  const model = (name: string) => DEFAULT_MODELS.find((m) => m.name === name)!;

  it('set each stage workflow\'s model by name or key', async () => {
    const s = spy();
    const io = fakeIo(bed.tmp);
    const refiner = model('stable-diffusion-xl-refiner-1.0');
    const code = await refineMain(
      ['a fox', '--upscale', '--base-model', 'stable-diffusion-xl-base-1.0', '--refiner-model', refiner.key, '--upscale-model', 'RealESRGAN_x2plus', '--server', bed.emu.url, '--output-dir', freshDir(), ...SMALL],
      io,
      { runWorkflow: s.run },
    );
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const [base, refined, upscaled] = s.sent;
    const modelOf = (wf: Workflow, type: string) =>
      wf.json.nodes.flatMap((node) => (node.type === 'invocation' && node.data.type === type ? [node.data.inputs['model'] ?? node.data.inputs['image_to_image_model']] : []))[0]!.value as { key: string };
    expect(modelOf(base!, 'sdxl_model_loader').key).toBe(model('stable-diffusion-xl-base-1.0').key);
    expect(modelOf(refined!, 'sdxl_refiner_model_loader').key).toBe(refiner.key);
    expect(modelOf(upscaled!, 'spandrel_image_to_image_autoscale').key).toBe(model('RealESRGAN_x2plus').key);
  });

  it('an unknown name lists the installed candidates of that kind', async () => {
    const line = await refused(['a fox', '--base-model', 'sdxl-turbo']);
    expect(line).toMatch(/^invokeai-rx refine: --base-model 'sdxl-turbo': Model "sdxl-turbo" \(sdxl\/main\) .* is not installed/);
    expect(line).toContain(
      'installed sdxl/main models: juggernautXL_v9Rundiffusionphoto2, sdxlUnstableDiffusers_v11Rundiffusion, sdxlUnstableDiffusers_v9DIVINITYMACHINE, stable-diffusion-xl-base-1.0',
    );
  });

  it('a model of another kind is refused with the candidates', async () => {
    expect(await refused(['a fox', '--refiner-model', 'stable-diffusion-xl-base-1.0'])).toMatch(
      /^invokeai-rx refine: --refiner-model stable-diffusion-xl-base-1\.0 \(sdxl\/main, key [^)]+\) does not fit the refine workflow, which takes sdxl-refiner\/main models; installed sdxl-refiner\/main models: stable-diffusion-xl-refiner-1\.0$/,
    );
  });

  it('an ambiguous name lists the matching models with their keys', async () => {
    const twin = { ...emulatorModel('stable-diffusion-xl-base-1.0', 'sdxl', 'main', 'diffusers'), key: 'twin-key-0001' };
    const server = await startEmulator({ models: [...DEFAULT_MODELS, twin], timing: { msPerStep: 1, msPerNode: 0 } });
    try {
      const line = await refused(['a fox', '--base-model', 'stable-diffusion-xl-base-1.0'], server);
      expect(line).toMatch(/^invokeai-rx refine: --base-model 'stable-diffusion-xl-base-1\.0': .* matches 2 installed models \(.*key twin-key-0001\)\. Set the input by the model's key instead\.$/);
      expect(line).toContain(`key ${model('stable-diffusion-xl-base-1.0').key}`);
    } finally {
      await server.close();
    }
  });

  it('--upscale-model and --face-model need their stage', async () => {
    for (const [flag, needs] of [['--upscale-model', '--upscale'], ['--face-model', '--enhance-face']]) {
      const io = fakeIo(bed.tmp);
      expect(await refineMain(['a fox', flag!, 'x'], io)).toBe(2);
      expect(lines(io.stderr())[0]).toBe(`invokeai-rx refine: ${flag} has no effect without ${needs}; add ${needs} or drop ${flag}`);
    }
  });
});
