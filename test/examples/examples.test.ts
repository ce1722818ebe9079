import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { assessQuality } from 'invokeai-rx/operators';

/**
 * Runs every example as its own process, the way a user does (`node --import tsx examples/X.ts`,
 * from the repository root, against the embedded emulator), and checks what it promises: exit
 * status 0 without being killed, the PNGs it says it saved (decoded, with the right sizes), and
 * its report on stdout.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const outRoot = mkdtempSync(join(tmpdir(), 'invokeai-rx-examples-'));
/** Small images keep the run short on a loaded 2-core machine; every workflow accepts them. */
const SIZE = 128;
/** A process still running after this long did not exit on its own (open handles) or hangs. */
const KILL_AFTER_MS = 170_000;

afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: string[];
  /** The example's output folder. */
  dir: string;
}

function runExample(name: string, env: Record<string, string> = {}): Promise<Run> {
  const childEnv: Record<string, string | undefined> = { ...process.env, OUT_DIR: outRoot, IMAGE_SIZE: String(SIZE), ...env };
  for (const key of ['INVOKEAI_URL', 'INVOKEAI_TOKEN', 'NODE_OPTIONS', 'THRESHOLD', 'PROMPTS']) {
    if (!(key in env)) delete childEnv[key];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { cwd: repo, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, lines: stdout.split('\n'), dir: join(outRoot, name) });
    });
  });
}

/** Fails with the example's own output, so a broken example explains itself. */
function expectSuccess(run: Run): void {
  const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(run.signal, `killed: did not exit on its own\n${context}`).toBeNull();
  expect(run.code, context).toBe(0);
  expect(run.stderr).not.toMatch(/failed: /);
}

function png(run: Run, file: string) {
  const path = join(run.dir, file);
  expect(existsSync(path), `${file} was not saved`).toBe(true);
  return decode(readFileSync(path));
}

function size(run: Run, file: string): [number, number] {
  const { width, height } = png(run, file);
  return [width, height];
}

/** Mean absolute difference per RGB channel between two same-sized images, optionally only where `where(i)`. */
function meanDiff(a: ReturnType<typeof decode>, b: ReturnType<typeof decode>, where: (i: number) => boolean = () => true): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (!where(i)) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(Number(a.data[i * a.channels + c]) - Number(b.data[i * b.channels + c]));
    n += 3;
  }
  return sum / n;
}

/** Every capture group of `re` over all stdout lines. */
function matches(run: Run, re: RegExp): RegExpMatchArray[] {
  return run.lines.map((l) => l.match(re)).filter((m): m is RegExpMatchArray => m !== null);
}

const SHORT = '([0-9a-f]{8}…[^ ]{4})'; // the examples print image names shortened as `5d2c3f0e….png`

