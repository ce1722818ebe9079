import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from 'fast-png';
import { afterEach, describe, expect, it } from 'vitest';
import { OutputDir } from '../../../src/cli/output/OutputDir.js';
import type { ManifestStage, RunManifest } from '../../../src/cli/output/runManifest.js';
import { chainsOf, writeRunReport, type ReportImage } from '../../../src/cli/output/writeRunReport.js';

/** The default thumbnail box of the contact sheet and the padding around it. */
const BOX = 192;
const PAD = 12;

/** A BOX×BOX RGB image whose pixels all differ from their neighbours: red = x, green = y, blue = `tag`. */
function source(tag: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(BOX * BOX * 3);
  for (let y = 0; y < BOX; y++) for (let x = 0; x < BOX; x++) data.set([x, y, tag], (y * BOX + x) * 3);
  return { width: BOX, height: BOX, data };
}

function stage(key: string, stageName: ManifestStage['stage']): ManifestStage {
  return {
    key,
    stage: stageName,
    file: `${key}.png`,
    imageName: `${key}-server.png`,
    item_id: 1,
    batch_id: 'b',
    board: null,
    input: null,
    params: {},
    timings: { enqueuedAt: 0, startedAt: 0, completedAt: 1000, durationMs: 1000 },
    width: BOX,
    height: BOX,
  };
}

describe('writeRunReport', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes a contact sheet whose tiles are the saved images, pixel for pixel', async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-'));
    const base = source(10);
    const refined = source(200);
    const images: ReportImage[] = [
      { variation: 1, seed: 7, record: stage('base', 'base'), bytes: encode({ ...base, channels: 3, depth: 8 }) },
      { variation: 1, seed: 7, record: stage('refined', 'refined'), bytes: encode({ ...refined, channels: 3, depth: 8 }) },
    ];
    const manifest: Omit<RunManifest, 'files'> = {
      tool: 'invokeai-rx',
      command: 'refine',
      status: 'completed',
      prompt: 'p',
      parameters: {},
      server: { url: 'http://127.0.0.1:1', embedded: true },
      startedAt: new Date(0).toISOString(),
      finishedAt: new Date(1000).toISOString(),
      durationMs: 1000,
      chains: chainsOf(images, new Map([[1, 7]])),
    };
    const written = await writeRunReport(await OutputDir.create(dir), manifest, images);
    expect(written.files.contactSheet).toBe('contact-sheet.png');

    const sheet = decode(readFileSync(join(dir, 'contact-sheet.png')));
    expect(sheet.channels).toBe(3);
    // Two tiles side by side; under them two caption lines (key; time and size) of 16 pixels.
    expect(sheet.width).toBe(PAD + 2 * (BOX + PAD));
    expect(sheet.height).toBe(PAD + BOX + PAD / 2 + 2 * 16 + PAD);
    const at = (x: number, y: number) => [...sheet.data.subarray((y * sheet.width + x) * 3, (y * sheet.width + x) * 3 + 3)];
    for (const [image, left] of [[base, PAD], [refined, PAD + BOX + PAD]] as const) {
      for (const [x, y] of [[0, 0], [BOX - 1, 0], [0, BOX - 1], [BOX - 1, BOX - 1], [77, 131]] as const) {
        expect(at(left + x, PAD + y), `tile at ${left}: ${x},${y}`).toEqual([x, y, image.data[(y * BOX + x) * 3 + 2]]);
      }
    }
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))).toEqual(written);
  });
});
