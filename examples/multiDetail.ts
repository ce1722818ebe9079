/**
 * Multi-detail enhancement: on one portrait, a face pass, a fabric texture pass and a masked
 * background pass, each on the previous one's output (the reactive
 * `DetailEnhancer.multi_detail_enhancement`). The mask is drawn in code with fast-png: a white
 * rectangle over the subject on a black background. Which side gets repainted is the masked
 * workflow's convention (data/README.md: black = regenerate, white = keep).
 *
 *   npx tsx examples/multiDetail.ts
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/multiDetail.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { decode, encode } from 'fast-png';
import { concatMap, firstValueFrom, lastValueFrom, of, toArray } from 'rxjs';
import { generateBase, multiDetail, type DetailEnhancement } from 'invokeai-rx/operators';
import { imageSize, loadWorkflow, outputDir, runExample, saveFile, saveImage, short, shown } from './support.js';

/** A grey-scale PNG: black everywhere except a white rectangle over the middle of the image. */
function rectangleMask(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height); // black
  const [x0, x1] = [Math.round(width * 0.25), Math.round(width * 0.75)];
  const [y0, y1] = [Math.round(height * 0.15), Math.round(height * 0.95)];
  for (let y = y0; y < y1; y++) data.fill(255, y * width + x0, y * width + x1);
  return encode({ width, height, data, channels: 1, depth: 8 });
}

await runExample('multiDetail', async (connection) => {
  const { client } = connection;
  const out = outputDir('multiDetail');
  const size = imageSize(connection);

  const portrait = await firstValueFrom(
    of({ prompt: 'Portrait of a woman in a tweed jacket, city street background', width: size, height: size }).pipe(
      generateBase(client, { workflow: await loadWorkflow(client, 'sdxl_base') }),
    ),
  );
  const savedPortrait = await saveImage(client, portrait.imageName, out, '0-portrait.png');
  console.log(`portrait: ${short(portrait.imageName)} ${savedPortrait.width}x${savedPortrait.height} -> ${shown(savedPortrait.path)}`);

  // The mask must have the image's size; it is uploaded by enhanceRegion (and listed in `created`).
  const maskPath = saveFile(out, 'background_mask.png', rectangleMask(savedPortrait.width, savedPortrait.height));
  console.log(`mask: ${savedPortrait.width}x${savedPortrait.height}, white rectangle on black -> ${shown(maskPath)}`);

  const enhancements: DetailEnhancement[] = [
    { type: 'face', strength: 0.6 },
    { type: 'texture', texture_type: 'fabric' },
    { type: 'masked', mask: { path: maskPath }, prompt: 'detailed background, sharp focus', detail_level: 'high' },
  ];

  let n = 0;
  const steps = await lastValueFrom(
    of(portrait).pipe(
      multiDetail(client, enhancements, {
        faces: { workflow: await loadWorkflow(client, 'face_restore') },
        refiner: { workflow: await loadWorkflow(client, 'sdxl_refiner') },
        region: { workflow: await loadWorkflow(client, 'masked_refine'), readFile },
      }),
      concatMap(async (r) => {
        n += 1; // one result per enhancement, in order (a failed one re-emits its input)
        const type = enhancements[n - 1]!.type;
        const saved = await saveImage(client, r.imageName, out, `${n}-${type}.png`);
        const values = Object.entries(r.params)
          .filter(([k]) => k !== 'image' && k !== 'mask')
          .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
          .join(' ');
        const status = r.ok ? 'ok' : `failed, kept its input (${String(r.error)})`;
        console.log(`enhancement ${n} (${type}, ${r.stage}): ${status} ${short(r.imageName)} [${values}] -> ${shown(saved.path)}`);
        return r;
      }),
      toArray(),
    ),
  );

  // Where the masked pass painted: mean RGB change on each side of the mask.
  const [before, after] = [`${n - 1}-texture.png`, `${n}-masked.png`].map((f) => decode(readFileSync(join(out, f))));
  const mask = decode(readFileSync(maskPath));
  const change = { black: [0, 0], white: [0, 0] };
  for (let i = 0; i < mask.width * mask.height; i++) {
    const side = change[mask.data[i]! >= 128 ? 'white' : 'black'];
    for (let c = 0; c < 3; c++) side[0] += Math.abs(after!.data[i * after!.channels + c]! - before!.data[i * before!.channels + c]!);
    side[1] += 3;
  }
  const mean = (side: number[]) => (side[0]! / side[1]!).toFixed(2);
  console.log(`masked pass changed the black area by ${mean(change.black)} and the white area by ${mean(change.white)} (mean |ΔRGB|)`);

  const final = steps[steps.length - 1]!;
  console.log(`done: ${steps.length} enhancements; final ${short(final.imageName)}`);
  console.log(`lineage: ${[...final.lineage.chain, final.imageName].map(short).join(' -> ')}`);
});
