import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { refineMain } from '../../../src/cli/commands/refine.js';
import { runCli } from '../../../src/cli/runCli.js';
import { fakeIo } from '../fakeCliIo.js';
import { SMALL, lines, refineTestbed } from './support/refineTestbed.js';

const bed = refineTestbed('refine-batch');
const { freshDir, manifest } = bed;
const withStdin = (text: string) => ({ ...fakeIo(bed.tmp), stdin: async () => text });

describe('refine --prompts', () => {
  it('runs every prompt of a text / JSON Lines file into its own folder, with one report covering all', async () => {
    const file = join(bed.tmp, 'prompts.txt');
    writeFileSync(
      file,
      [
        '# prompts for the test',
        'a red fox',
        '',
        '{"prompt": "a blue whale", "seed": 7, "refineStrength": 0.5, "upscale": true, "upscaleFactor": 3}',
        '   # an indented comment',
        '{"prompt": "Été à Paris!", "negative": "fog", "refineSteps": 4}',
      ].join('\n'),
    );
    const out = freshDir();
    const io = fakeIo(bed.tmp);
    const code = await runCli(['refine', '--prompts', file, '--seed', '100', '--server', bed.emu.url, '--output-dir', out, ...SMALL], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['001-a-red-fox', '002-a-blue-whale', '003-t-paris', 'contact-sheet.png', 'index.html', 'run.json']);
    expect(readdirSync(join(out, '001-a-red-fox')).sort()).toEqual(['base.png', 'refined.png']);
    expect(readdirSync(join(out, '002-a-blue-whale')).sort()).toEqual(['base.png', 'refined.png', 'upscaled.png']);
    const whale = (f: string) => decode(readFileSync(join(out, '002-a-blue-whale', f)));
    expect(whale('upscaled.png').width).toBe(3 * whale('refined.png').width);

    const m = manifest(out);
    expect(m.prompt).toBeNull();
    expect(m.prompts!.map((p) => [p.index, p.prompt, p.folder, p.seed])).toEqual([
      [1, 'a red fox', '001-a-red-fox', 100],
      [2, 'a blue whale', '002-a-blue-whale', 7],
      [3, 'Été à Paris!', '003-t-paris', 100],
    ]);
    const [fox, whaleChain, paris] = m.chains;
    expect(fox!.stages.map((s) => s.file)).toEqual(['001-a-red-fox/base.png', '001-a-red-fox/refined.png']);
    expect(fox!.stages[0]!.params).toMatchObject({ prompt: 'a red fox', seed: 100 });
    expect(fox!.stages[1]!.params['strength']).toBe(0.3);
    expect(whaleChain!.stages[0]!.params['seed']).toBe(7);
    expect(whaleChain!.stages[1]!.params['strength']).toBe(0.5);
    expect(whaleChain!.stages[2]!.params['scale']).toBe(3);
    expect(paris!.stages[0]!.params).toMatchObject({ prompt: 'Été à Paris!', negative: 'fog' });
    expect(paris!.stages[1]!.params).toMatchObject({ steps: 4, negative: 'fog' });
    // One contact sheet row per prompt, one index covering all.
    expect(decode(readFileSync(join(out, 'contact-sheet.png'))).height).toBeGreaterThan(3 * 192);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('src="002-a-blue-whale/upscaled.png"');
    expect(io.stdout()).toContain('002/upscaled: done');
  });

  it("--prompts - and 'refine -' read the prompts from stdin", async () => {
    for (const argv of [['--prompts', '-'], ['-']]) {
      const out = freshDir();
      const io = withStdin('a cat\na dog\n');
      const code = await refineMain([...argv, '--server', bed.emu.url, '--output-dir', out, ...SMALL], io);
      expect(io.stderr()).toBe('');
      expect(code).toBe(0);
      expect(manifest(out).prompts!.map((p) => p.prompt)).toEqual(['a cat', 'a dog']);
    }
  });

  it("'refine @FILE' reads the prompt file", async () => {
    writeFileSync(join(bed.tmp, 'one.txt'), 'a lighthouse\n');
    const out = freshDir();
    const io = fakeIo(bed.tmp);
    expect(await runCli(['refine', '@one.txt', '--server', bed.emu.url, '--output-dir', out, ...SMALL], io)).toBe(0);
    expect(manifest(out).prompts!.map((p) => p.folder)).toEqual(['001-a-lighthouse']);
  });

  it('a bad line is a usage error naming its line number; nothing is enqueued or written', async () => {
    const cases: [string, RegExp][] = [
      ['a fox\n{"prompt": "x", "refineStrenght": 0.5}\n', /^invokeai-rx refine: stdin line 2: unknown key "refineStrenght"; allowed: prompt, negative, seed, /],
      ['a fox\n\n{"prompt": "x", "seed": -4}\n', /^invokeai-rx refine: stdin line 3: "seed": /],
      ['{"prompt": "x"\n', /^invokeai-rx refine: stdin line 1: not valid JSON/],
      ['{"prompt": ""}\n', /^invokeai-rx refine: stdin line 1: "prompt": /],
      ['{"prompt": "x", "passes": 2, "adaptive": 0.5}\n', /^invokeai-rx refine: stdin line 1: "passes" and "adaptive" exclude each other$/],
      ['{"prompt": "x", "upscaleFactor": 4}\n', /^invokeai-rx refine: stdin line 1: "upscaleFactor" has no effect without "upscale": true/],
      ['# only comments\n\n', /^invokeai-rx refine: stdin has no prompts/],
    ];
    for (const [text, message] of cases) {
      const before = bed.emu.queue.items().length;
      const out = freshDir();
      const io = withStdin(text);
      const code = await refineMain(['--prompts', '-', '--server', bed.emu.url, '--output-dir', out], io);
      expect(code).toBe(2);
      expect(lines(io.stderr())).toEqual([expect.stringMatching(message)]);
      expect(bed.emu.queue.items().length).toBe(before);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('a PROMPT together with --prompts is a usage error', async () => {
    const io = fakeIo(bed.tmp);
    expect(await runCli(['refine', 'a fox', '--prompts', 'x.txt'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^invokeai-rx refine: give either a PROMPT or --prompts FILE, not both\n/);
  });
});

describe('refine --json', () => {
  it('prints only JSON Lines events on stdout: start, progress, results, summary; progress for humans on stderr', async () => {
    const out = freshDir();
    const io = withStdin('a fox\n{"prompt": "a hare", "upscale": true}\n');
    const code = await refineMain(['--prompts', '-', '--json', '--variations', '2', '--seed', '5', '--server', bed.emu.url, '--output-dir', out, ...SMALL], io);
    expect(code).toBe(0);
    const events = lines(io.stdout()).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ event: 'start', server: bed.emu.url, embedded: false, output: out, seed: 5, prompts: 2, chains: 4 });
    expect(events.at(-1)).toMatchObject({ event: 'summary', status: 'completed', exit_code: 0, images: 10, output: out, manifest: join(out, 'run.json') });
    const results = events.filter((e) => e['event'] === 'result');
    // 2 prompts × 2 variations × (base + refined) + the hare's 2 upscales
    expect(results).toHaveLength(10);
    for (const r of results) expect(existsSync(r['path'] as string)).toBe(true);
    expect(results.filter((r) => r['stage'] === 'base').map((r) => [r['prompt'], r['variation'], r['seed']]).sort()).toEqual([
      [1, 1, 5],
      [1, 2, 6],
      [2, 1, 5],
      [2, 2, 6],
    ]);
    const started = events.filter((e) => e['event'] === 'progress' && e['state'] === 'started');
    expect(started.length).toBe(10);
    // Every result's item id was announced as enqueued first.
    const enqueued = new Set(events.filter((e) => e['state'] === 'enqueued').flatMap((e) => e['item_ids'] as number[]));
    for (const r of results) expect(enqueued.has(r['item_id'] as number)).toBe(true);
    expect(io.stderr()).toContain('002/upscaled-2: done');
    expect(io.stderr()).toContain('saved 10 images');
  });

  it('a failed chain is a "failed" event and a summary with exit code 3 (finished with failures)', async () => {
    bed.emu.faults.failNode('spandrel_image_to_image_autoscale', { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory' });
    try {
      const out = freshDir();
      const io = fakeIo(bed.tmp);
      const code = await runCli(['refine', 'a fox', '--upscale', '--json', '--server', bed.emu.url, '--output-dir', out, ...SMALL], io);
      expect(code).toBe(3);
      const events = lines(io.stdout()).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(events.at(-2)).toMatchObject({ event: 'failed', chain: expect.stringMatching(/^variation 1 \(seed \d+\)$/), key: 'upscaled', error_type: 'OutOfMemoryError' });
      expect(events.at(-1)).toMatchObject({ event: 'summary', status: 'finished_with_failures', exit_code: 3, images: 2 });
    } finally {
      bed.emu.faults.clear();
    }
  });

  it('a refusal is a "failed" event with the one-line message and a summary with exit code 2', async () => {
    const out = freshDir();
    mkdirSync(out);
    writeFileSync(join(out, 'upscaled.png'), 'old');
    const io = fakeIo(bed.tmp);
    const code = await runCli(['refine', 'a fox', '--json', '--server', bed.emu.url, '--output-dir', out], io);
    expect(code).toBe(2);
    const events = lines(io.stdout()).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toEqual([
      { event: 'failed', name: 'UsageError', message: expect.stringMatching(/^--output-dir .* is not empty \(1 entry, e\.g\. upscaled\.png\)/) },
      expect.objectContaining({ event: 'summary', status: 'refused', exit_code: 2, images: 0, output: null }),
    ]);
    expect(lines(io.stderr())).toEqual([`invokeai-rx refine: ${events[0]!['message']}`]);
    expect(readdirSync(out)).toEqual(['upscaled.png']);
  });
});
