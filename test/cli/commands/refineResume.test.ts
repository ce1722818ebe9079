import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanMain } from '../../../src/cli/commands/clean.js';
import { runCli } from '../../../src/cli/runCli.js';
import { InvokeAIClient } from '../../../src/index.js';
import { fakeIo } from '../fakeCliIo.js';
import { refineTestbed } from './support/refineTestbed.js';

const SMALL = ['--width', '64', '--height', '64', '--base-steps', '2', '--refine-steps', '2'];
const ENQUEUE = ['POST', '/api/v1/queue/{queue_id}/enqueue_batch'] as const;
const DOWNLOAD = ['GET', '/api/v1/images/i/{image_name}/full'] as const;

const bed = refineTestbed('refine-resume', (tmp) => writeFileSync(join(tmp, 'prompts.txt'), 'a red fox\na heron\n'));
const { freshDir, manifest } = bed;
const refine = (dir: string, ...more: string[]) => ['refine', '--prompts', join(bed.tmp, 'prompts.txt'), '--server', bed.emu.url, '--output-dir', dir, ...SMALL, ...more];

describe('refine --run-id', () => {
  it('without --run-id makes a new run id, prints it and records it in run.json', async () => {
    const dir = freshDir();
    const io = fakeIo(bed.tmp);
    expect(await runCli(refine(dir), io)).toBe(0);
    const m = manifest(dir);
    expect(m.runId).toMatch(/^refine-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(io.stdout()).toContain(`run: ${m.runId}`);
    // Every stage ran under it.
    expect(bed.emu.queue.items().filter((i) => i.destination === m.runId)).toHaveLength(4);
  });

  it('run again when complete: nothing is enqueued or downloaded, the files stay, the report is written again', async () => {
    const dir = freshDir();
    expect(await runCli(refine(dir, '--run-id', 'again-1'), fakeIo(bed.tmp))).toBe(0);
    const before = manifest(dir);
    const file = join(dir, before.chains[0]!.folder!, 'refined.png');
    const mtime = statSync(file).mtimeMs;
    bed.emu.stats.resetStats();
    const io = fakeIo(bed.tmp);
    expect(await runCli(refine(dir, '--run-id', 'again-1', '--concurrency', '1'), io)).toBe(0);
    expect(bed.emu.stats.requestCount(...ENQUEUE)).toBe(0);
    expect(bed.emu.stats.requestCount(...DOWNLOAD)).toBe(0);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(io.stdout()).toContain('resuming run again-1: 2 of 2 chains already complete, 4 saved images still valid');
    const after = manifest(dir);
    expect(after.status).toBe('completed');
    expect(after.parameters['seed']).toBe(before.parameters['seed']);
    expect(after.chains.map((c) => c.stages.map((s) => s.imageName))).toEqual(before.chains.map((c) => c.stages.map((s) => s.imageName)));
  });

  it('a file that no longer decodes is taken from the server again; the work is not enqueued again', async () => {
    const dir = freshDir();
    expect(await runCli(refine(dir, '--run-id', 'broken-1'), fakeIo(bed.tmp))).toBe(0);
    const m = manifest(dir);
    const file = join(dir, m.chains[1]!.folder!, 'base.png');
    const good = readFileSync(file);
    writeFileSync(file, good.subarray(0, 40)); // cut short, as by a killed process
    bed.emu.stats.resetStats();
    expect(await runCli(refine(dir, '--run-id', 'broken-1'), fakeIo(bed.tmp))).toBe(0);
    expect(bed.emu.stats.requestCount(...ENQUEUE)).toBe(0);
    // Only the broken file: the chain's other image is still valid and kept.
    expect(bed.emu.stats.requestCount(...DOWNLOAD)).toBe(1);
    expect(readFileSync(file).equals(good)).toBe(true);
  });

  it('refuses other values than the recorded run (exit 2), naming each difference; nothing is enqueued', async () => {
    const dir = freshDir();
    expect(await runCli(refine(dir, '--run-id', 'changed-1', '--seed', '5'), fakeIo(bed.tmp))).toBe(0);
    bed.emu.stats.resetStats();
    const io = fakeIo(bed.tmp);
    expect(await runCli(refine(dir, '--run-id', 'changed-1', '--seed', '6', '--refine-steps', '3'), io)).toBe(2);
    expect(io.stderr()).toContain('--run-id changed-1 names a run made with other values');
    expect(io.stderr()).toContain('seed: 5 recorded, 6 now');
    expect(io.stderr()).toContain('refine_steps: 2 recorded, 3 now');
    expect(bed.emu.stats.requestCount(...ENQUEUE)).toBe(0);

    writeFileSync(join(bed.tmp, 'changed.txt'), 'a red fox\na crane\n');
    const io2 = fakeIo(bed.tmp);
    const args = refine(dir, '--run-id', 'changed-1', '--seed', '5');
    args[2] = join(bed.tmp, 'changed.txt');
    expect(await runCli(args, io2)).toBe(2);
    expect(io2.stderr()).toContain('prompt 2: "a heron" recorded, "a crane" now');
    // Only how the run is carried out may change.
    expect(await runCli(refine(dir, '--run-id', 'changed-1', '--seed', '5', '--concurrency', '1', '--timeout', '600'), fakeIo(bed.tmp))).toBe(0);
  });

  it("refuses another run's directory, and a non-empty one without run.json", async () => {
    const dir = freshDir();
    expect(await runCli(refine(dir, '--run-id', 'mine-1'), fakeIo(bed.tmp))).toBe(0);
    const io = fakeIo(bed.tmp);
    expect(await runCli(refine(dir, '--run-id', 'theirs-1'), io)).toBe(2);
    expect(io.stderr()).toContain('holds run mine-1, not run theirs-1; pass --run-id mine-1 to resume it');
    const io2 = fakeIo(bed.tmp);
    expect(await runCli(refine(dir), io2)).toBe(2);
    expect(io2.stderr()).toContain('is not empty');
    expect(io2.stderr()).toContain('to resume the run recorded there, add --run-id mine-1');
    const plain = freshDir();
    mkdirSync(plain);
    writeFileSync(join(plain, 'notes.txt'), 'x');
    const io3 = fakeIo(bed.tmp);
    expect(await runCli(refine(plain, '--run-id', 'mine-1'), io3)).toBe(2);
    expect(io3.stderr()).toContain('has no readable run.json');
  });

  it('refuses a run id with other characters', async () => {
    const io = fakeIo(bed.tmp);
    expect(await runCli(refine(freshDir(), '--run-id', 'a b'), io)).toBe(2);
    expect(io.stderr()).toContain(`--run-id expects 1 to 128 letters, digits`);
  });
});

describe('clean --run-id', () => {
  it('cancels and deletes only the run, prints the summary, exit 0', async () => {
    const dir = freshDir();
    expect(await runCli(refine(dir, '--run-id', 'clean-1', '--upscale'), fakeIo(bed.tmp))).toBe(0);
    const otherDir = freshDir();
    expect(await runCli(refine(otherDir, '--run-id', 'clean-other'), fakeIo(bed.tmp))).toBe(0);
    const images = (d: string) => manifest(d).chains.flatMap((c) => c.stages.map((s) => s.imageName));
    const io = fakeIo(bed.tmp);
    expect(await runCli(['clean', '--run-id', 'clean-1', '--server', bed.emu.url, '--images', 'all'], io)).toBe(0);
    expect(io.stdout()).toBe(`run clean-1 on ${bed.emu.url}:\n  canceled:        0 queue items still pending or running\n  deleted images:  6\n  kept images:     0\n  failed deletes:  0\n`);
    for (const name of images(dir)) expect(bed.emu.images.hasImage(name)).toBe(false);
    for (const name of images(otherDir)) expect(bed.emu.images.hasImage(name)).toBe(true);
  });

  it('--images intermediates keeps the results of a run without intermediate images', async () => {
    const dir = freshDir();
    expect(await runCli(refine(dir, '--run-id', 'clean-2'), fakeIo(bed.tmp))).toBe(0);
    const io = fakeIo(bed.tmp);
    expect(await runCli(['clean', '--run-id', 'clean-2', '--server', bed.emu.url], io)).toBe(0);
    expect(io.stdout()).toContain('deleted images:  0\n  kept images:     4 (the results, not intermediate)');
  });

  it('exit 1 with what to do when some deletes failed', async () => {
    const dir = freshDir();
    expect(await runCli(refine(dir, '--run-id', 'clean-3'), fakeIo(bed.tmp))).toBe(0);
    // A server that deletes all but the first image it is asked to.
    const createClient = (url: string, options: object) => {
      const client = InvokeAIClient.fromUrl(url, options);
      const images = new Proxy(client.images, {
        get: (target, key) => (key === 'deleteMany' ? (names: string[]) => target.deleteMany(names.slice(1)) : Reflect.get(target, key)),
      });
      return new Proxy(client, { get: (target, key) => (key === 'images' ? images : Reflect.get(target, key)) });
    };
    const io = fakeIo(bed.tmp);
    expect(await cleanMain(['--run-id', 'clean-3', '--server', bed.emu.url, '--images', 'all'], io, { createClient })).toBe(1);
    expect(io.stdout()).toContain('failed deletes:  1\n');
    expect(io.stderr()).toMatch(/^invokeai-rx clean: 1 image of run clean-3 was not deleted \(.+\.png\): .*run the same command again/);
  });

  it('usage errors exit 2: no run id, no server, a bad --images', async () => {
    for (const [args, message] of [
      [['--server', bed.emu.url], '--run-id ID is required'],
      [['--run-id', 'x'], 'give the server the run used'],
      [['--run-id', 'x', '--server', bed.emu.url, '--images', 'some'], '--images expects intermediates, all or none'],
    ] as const) {
      const io = fakeIo(bed.tmp);
      expect(await cleanMain(args, io)).toBe(2);
      expect(io.stderr()).toContain(message);
    }
  });
});
