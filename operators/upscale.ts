import type { OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { ESRGAN_UPSCALE_BINDING, type UpscaleBinding } from './bindings.js';
import { imageRequest, type ImageItem } from './internal/stage/imageRequest.js';
import { runStage } from './internal/stage/runStage.js';
import type { StageConfig } from './internal/stage/stageConfig.js';
import type { StageOutput } from './StageResult.js';

/** What `upscale` emits: the upscaled image, or under `onError: 'fallback'` its input. */
export type UpscaleOutput = StageOutput<'upscale', UpscaleParams>;

/**
 * Values of one upscale; only the keys bound in the binding may be set. A type rather than an
 * interface, so that a result typed with it fits the untyped `StageResult`.
 */
export type UpscaleParams = {
  /** Scale factor (2 doubles width and height). */
  scale?: number;
  /**
   * Model choice: an enum value (ESRGAN `model_name`, e.g. `'RealESRGAN_x4plus.pth'`) or, for a
   * model input, the name of an installed model (looked up with `client.models.list`).
   */
  model?: string;
};

/** Configuration of {@link upscale}. */
export type UpscaleConfig = StageConfig<UpscaleBinding, UpscaleParams, 'upscale'>;

/** What `upscale` accepts: an image, or `{ image, scale?, model? }`. */
export type UpscaleItem = ImageItem<UpscaleParams>;

const KEYS = ['image', 'scale', 'model', 'board'] as const;

/**
 * Upscales each image with an upscaling workflow (ESRGAN or similar).
 *
 * <span class="informal">Image in, larger image out: one queue item per image.</span>
 *
 * ```
 * images:   --a--------b---------|
 * upscale(client, { workflow, params: { scale: 2 } })
 * results:  -------A2-------B2---|
 * ```
 *
 * Inputs and options are those of every stage (see {@link refine}): results stream in input order
 * with `concurrency: 1`, unsubscribing cancels the server-side items, and `onError` decides what a
 * failed image becomes.
 *
 * ## Example
 * ```ts
 * import { of } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { upscale } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const workflow = await loadWorkflowFile('data/workflows/esrgan_upscale.json');
 * of('5d2c3f0e.png')
 *   .pipe(upscale(client, { workflow, params: { scale: 2 }, board: 'upscaled_stage' }))
 *   .subscribe((r) => console.log(r.imageName, r.board));
 * // 'e8a1….png' 'b0a7…' (id of the board named upscaled_stage)
 * ```
 *
 * @see {@link refine}, {@link enhanceFaces}.
 * @param client The InvokeAI client the workflow runs on.
 * @param config The upscaling workflow, its binding and the stage options.
 * @return A function that returns an Observable that emits a {@link StageResult} (or a
 * {@link StageFallback}) per image.
 */
export function upscale(client: InvokeAIClient, config: UpscaleConfig): OperatorFunction<UpscaleItem, UpscaleOutput> {
  return runStage<UpscaleItem, 'upscale', UpscaleParams>({
    stage: 'upscale',
    client,
    config: config as StageConfig<object, object>,
    defaultBinding: ESRGAN_UPSCALE_BINDING,
    keys: KEYS,
    required: ['image'],
    request: (item) => imageRequest('upscale', item),
  });
}
