/**
 * Portrait pipeline: base portrait → refine → face enhancement (the reactive
 * `FaceRefiner.portrait_pipeline`). If face enhancement fails, the refined image is kept
 * (`onError: 'fallback'`), as the original returned the image unchanged.
 *
 *   npx tsx examples/portraitWithFaces.ts
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/portraitWithFaces.ts
 */
import { lastValueFrom, of, tap } from 'rxjs';
import { enhanceFaces, generateBase, refine } from 'invokeai-rx/operators';
import { imageSize, loadWorkflow, outputDir, runExample, saveImage, short, shown } from './support.js';

const prompt = 'Professional headshot of a business person, studio lighting';
const negative = 'cartoon, anime';
const faceStrength = 0.6;

await runExample('portraitWithFaces', async (connection) => {
  const { client } = connection;
  const out = outputDir('portraitWithFaces');
  const size = imageSize(connection);

  // Like the original's results dict: the image of each stage (a failed stage keeps its input).
  const results: Record<string, string> = {};
  const faces = await lastValueFrom(
    of({
      prompt: `${prompt}, portrait, face focus`,
      negative: `${negative}, bad face, distorted face`,
      steps: 35,
      cfg: 7.5,
      width: size,
      height: size,
    }).pipe(
      generateBase(client, { workflow: await loadWorkflow(client, 'sdxl_base') }),
      tap((r) => (results['base'] = r.imageName)),
      // The refiner gets the plain prompt, not the base's "portrait, face focus" additions.
      refine(client, {
        workflow: await loadWorkflow(client, 'sdxl_refiner'),
        params: { prompt, negative, steps: 15, strength: 0.3 },
        onError: 'fallback',
      }),
      tap((r) => (results['refined'] = r.imageName)),
      enhanceFaces(client, {
        workflow: await loadWorkflow(client, 'face_restore'),
        params: { strength: faceStrength },
        onError: 'fallback',
      }),
      tap((r) => (results['face_enhanced'] = r.imageName)),
    ),
  );

  for (const [stage, imageName] of Object.entries(results)) {
    const saved = await saveImage(client, imageName, out, `${stage}.png`);
    console.log(`saved ${stage}: ${short(imageName)} ${saved.width}x${saved.height} -> ${shown(saved.path)}`);
  }
  console.log(
    faces.ok
      ? `faces enhanced (strength ${String(faces.params['strength'])}) in queue item ${faces.item_id}`
      : `face enhancement failed, kept the refined image: ${String(faces.error)}`,
  );
});
