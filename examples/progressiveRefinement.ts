/**
 * Progressive refinement: one base image refined three times, each pass starting from the last,
 * with the decreasing strength schedule 0.5 → 0.3 → 0.15 (the reactive
 * `ProgressiveRefiner.progressive_refine`). Every pass is emitted, and saved, as it lands.
 *
 *   npx tsx examples/progressiveRefinement.ts
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/progressiveRefinement.ts
 */
import { concatMap, lastValueFrom, of, toArray } from 'rxjs';
import { DEFAULT_STRENGTH_SCHEDULE, generateBase, progressiveRefine } from 'invokeai-rx/operators';
import { imageSize, loadWorkflow, outputDir, runExample, saveImage, short, shown } from './support.js';

await runExample('progressiveRefinement', async (connection) => {
  const { client } = connection;
  const out = outputDir('progressiveRefinement');
  const size = imageSize(connection);
  const schedule = DEFAULT_STRENGTH_SCHEDULE; // [0.5, 0.3, 0.15]

  const base = generateBase(client, {
    workflow: await loadWorkflow(client, 'sdxl_base'),
    params: { steps: 25, width: size, height: size },
  });
  const passes = progressiveRefine(
    client,
    {
      workflow: await loadWorkflow(client, 'sdxl_refiner'),
      params: { prompt: 'Portrait of a warrior, detailed armor, sharp focus', steps: 10 },
      // A failed pass is reported and skipped; the next pass starts from the last good image.
      onError: 'skip',
      failures: (f) => console.log(`pass failed, skipping: ${String(f.error)}`),
    },
    schedule,
  );

  let pass = 0;
  const results = await lastValueFrom(
    of('Portrait of a warrior, detailed armor').pipe(
      base,
      concatMap(async (b) => {
        const saved = await saveImage(client, b.imageName, out, '0-base.png');
        console.log(`base: ${short(b.imageName)} ${saved.width}x${saved.height} -> ${shown(saved.path)}`);
        return b;
      }),
      passes,
      concatMap(async (r) => {
        pass += 1;
        const saved = await saveImage(client, r.imageName, out, `${pass}-pass.png`);
        console.log(
          `refinement pass ${pass}/${schedule.length} (strength: ${String(r.params['strength'])}): ` +
            `${short(r.input ?? '')} -> ${short(r.imageName)} ${saved.width}x${saved.height} -> ${shown(saved.path)}`,
        );
        return r;
      }),
      toArray(),
    ),
  );

  console.log(`done: ${results.length} refinement passes; refined images: ${results.map((r) => short(r.imageName)).join(', ')}`);
});
