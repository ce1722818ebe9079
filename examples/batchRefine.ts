/**
 * Batch refinement: three base images (seeds 42, 123, 456) refined in parallel, at most three at a
 * time, each result emitted as soon as it is done (the reactive `ParallelRefiner.batch_refine`).
 * Results arrive in completion order; `result.input` says which base image each one refines.
 *
 *   npx tsx examples/batchRefine.ts
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/batchRefine.ts
 */
import { concatMap, from, lastValueFrom, toArray } from 'rxjs';
import { batchRefine, generateBase } from 'invokeai-rx/operators';
import { imageSize, loadWorkflow, outputDir, runExample, saveImage, short, shown } from './support.js';

const seeds = [42, 123, 456];

await runExample('batchRefine', async (connection) => {
  const { client } = connection;
  const out = outputDir('batchRefine');
  const size = imageSize(connection);

  // 1. The base images, one after another (generateBase keeps input order by default).
  const bases = await lastValueFrom(
    from(seeds.map((seed) => ({ prompt: 'Fantasy landscape', seed, width: size, height: size }))).pipe(
      generateBase(client, { workflow: await loadWorkflow(client, 'sdxl_base') }),
      concatMap(async (b) => {
        const seed = b.params['seed'] as number;
        const saved = await saveImage(client, b.imageName, out, `base-${seed}.png`);
        console.log(`base (seed ${seed}): ${short(b.imageName)} ${saved.width}x${saved.height} -> ${shown(saved.path)}`);
        return b;
      }),
      toArray(),
    ),
  );

  // 2. Refine them all, three at a time.
  const seedOf = new Map(bases.map((b) => [b.imageName, b.params['seed'] as number]));
  const refined = await lastValueFrom(
    batchRefine(
      client,
      { workflow: await loadWorkflow(client, 'sdxl_refiner'), params: { prompt: 'Fantasy landscape, ultra detailed, masterpiece', steps: 15 } },
      bases,
      { concurrency: 3 },
    ).pipe(
      concatMap(async (r) => {
        const seed = seedOf.get(r.input!)!;
        const saved = await saveImage(client, r.imageName, out, `refined-${seed}.png`);
        console.log(`refined (seed ${seed}): ${short(r.input!)} -> ${short(r.imageName)} ${saved.width}x${saved.height} -> ${shown(saved.path)}`);
        return r;
      }),
      toArray(),
    ),
  );

  console.log(`done: ${bases.length} base images, ${refined.filter((r) => r.ok).length} refined`);
});