describe('examples', { timeout: 180_000 }, () => {
  it('every example script is covered by this test', () => {
    const scripts = readdirSync(join(repo, 'examples'))
      .filter((f) => f.endsWith('.ts') && f !== 'support.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(scripts).toEqual([...COVERED].sort());
  });

  it('fullPipeline: base → refine → upscale → faces, each saved as it lands, upscaled = 2× refined', async () => {
    const run = await runExample('fullPipeline');
    expectSuccess(run);
    const stages = matches(run, new RegExp(`^stage (\\w+): ${SHORT} (\\d+)x(\\d+) ok -> `));
    expect(stages.map((m) => m[1])).toEqual(['generateBase', 'refine', 'upscale', 'enhanceFaces']);
    expect(size(run, '1-base.png')).toEqual([SIZE, SIZE]);
    expect(size(run, '2-refined.png')).toEqual([SIZE, SIZE]);
    expect(size(run, '3-upscaled.png')).toEqual([2 * SIZE, 2 * SIZE]);
    expect(size(run, '4-faces.png')).toEqual([2 * SIZE, 2 * SIZE]);
    // The printed sizes are those of the saved files.
    expect(stages.map((m) => [Number(m[3]), Number(m[4])])).toEqual([
      [SIZE, SIZE],
      [SIZE, SIZE],
      [2 * SIZE, 2 * SIZE],
      [2 * SIZE, 2 * SIZE],
    ]);
    // Each stage worked on the previous stage's image.
    const lineage = matches(run, /^lineage: (.*)$/)[0]![1]!.split(' -> ');
    expect(lineage).toEqual(stages.map((m) => m[2]));
    expect(meanDiff(png(run, '1-base.png'), png(run, '2-refined.png'))).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/^boards: generateBase=base_stage refine=refined_stage upscale=upscaled_stage enhanceFaces=face_enhanced$/m);
    expect(run.stdout).toMatch(/^done: 4 stages; final image /m);
  });

  it('progressiveRefinement: three passes at strengths 0.5, 0.3, 0.15, each from the previous output', async () => {
    const run = await runExample('progressiveRefinement');
    expectSuccess(run);
    const base = matches(run, new RegExp(`^base: ${SHORT} `))[0]![1];
    const passes = matches(run, new RegExp(`^refinement pass (\\d)/3 \\(strength: ([\\d.]+)\\): ${SHORT} -> ${SHORT} `));
    expect(passes.map((m) => [m[1], Number(m[2])])).toEqual([
      ['1', 0.5],
      ['2', 0.3],
      ['3', 0.15],
    ]);
    expect(passes.map((m) => m[3])).toEqual([base, passes[0]![4], passes[1]![4]]);
    for (const file of ['0-base.png', '1-pass.png', '2-pass.png', '3-pass.png']) expect(size(run, file)).toEqual([SIZE, SIZE]);
    expect(run.stdout).toContain('done: 3 refinement passes');
  });

  it('adaptiveRefinement: prints the measured quality of each pass and the strength the seed rule derives from it', async () => {
    const threshold = 0.85;
    const run = await runExample('adaptiveRefinement', { THRESHOLD: String(threshold) });
    expectSuccess(run);
    const passes = matches(run, /^pass (\d): quality ([\d.]+) .*applying strength ([\d.]+) -> /);
    expect(passes.length).toBeGreaterThanOrEqual(1);
    expect(passes.length).toBeLessThanOrEqual(5);
    passes.forEach((m, k) => {
      const [pass, quality, strength] = [Number(m[1]), Number(m[2]), Number(m[3])];
      expect(pass).toBe(k + 1);
      expect(quality).toBeLessThan(threshold); // a pass runs only below the threshold
      expect(strength).toBeCloseTo(Math.min(0.5, (threshold - quality) * 0.8), 3);
      // The score is a real measurement of the image the pass started from.
      const started = k === 0 ? '0-base.png' : `${k}-pass.png`;
      expect(assessQuality(readFileSync(join(run.dir, started))).score).toBeCloseTo(quality, 3);
      expect(size(run, `${pass}-pass.png`)).toEqual([SIZE, SIZE]);
    });
    const done = matches(run, /^done: (\d) passes; final .* quality ([\d.]+) \(threshold [\d.]+: (met|not met after the pass limit)\)/)[0]!;
    expect(Number(done[1])).toBe(passes.length);
    if (done[3] === 'met') expect(Number(done[2])).toBeGreaterThanOrEqual(threshold);
    else expect(passes.length).toBe(5);
  });

  it('portraitWithFaces: base, refined and face-enhanced portraits, the faces pass changing the image', async () => {
    const run = await runExample('portraitWithFaces');
    expectSuccess(run);
    expect(matches(run, /^saved (\w+): /).map((m) => m[1])).toEqual(['base', 'refined', 'face_enhanced']);
    for (const file of ['base.png', 'refined.png', 'face_enhanced.png']) expect(size(run, file)).toEqual([SIZE, SIZE]);
    expect(run.stdout).toMatch(/^faces enhanced \(strength 0\.6\) in queue item \d+$/m);
    expect(meanDiff(png(run, 'refined.png'), png(run, 'face_enhanced.png'))).toBeGreaterThan(0);
  });

  it('multiDetail: face, fabric texture and masked passes with the seed values; the mask confines the last one', async () => {
    const run = await runExample('multiDetail');
    expectSuccess(run);
    const steps = matches(run, /^enhancement (\d) \((\w+), (\w+)\): ok \S+ \[(.*)\] -> /);
    expect(steps.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['1', 'face', 'enhanceFaces'],
      ['2', 'texture', 'refine'],
      ['3', 'masked', 'enhanceRegion'],
    ]);
    // The seed's tables: fabric texture prompt with steps 15 / strength 0.4 / cfg 8; "high" detail = 20 / 0.7 / 8.
    expect(steps[0]![4]).toBe('strength=0.6');
    expect(steps[1]![4]).toBe('prompt="detailed fabric texture, visible weave, cloth material" steps=15 strength=0.4 cfg=8');
    expect(steps[2]![4]).toBe('prompt="detailed background, sharp focus" steps=20 strength=0.7 cfg=8');

    const mask = png(run, 'background_mask.png');
    expect([mask.width, mask.height, mask.channels]).toEqual([SIZE, SIZE, 1]);
    const white = (i: number) => mask.data[i] === 255;
    const centre = (SIZE / 2) * SIZE + SIZE / 2;
    expect([mask.data[0], mask.data[centre]]).toEqual([0, 255]); // black border, white rectangle
    for (const file of ['0-portrait.png', '1-face.png', '2-texture.png', '3-masked.png']) expect(size(run, file)).toEqual([SIZE, SIZE]);

    // The masked pass changes one side of the mask far more than the other.
    const before = png(run, '2-texture.png');
    const after = png(run, '3-masked.png');
    const inWhite = meanDiff(before, after, white);
    const inBlack = meanDiff(before, after, (i) => !white(i));
    expect(Math.max(inWhite, inBlack)).toBeGreaterThan(2 * Math.min(inWhite, inBlack));
    const printed = matches(run, /^masked pass changed the black area by ([\d.]+) and the white area by ([\d.]+) /)[0]!;
    expect(Number(printed[1])).toBeCloseTo(inBlack, 1);
    expect(Number(printed[2])).toBeCloseTo(inWhite, 1);
    expect(run.stdout).toContain('done: 3 enhancements');
  });

  it('parallelVariations: every prompt once, never more than the limit in flight', async () => {
    const run = await runExample('parallelVariations');
    expectSuccess(run);
    const done = matches(run, /^variation (\d)\/4 done: prompt (\d) "([^"]+)" -> /);
    expect(done.map((m) => m[1])).toEqual(['1', '2', '3', '4']);
    expect(done.map((m) => m[2]).sort()).toEqual(['1', '2', '3', '4']);
    for (let n = 1; n <= 4; n++) expect(size(run, `variation-${n}.png`)).toEqual([SIZE, SIZE]);
    const most = Number(matches(run, /at most (\d+) in flight \(limit 2\)/)[0]![1]);
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('batchRefine: three base images, each refined once from its own base', async () => {
    const run = await runExample('batchRefine');
    expectSuccess(run);
    const bases = new Map(matches(run, new RegExp(`^base \\(seed (\\d+)\\): ${SHORT} `)).map((m) => [m[1], m[2]]));
    const refined = matches(run, new RegExp(`^refined \\(seed (\\d+)\\): ${SHORT} -> ${SHORT} `));
    expect([...bases.keys()]).toEqual(['42', '123', '456']);
    expect(refined.map((m) => m[1]).sort()).toEqual(['123', '42', '456']);
    for (const m of refined) expect(m[2]).toBe(bases.get(m[1]!));
    for (const seed of [42, 123, 456]) {
      expect(size(run, `base-${seed}.png`)).toEqual([SIZE, SIZE]);
      expect(size(run, `refined-${seed}.png`)).toEqual([SIZE, SIZE]);
    }
    expect(run.stdout).toContain('done: 3 base images, 3 refined');
  });

  it('streamingPipeline: each chain deletes its base and refined images as the next stage lands', async () => {
    const run = await runExample('streamingPipeline', { PROMPTS: '3' });
    expectSuccess(run);
    const results = matches(run, new RegExp(`^\\[(.+ #\\d)\\] (\\w+): ${SHORT}(?:; deleted intermediate ${SHORT} \\(404 on the server\\))?$`));
    expect(results.map((m) => [m[1], m[2]])).toEqual([
      ['Mountain landscape #1', 'generateBase'],
      ['Mountain landscape #1', 'refine'],
      ['Mountain landscape #1', 'upscale'],
      ['Ocean sunset #2', 'generateBase'],
      ['Ocean sunset #2', 'refine'],
      ['Ocean sunset #2', 'upscale'],
      ['Forest path #3', 'generateBase'],
      ['Forest path #3', 'refine'],
      ['Forest path #3', 'upscale'],
    ]);
    for (let p = 0; p < 3; p++) {
      const [base, refined, upscaled] = results.slice(3 * p, 3 * p + 3);
      expect(base![4]).toBeUndefined();
      expect(refined![4]).toBe(base![3]); // the base image is gone once the refined one arrives
      expect(upscaled![4]).toBe(refined![3]);
      expect(size(run, `final-${p + 1}.png`)).toEqual([2 * SIZE, 2 * SIZE]);
    }
    const finished = matches(run, /^prompt (\d) finished: .*heap [\d.]+ MB; images this run keeps on the server: (\d+)$/);
    expect(finished.map((m) => [m[1], m[2]])).toEqual([
      ['1', '1'],
      ['2', '2'],
      ['3', '3'],
    ]);
    expect(run.stdout).toContain('done: 3 prompts streamed, 6 intermediates deleted');
  });

  it('listInputsAndDrift: lists inputs, saves the index map, reports the moved Seed and runs re-bound', async () => {
    const run = await runExample('listInputsAndDrift');
    expectSuccess(run);
    // data/README.md's table for sdxl_base.json.
    const expected = ['Positive Prompt', 'Negative Prompt', 'Seed', 'Steps', 'CFG Scale', 'Width', 'Height', 'Board', 'Model'];
    const listed = matches(run, /^ {2}\[(\d\d)\] ([^:]+) :: (\w+) /);
    expect(listed.slice(0, 9).map((m) => m[2])).toEqual(expected);
    expect(listed.slice(0, 9).map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // After the move: Seed sits after Height.
    expect(listed.slice(9).map((m) => m[2])).toEqual(['Positive Prompt', 'Negative Prompt', 'Steps', 'CFG Scale', 'Width', 'Height', 'Seed', 'Board', 'Model']);

    const map = JSON.parse(readFileSync(join(run.dir, 'sdxl_base.index-map.json'), 'utf8')) as {
      inputs: { index: number; fieldName: string; label: string }[];
    };
    expect(map.inputs.map((i) => [i.index, i.fieldName])).toEqual([
      [0, 'value'],
      [1, 'value'],
      [2, 'seed'],
      [3, 'steps'],
      [4, 'cfg_scale'],
      [5, 'width'],
      [6, 'height'],
      [7, 'board'],
      [8, 'model'],
    ]);

    expect(run.stdout).toMatch(/^ {2}moved: "Seed" 2 -> 6 /m);
    expect(matches(run, /^ {2}moved: "([^"]+)" (\d) -> (\d)/).map((m) => `${m[1]} ${m[2]}->${m[3]}`).sort()).toEqual(
      ['CFG Scale 4->3', 'Height 6->5', 'Seed 2->6', 'Steps 3->2', 'Width 5->4'].sort(),
    );
    expect(run.stdout).toMatch(/^ {2}unchanged: 0, 1, 7, 8$/m);
    expect(run.stdout).toMatch(/^generateBase refused the edited workflow: IndexDriftError: .*moved 2 -> 6 \("Seed"/m);
    expect(run.stdout).toMatch(/^re-bound: prompt=0 negative=1 seed=6 steps=2 cfg=3 width=4 height=5 board=7$/m);
    expect(size(run, 'edited-run.png')).toEqual([SIZE, SIZE]);
    expect(run.stdout).toMatch(/^server graph: noise\.seed = 42$/m);
  });

  it('quickStart: the guide\'s Quick Start in camelCase runs the refiner workflow and saves its image', async () => {
    const run = await runExample('quickStart');
    expectSuccess(run);
    // data/README.md's table for sdxl_with_refiner.json.
    expect(matches(run, /^\[(\d\d)\] (.+) :: (\w+)$/).map((m) => `${m[1]} ${m[2]} ${m[3]}`)).toEqual([
      '00 Positive Prompt string',
      '01 Negative Prompt string',
      '02 Seed integer',
      '03 Base Steps integer',
      '04 Refiner Steps integer',
      '05 Handoff float',
    ]);
    expect(run.stdout).toMatch(/^Final status: completed$/m);
    const outputs = matches(run, /^node=[0-9a-f-]{8} board=(\S+) images=(\[.*\])$/);
    expect(outputs).toHaveLength(1);
    const images = JSON.parse(outputs[0]![2]!) as string[];
    expect(images).toHaveLength(1);
    expect(run.stdout).toContain(`saved ${images[0]} from board "Uncategorized"`);
    // The workflow's own size: width and height are not in its form.
    expect(size(run, images[0]!)).toEqual([1024, 1024]);
  });
});

const COVERED = [
  'adaptiveRefinement',
  'batchRefine',
  'fullPipeline',
  'listInputsAndDrift',
  'multiDetail',
  'parallelVariations',
  'portraitWithFaces',
  'progressiveRefinement',
  'quickStart',
  'streamingPipeline',
];
