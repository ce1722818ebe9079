/**
 * Parallel variations: several prompts generated at once, at most two at a time, each result
 * emitted as soon as it is done — in completion order, not input order (the reactive
 * `ParallelRefiner.parallel_variations`, with `mergeMap` concurrency instead of a thread pool).
 *
 *   npx tsx examples/parallelVariations.ts
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/parallelVariations.ts
 */
import { concatMap, lastValueFrom, toArray } from 'rxjs';
import { variations } from 'invokeai-rx/operators';
import { imageSize, loadWorkflow, outputDir, runExample, saveImage, short, shown } from './support.js';

const prompts = [
  'Fantasy landscape, morning light',
  'Fantasy landscape, sunset',
  'Fantasy landscape, night time',
  'Fantasy landscape, thunderstorm',
];
const concurrency = 2;

await runExample('parallelVariations', async (connection) => {
  const { client } = connection;
  const out = outputDir('parallelVariations');
  const size = imageSize(connection);
  const workflow = await loadWorkflow(client, 'sdxl_base');

  let done = 0;
  const results = await lastValueFrom(
    variations(
      client,
      { workflow, params: { seed: 42, steps: 20, width: size, height: size } },
      prompts,
      { concurrency },
    ).pipe(
      concatMap(async (r) => {
        done += 1;
        const n = prompts.indexOf(r.lineage.prompt!) + 1;
        const saved = await saveImage(client, r.imageName, out, `variation-${n}.png`);
        console.log(
          `variation ${done}/${prompts.length} done: prompt ${n} "${r.lineage.prompt}" -> ${short(r.imageName)} ` +
            `${saved.width}x${saved.height} (queue item ${r.item_id}) -> ${shown(saved.path)}`,
        );
        return r;
      }),
      toArray(),
    ),
  );

  // The limit is visible in the timings: no more than `concurrency` items were ever queued at once.
  const events = results.flatMap((r) => [
    { at: r.timings.enqueuedAt, d: +1 },
    { at: r.timings.completedAt, d: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.d - b.d);
  let inFlight = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (inFlight += e.d));
  console.log(`done: ${results.length} variations, at most ${most} in flight (limit ${concurrency})`);
});
