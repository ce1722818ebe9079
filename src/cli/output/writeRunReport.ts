import { decodePng, flattenToRgb } from '../../image/index.js';
import { contactSheetPng, type ContactSheetCell } from './contactSheet.js';
import { formatSeconds, indexHtml } from './indexHtml.js';
import type { OutputDir } from './OutputDir.js';
import type { ManifestChain, ManifestStage, RunManifest } from './runManifest.js';

export const MANIFEST_FILE = 'run.json';
export const CONTACT_SHEET_FILE = 'contact-sheet.png';
export const INDEX_FILE = 'index.html';

/** An image to put in the report: its manifest record and its PNG bytes. */
export interface ReportImage {
  variation: number;
  seed: number;
  record: ManifestStage;
  bytes: Uint8Array;
}

/** Groups saved stages into chains (by variation, in order), stages in the order they were saved. */
export function chainsOf(images: readonly ReportImage[], seeds: ReadonlyMap<number, number>): ManifestChain[] {
  const chains = new Map<number, ManifestChain>();
  for (const [variation, seed] of [...seeds].sort((a, b) => a[0] - b[0])) chains.set(variation, { variation, seed, stages: [] });
  for (const image of images) {
    const chain = chains.get(image.variation) ?? { variation: image.variation, seed: image.seed, stages: [] };
    chain.stages.push(image.record);
    chains.set(image.variation, chain);
  }
  return [...chains.values()].sort((a, b) => a.variation - b.variation);
}

/**
 * Writes `run.json`, `contact-sheet.png` (when there is at least one image) and `index.html` into
 * the output directory, and returns the manifest as written.
 */
export async function writeRunReport(out: OutputDir, manifest: Omit<RunManifest, 'files'>, images: readonly ReportImage[]): Promise<RunManifest> {
  const rows: ContactSheetCell[][] = manifest.chains.map((chain) =>
    chain.stages.flatMap((stage) => {
      const image = images.find((i) => i.record === stage);
      if (!image) return [];
      try {
        return [{ image: flattenToRgb(decodePng(image.bytes)), caption: [stage.key, `${formatSeconds(stage.timings.durationMs)} ${stage.width}x${stage.height}`] }];
      } catch {
        return []; // not a PNG: the file is still saved, it just has no thumbnail
      }
    }),
  );
  const hasImages = rows.some((r) => r.length > 0);
  const full: RunManifest = {
    ...manifest,
    files: { manifest: MANIFEST_FILE, contactSheet: hasImages ? CONTACT_SHEET_FILE : null, index: INDEX_FILE },
  };
  if (hasImages) await out.write(CONTACT_SHEET_FILE, contactSheetPng(rows.filter((r) => r.length > 0)));
  await out.write(MANIFEST_FILE, `${JSON.stringify(full, null, 2)}\n`);
  await out.write(INDEX_FILE, indexHtml(full));
  return full;
}
