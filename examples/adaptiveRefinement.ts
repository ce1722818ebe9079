/**
 * Adaptive refinement: refine until a measured quality score reaches a threshold (at most five
 * passes); each pass's strength follows the remaining gap, `min(0.5, (threshold − score) · 0.8)`
 * (the reactive `ProgressiveRefiner.adaptive_refinement`). The score is real, not random: every
 * image is downloaded and scored from its sharpness and noise (`assessQuality`).
 *
 *   npx tsx examples/adaptiveRefinement.ts
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/adaptiveRefinement.ts
 *   THRESHOLD=0.9 npx tsx examples/adaptiveRefinement.ts
 */
import { concatMap, firstValueFrom, lastValueFrom, of, toArray } from 'rxjs';
import { adaptiveRefine, generateBase, imageQuality } from 'invokeai-rx/operators';
import { imageSize, loadWorkflow, outputDir, runExample, saveImage, short, shown } from './support.js';

const threshold = Number(process.env['THRESHOLD'] ?? 0.85);

await runExample('adaptiveRefinement', async (connection) => {
  const { client } = connection;
  const out = outputDir('adaptiveRefinement');
  const size = imageSize(connection);

  const base = await firstValueFrom(
    of('Portrait of a warrior, ultra detailed').pipe(
      generateBase(client, { workflow: await loadWorkflow(client, 'sdxl_base'), params: { steps: 25, width: size, height: size } }),
    ),
  );
  const savedBase = await saveImage(client, base.imageName, out, '0-base.png');
  console.log(`base: ${short(base.imageName)} ${savedBase.width}x${savedBase.height} -> ${shown(savedBase.path)}`);

  const steps = await lastValueFrom(
    of(base).pipe(
      adaptiveRefine(
        client,
        { workflow: await loadWorkflow(client, 'sdxl_refiner'), params: { steps: 12 } },
        { threshold, maxPasses: 5 },
      ),
      concatMap(async (step) => {
        // Pass 0 is the base image itself, re-emitted as it came; the passes are refine outputs.
        if (step.pass === 0 || step.stage !== 'refine') {
          console.log(`quality threshold met before any pass: quality ${step.quality.score.toFixed(4)}`);
          return step;
        }
        const saved = await saveImage(client, step.imageName, out, `${step.pass}-pass.png`);
        const strength = Number(step.params.strength);
        console.log(
          `pass ${step.pass}: quality ${step.quality.score.toFixed(4)} ` +
            `(sharpness ${step.quality.sharpness.toFixed(3)}, noise ${step.quality.noise.toFixed(3)}), ` +
            `applying strength ${strength.toFixed(4)} -> ${short(step.imageName)} -> ${shown(saved.path)}`,
        );
        return step;
      }),
      toArray(),
    ),
  );

  const final = steps.length ? steps[steps.length - 1]!.imageName : base.imageName;
  const finalQuality = await firstValueFrom(imageQuality(client, final));
  const met = finalQuality.score >= threshold;
  console.log(
    `done: ${steps.filter((s) => s.pass > 0).length} passes; final ${short(final)} quality ${finalQuality.score.toFixed(4)} ` +
      `(threshold ${threshold}: ${met ? 'met' : 'not met after the pass limit'})`,
  );
});
