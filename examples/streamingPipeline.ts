/**
 * Streaming pipeline: an open-ended stream of prompts, each run base → refine → upscale, with
 * every intermediate image deleted on the server as soon as the next stage's result arrives
 * (the reactive `EfficientRefiner.streaming_pipeline`). Prompts are produced on demand — the next
 * one when the previous chain is finished — so nothing piles up however long it runs. After each
 * prompt it prints the process's heap and how many images the run still keeps on the server.
 *
 *   npx tsx examples/streamingPipeline.ts               # 4 prompts
 *   PROMPTS=0 npx tsx examples/streamingPipeline.ts     # runs until Ctrl-C (which cancels the queued work)
 *   RUN_ID=nightly npx tsx examples/streamingPipeline.ts  # durable: run it again to resume
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/streamingPipeline.ts
 */
import { BehaviorSubject, concatMap, firstValueFrom, identity, map, take } from 'rxjs';
import { cancelOnExit, isHttpError, type InvokeAIClient } from 'invokeai-rx';
import { streamingPipeline } from 'invokeai-rx/operators';
import { imageSize, loadWorkflow, outputDir, runExample, saveImage, short, shown } from './support.js';

const topics = ['Mountain landscape', 'Ocean sunset', 'Forest path'];
const limit = Number(process.env['PROMPTS'] ?? 4); // 0 = unbounded
const boardName = 'invokeai-rx streaming example';
const runId = process.env['RUN_ID'] || undefined;

/** Whether the server still has an image (a deleted one answers 404). */
async function exists(client: InvokeAIClient, imageName: string): Promise<boolean> {
  try {
    await firstValueFrom(client.images.get(imageName));
    return true;
  } catch (error) {
    if (isHttpError(error) && error.status === 404) return false;
    throw error;
  }
}

/** cleanup deletes in the background once a result is out: wait (briefly) until the image is gone. */
async function deletedWithin(client: InvokeAIClient, imageName: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (await exists(client, imageName)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

await runExample('streamingPipeline', async (connection) => {
  const { client } = connection;
  const out = outputDir('streamingPipeline');
  const size = imageSize(connection);
  const board = await firstValueFrom(client.boards.findOrCreate(boardName));
  const before = (await firstValueFrom(client.boards.imageNames(board.board_id))).length;

  // Pull-based source: prompt n+1 is emitted only when chain n has delivered its last stage.
  const next = new BehaviorSubject(0);
  const prompts$ = next.pipe(
    map((n) => `${topics[n % topics.length]} #${n + 1}`),
    limit > 0 ? take(limit) : identity,
  );

  let finished = 0;
  const deleted = new Set<string>();
  const pipeline$ = prompts$.pipe(
    streamingPipeline(client, {
      base: { workflow: await loadWorkflow(client, 'sdxl_base'), params: { steps: 20, width: size, height: size }, board: boardName },
      refiner: { workflow: await loadWorkflow(client, 'sdxl_refiner'), params: { steps: 15 }, board: boardName },
      upscaler: { workflow: await loadWorkflow(client, 'esrgan_upscale'), params: { scale: 2 }, board: boardName },
    }, { runId }),
    concatMap(async (r) => {
      // cleanup hands the result on first and deletes the ancestors it created right behind it.
      const gone: string[] = [];
      for (const name of r.created.filter((n) => !deleted.has(n))) {
        if (!(await deletedWithin(client, name, 15_000))) throw new Error(`intermediate ${name} of ${r.imageName} was not deleted`);
        deleted.add(name);
        gone.push(short(name));
      }
      const deletions = gone.length ? `; deleted intermediate ${gone.join(', ')} (404 on the server)` : '';
      console.log(`[${r.lineage.prompt}] ${r.stage}: ${short(r.imageName)}${deletions}`);

      if (r.stage === 'upscale') {
        finished += 1;
        const saved = await saveImage(client, r.imageName, out, `final-${finished}.png`);
        const kept = (await firstValueFrom(client.boards.imageNames(board.board_id))).length - before;
        const heap = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(1);
        console.log(
          `prompt ${finished} finished: ${saved.width}x${saved.height} -> ${shown(saved.path)}; ` +
            `heap ${heap} MB; images this run keeps on the server: ${kept}`,
        );
        next.next(finished); // ask for the next prompt
      }
      return r;
    }),
  );
  // Ctrl-C / SIGTERM: unsubscribe (the server's queued work is canceled), then exit 130 / 143.
  await new Promise<void>((resolve, reject) => {
    const subscription = pipeline$.subscribe({ error: reject, complete: resolve });
    const release = cancelOnExit(subscription);
    subscription.add(release);
  });

  console.log(`done: ${finished} prompts streamed, ${deleted.size} intermediates deleted`);
});
