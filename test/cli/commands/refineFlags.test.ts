import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { of, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { refineMain } from '../../../src/cli/commands/refine.js';
import { runCli } from '../../../src/cli/runCli.js';
import { DEFAULT_MODELS } from '../../../src/emulator/defaultModels.js';
import { AuthError } from '../../../src/errors/AuthError.js';
import { assessQuality } from '../../../src/quality/assessQuality.js';
import type { RunEvent } from '../../../src/run/types.js';
import type { ModelConfig } from '../../../src/schemas/model.js';
import type { Workflow } from '../../../src/workflow/Workflow.js';
import { fakeClient, fakeQueueItem } from '../../support/fakeClient.js';
import { fakeIo } from '../fakeCliIo.js';
import { TABLE_6_14 } from '../../support/fieldTable.js';
import { SMALL, lines, refineTestbed } from './support/refineTestbed.js';

const bed = refineTestbed('refine-flags');
const { freshDir, manifest } = bed;
const models = () => DEFAULT_MODELS.map((m) => ({ key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type }) as ModelConfig);

describe('refine honours every flag or refuses it', () => {
  it('--passes 2 --refine-strength 0.9: the first pass has 0.9, the schedule scaled with it', async () => {
    const out = freshDir();
    const io = fakeIo(bed.tmp);
    const code = await runCli(['refine', 'a fox', '--passes', '2', '--refine-strength', '0.9', '--server', bed.emu.url, '--output-dir', out, ...SMALL], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    // The default schedule 0.5, 0.3 scaled by 0.9 / 0.5.
    const m = manifest(out);
    expect(m.chains[0]!.stages.slice(1).map((s) => s.params['strength'])).toEqual([0.9, 0.54]);
    expect(m.parameters['pass_strengths']).toEqual([0.9, 0.54]);
  });

  it('flags that would change nothing are refused (exit 2), nothing enqueued or written', async () => {
    for (const [argv, message] of [
      [['--upscale-factor', '4'], '--upscale-factor has no effect without --upscale; add --upscale or drop --upscale-factor'],
      [['--face-strength', '0.4'], '--face-strength has no effect without --enhance-face; add --enhance-face or drop --face-strength'],
    ] as const) {
      const before = bed.emu.queue.items().length;
      const out = freshDir();
      const io = fakeIo(bed.tmp);
      expect(await runCli(['refine', 'a fox', ...argv, '--server', bed.emu.url, '--output-dir', out], io)).toBe(2);
      expect(lines(io.stderr())[0]).toBe(`invokeai-rx refine: ${message}`);
      expect(bed.emu.queue.items().length).toBe(before);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('an output directory with another run\'s files, or a file, is refused before anything runs', async () => {
    const used = freshDir();
    mkdirSync(used);
    writeFileSync(join(used, 'upscaled.png'), 'from the first run');
    writeFileSync(join(bed.tmp, 'plain-file'), 'x');
    for (const [dir, message] of [
      [used, /^--output-dir .* is not empty \(1 entry, e\.g\. upscaled\.png\); pass a new or empty directory/],
      ['plain-file', /^--output-dir plain-file is an existing file; pass a new or empty directory$/],
    ] as const) {
      const before = bed.emu.queue.items().length;
      const io = fakeIo(bed.tmp);
      expect(await runCli(['refine', 'a fox', '--server', bed.emu.url, '--output-dir', dir], io)).toBe(2);
      const err = lines(io.stderr());
      expect(err).toHaveLength(1);
      expect(err[0]!.replace('invokeai-rx refine: ', '')).toMatch(message);
      expect(bed.emu.queue.items().length).toBe(before);
    }
    expect(readdirSync(used)).toEqual(['upscaled.png']);
  });

  it('an invalid --server is a usage error before the output directory is created', async () => {
    for (const server of ['127.0.0.1:9090', 'ftp://example.org/']) {
      const out = freshDir();
      const io = fakeIo(bed.tmp);
      expect(await runCli(['refine', 'a fox', '--server', server, '--output-dir', out], io)).toBe(2);
      expect(lines(io.stderr())[0]).toMatch(new RegExp(`^invokeai-rx refine: --server expects an http:// or https:// URL or 'embedded', got '${server.replace(/[.*/]/g, '\\$&')}'`));
      expect(existsSync(out)).toBe(false);
    }
    const out = freshDir();
    const io = { ...fakeIo(bed.tmp), env: { INVOKEAI_URL: 'localhost:9090' } };
    expect(await runCli(['refine', 'a fox', '--output-dir', out], io)).toBe(2);
    expect(lines(io.stderr())).toEqual(["invokeai-rx refine: INVOKEAI_URL expects an http:// or https:// URL or 'embedded', got 'localhost:9090' (did you mean http://localhost:9090?)"]);
    expect(existsSync(out)).toBe(false);
  });

  it('a refused token is explained with --token / INVOKEAI_TOKEN', async () => {
    const client = fakeClient({
      models: { list: () => throwError(() => new AuthError({ method: 'GET', url: 'http://fake.invalid:9090/api/v2/models/', status: 401, hadToken: false })) },
    });
    const io = fakeIo(bed.tmp);
    const code = await refineMain(['a fox', '--server', 'http://fake.invalid:9090', '--output-dir', freshDir()], io, { createClient: () => client });
    expect(code).toBe(1);
    // (the server as the fake client's config names it)
    expect(lines(io.stderr())).toEqual([
      `invokeai-rx refine: the server at ${client.config.origin} runs in multi-user mode and requires a token (401); log in and pass it with --token or INVOKEAI_TOKEN`,
    ]);
  });
});

describe('refine --adaptive', () => {
  /** Images of known quality: a checkerboard of `block`-pixel squares, ±`contrast` around grey. */
  function board(block: number, contrast: number): Uint8Array {
    const w = 64;
    const data = new Uint8Array(w * w * 3);
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) data.fill((Math.floor(x / block) + Math.floor(y / block)) % 2 ? 128 + contrast : 128 - contrast, (y * w + x) * 3, (y * w + x) * 3 + 3);
    }
    return encode({ width: w, height: w, data, channels: 3, depth: 8 });
  }
  // img-0 is the base, img-1..5 the passes, img-6 the upscale. Pass 1 scores best, pass 5 worst.
  const images = [board(8, 10), board(8, 40), board(4, 60), board(8, 100), board(2, 100), board(64, 0), board(8, 10)];
  const score = images.map((b) => assessQuality(b).score);

  function fakes() {
    let call = 0;
    const client = fakeClient({
      models: { list: () => of(models()) },
      // The server's own invocation schemas: InvokeAI 6.14's, as the emulator serves them.
      app: { fieldTable: () => of(TABLE_6_14) },
      images: { download: (name: string) => of(images[Number(/^img-(\d+)\.png$/.exec(name)![1])]!) },
    });
    const run = (_c: unknown, workflow: Workflow): Observable<RunEvent> => {
      const item_id = ++call;
      const imageName = `img-${item_id - 1}.png`;
      return of<RunEvent[]>(
        { type: 'enqueued', batch_id: `b${item_id}`, item_ids: [item_id], at: 0 },
        {
          type: 'completed',
          item_id,
          result: {
            item: fakeQueueItem({ item_id, batch_id: `b${item_id}`, status: 'completed' }),
            outputs: [{ nodeId: workflow.inputs[0]!.nodeId, nodeType: 'l2i', isIntermediate: false, imageNames: [imageName], boardId: null, boardInputIndex: null }],
            images: [imageName],
            timings: { enqueuedAt: 0, startedAt: 1, completedAt: 2 },
          },
        },
      );
    };
    return { client, run };
  }

  it('prints every score, says the threshold was not met, and keeps the best-scoring pass (not the last) for the next stage', async () => {
    expect(Math.max(...score.slice(0, 6))).toBe(score[1]); // the fixture: pass 1 is best …
    expect(score[5]).toBeLessThan(score[1]!); // … and the last pass is worse
    const { client, run } = fakes();
    const out = freshDir();
    const io = fakeIo(bed.tmp);
    const code = await refineMain(['a fox', '--adaptive', '0.95', '--refine-strength', '0.2', '--upscale', '--server', 'http://fake.invalid:9090', '--output-dir', out], io, {
      createClient: () => client,
      runWorkflow: run,
    });
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const f = (x: number) => x.toFixed(2);
    const stdout = lines(io.stdout());
    // Each pass: the score it started from and the strength that gave (at most --refine-strength).
    for (let p = 1; p <= 5; p++) {
      const strength = Math.min(0.2, (0.95 - score[p - 1]!) * 0.8);
      expect(stdout).toContain(`refined-pass-${p}: started from quality ${f(score[p - 1]!)}, strength ${f(strength)}`);
    }
    const scores = [0, 1, 2, 3, 4, 5].map((p) => `${p === 0 ? 'base' : `pass ${p}`} ${f(score[p]!)}`).join(', ');
    expect(stdout).toContain(`refined: scores ${scores}; threshold 0.95 not met after 5 passes; kept pass 1 (${f(score[1]!)})`);

    const stages = manifest(out).chains[0]!.stages;
    expect(stages.map((s) => s.key)).toEqual(['base', 'refined-pass-1', 'refined-pass-2', 'refined-pass-3', 'refined-pass-4', 'refined-pass-5', 'upscaled']);
    expect(stages.slice(1, 6).map((s) => s.score)).toEqual(score.slice(1, 6));
    expect(stages.filter((s) => s.kept).map((s) => s.key)).toEqual(['refined-pass-1']);
    // The upscaler got the kept image, not the last pass's.
    expect(stages[6]!.input).toBe('img-1.png');
    expect(stages[1]!.params['strength']).toBe(0.2);
  });

  it('without --upscale, face enhancement continues from the kept pass', async () => {
    const { client, run } = fakes();
    const out = freshDir();
    const io = fakeIo(bed.tmp);
    const code = await refineMain(['a fox', '--adaptive', '0.95', '--enhance-face', '--server', 'http://fake.invalid:9090', '--output-dir', out], io, {
      createClient: () => client,
      runWorkflow: run,
    });
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const stages = manifest(out).chains[0]!.stages;
    expect(stages.at(-1)).toMatchObject({ key: 'face_enhanced', input: 'img-1.png' });
  });

  it('says when the threshold is met and which pass was kept (--json event too)', async () => {
    const { client, run } = fakes();
    const out = freshDir();
    const io = fakeIo(bed.tmp);
    const code = await refineMain(['a fox', '--adaptive', '0.7', '--json', '--server', 'http://fake.invalid:9090', '--output-dir', out], io, {
      createClient: () => client,
      runWorkflow: run,
    });
    expect(code).toBe(0);
    expect(io.stderr()).toContain(`refined: scores base ${score[0]!.toFixed(2)}, pass 1 ${score[1]!.toFixed(2)}; threshold 0.7 met; kept pass 1 (${score[1]!.toFixed(2)})`);
    const events = lines(io.stdout()).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e['event'] === 'adaptive')).toEqual([
      {
        event: 'adaptive',
        key: 'refined',
        variation: 1,
        threshold: 0.7,
        met: true,
        kept_pass: 1,
        kept_key: 'refined-pass-1',
        scores: [
          { pass: 0, key: 'base', score: score[0] },
          { pass: 1, key: 'refined-pass-1', score: score[1] },
        ],
      },
    ]);
  });
});
