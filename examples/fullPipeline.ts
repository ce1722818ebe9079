/**
 * Full pipeline: base → refine → upscale → faces, one prompt in, every stage's image out as soon
 * as it lands (the reactive `MultiStageRefiner.full_pipeline`). Each image is saved as a PNG.
 *
 *   npx tsx examples/fullPipeline.ts                                      # embedded emulator
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/fullPipeline.ts   # a real InvokeAI
 */
import { concatMap, filter, firstValueFrom, lastValueFrom, of, toArray } from 'rxjs';
import { fullPipeline, type StageName } from 'invokeai-rx/operators';
import { imageSize, loadWorkflow, outputDir, runExample, saveImage, short, shown } from './support.js';

const FILE_NAMES: Record<StageName, string> = {
  generateBase: '1-base.png',
  refine: '2-refined.png',
  upscale: '3-upscaled.png',
  enhanceFaces: '4-faces.png',
  enhanceRegion: '5-region.png',
};

await runExample('fullPipeline', async (connection) => {
  const { client } = connection;
  const out = outputDir('fullPipeline');
  const size = imageSize(connection);

  // Step progress comes from the server's socket events, independently of the pipeline.
  const progress = client.events
    .on('invocation_progress')
    .pipe(filter((e) => e.percentage === 1))
    .subscribe((e) => console.log(`  … item ${e.item_id}: ${e.invocation.type} ${e.message}`));

  const pipeline = fullPipeline(client, {
    base: { workflow: await loadWorkflow(client, 'sdxl_base'), params: { width: size, height: size }, board: 'base_stage' },
    refiner: { workflow: await loadWorkflow(client, 'sdxl_refiner'), board: 'refined_stage' },
    upscaler: { workflow: await loadWorkflow(client, 'esrgan_upscale'), board: 'upscaled_stage' },
    faces: { workflow: await loadWorkflow(client, 'face_restore'), board: 'face_enhanced' },
    negative: 'blurry, low quality',
    seed: 42,
    baseSteps: 30,
    refinerSteps: 15,
    refinerStrength: 0.3,
    upscaleFactor: 2,
    faceStrength: 0.5,
  });

  const stages = await lastValueFrom(
    of('A majestic castle on a mountain, fantasy art, highly detailed').pipe(
      pipeline,
      // Saved one after another, in the order the stages land.
      concatMap(async (r) => {
        const saved = await saveImage(client, r.imageName, out, FILE_NAMES[r.stage]);
        const status = r.ok ? 'ok' : `kept its input (${String(r.error)})`;
        console.log(`stage ${r.stage}: ${short(r.imageName)} ${saved.width}x${saved.height} ${status} -> ${shown(saved.path)}`);
        return r;
      }),
      toArray(), // only for the summary below
    ),
  );
  progress.unsubscribe();

  // Where each stage's image went: the board ids of the results, named by the server.
  const boards = new Map((await firstValueFrom(client.boards.listAll())).map((b) => [b.board_id, b.board_name]));
  console.log(`boards: ${stages.map((r) => `${r.stage}=${r.board === null ? 'none' : boards.get(r.board)}`).join(' ')}`);
  const last = stages[stages.length - 1]!;
  console.log(`done: ${stages.length} stages; final image ${short(last.imageName)}`);
  console.log(`lineage: ${[...last.lineage.chain, last.imageName].map(short).join(' -> ')}`);
});
