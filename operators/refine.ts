import type { OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { SDXL_REFINER_BINDING, type RefineBinding } from './bindings.js';
import { imageRequest, type ImageItem } from './internal/stage/imageRequest.js';
import { runStage } from './internal/stage/runStage.js';
import type { StageConfig } from './internal/stage/stageConfig.js';
import type { StageOutput } from './StageResult.js';

/** What `refine` emits: the refined image, or under `onError: 'fallback'` its input. */
export type RefineOutput = StageOutput<'refine', RefineParams>;

/**
 * Values of one refinement; only the keys bound in the binding may be set. A type rather than an
 * interface, so that a result typed with it fits the untyped `StageResult`.
 */
export type RefineParams = {
  prompt?: string;
  negative?: string;
  steps?: number;
  /** Denoising strength, 0..1: how much of the image is repainted. */
  strength?: number;
  cfg?: number;
};

/** Configuration of {@link refine}. */
export type RefineConfig = StageConfig<RefineBinding, RefineParams, 'refine'>;

/** What `refine` accepts: an image, or `{ image, ...values }` to override values per image. */
export type RefineItem = ImageItem<RefineParams>;

const KEYS = ['image', 'prompt', 'negative', 'steps', 'strength', 'cfg', 'board'] as const;

/**
 * Refines each image with an image-to-image workflow (SDXL refiner or similar).
 *
 * <span class="informal">Image in, refined image out: one queue item per image.</span>
 *
 * ```
 * images:   --a-------b---------|
 * refine(client, { workflow, params: { strength: 0.3 } })
 * results:  ------A'------B'----|
 * ```
 *
 * The input is a previous stage's result, an image name already on the server, or
 * `{ image, prompt?, strength?, ... }`. When no prompt is given, the prompt the chain was
 * generated from (`lineage.prompt`) is used. Per-image failures follow `onError`: `'fallback'`
 * emits the input image again with `ok: false` so the pipeline goes on with it. Results carry
 * their lineage (`base`, `refined`, `chain`) and the images the pipeline created upstream.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { generateBase, refine } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const base = await loadWorkflowFile('data/workflows/sdxl_base.json');
 * const refiner = await loadWorkflowFile('data/workflows/sdxl_refiner.json');
 * from(['a castle on a hill'])
 *   .pipe(
 *     generateBase(client, { workflow: base }),
 *     refine(client, { workflow: refiner, params: { steps: 15, strength: 0.3 }, onError: 'fallback' }),
 *   )
 *   .subscribe((r) => console.log(r.ok ? 'refined' : 'kept base', r.imageName, r.lineage.base));
 * // refined 5d2c….png c1a0….png
 * ```
 *
 * @see {@link generateBase}, {@link progressiveRefine}, {@link adaptiveRefine}.
 * @param client The InvokeAI client the workflow runs on.
 * @param config The refiner workflow, its binding and the stage options.
 * @return A function that returns an Observable that emits a {@link StageResult} (or, under
 * `onError: 'fallback'`, a {@link StageFallback}) per image.
 */
export function refine(client: InvokeAIClient, config: RefineConfig): OperatorFunction<RefineItem, RefineOutput> {
  return runStage<RefineItem, 'refine', RefineParams>({
    stage: 'refine',
    client,
    config: config as StageConfig<object, object>,
    defaultBinding: SDXL_REFINER_BINDING,
    keys: KEYS,
    required: ['image'],
    request: (item) => imageRequest('refine', item),
  });
}
