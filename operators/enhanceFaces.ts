import type { OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { FACE_RESTORE_BINDING, type FacesBinding } from './bindings.js';
import { imageRequest, type ImageItem } from './internal/stage/imageRequest.js';
import { runStage } from './internal/stage/runStage.js';
import type { StageConfig } from './internal/stage/stageConfig.js';
import type { StageOutput } from './StageResult.js';

/** What `enhanceFaces` emits: the enhanced image, or under `onError: 'fallback'` its input. */
export type FacesOutput = StageOutput<'enhanceFaces', FacesParams>;

/**
 * Values of one face enhancement; only the keys bound in the binding may be set. A type rather than an
 * interface, so that a result typed with it fits the untyped `StageResult`.
 */
export type FacesParams = {
  /** Enhancement strength, 0..1. */
  strength?: number;
  /** Model / method (`'CodeFormer'`, `'GFPGAN'`, …, whatever the workflow's input accepts). */
  model?: string;
};

/** Configuration of {@link enhanceFaces}. */
export type EnhanceFacesConfig = StageConfig<FacesBinding, FacesParams, 'enhanceFaces'>;

/** What `enhanceFaces` accepts: an image, or `{ image, strength?, model? }`. */
export type FacesItem = ImageItem<FacesParams>;

const KEYS = ['image', 'strength', 'model', 'board'] as const;

/**
 * Restores / enhances faces in each image with a face workflow.
 *
 * <span class="informal">Image in, image with restored faces out: one queue item per image.</span>
 *
 * ```
 * images:   --a-------b--------|
 * enhanceFaces(client, { workflow, params: { strength: 0.6 } })
 * results:  -----A*------B*----|
 * ```
 *
 * Options as for every stage (see {@link refine}). The seed's behaviour "return the original when
 * enhancement fails" is `onError: 'fallback'`.
 *
 * ## Example
 * ```ts
 * import { of } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { enhanceFaces } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const workflow = await loadWorkflowFile('data/workflows/face_restore.json');
 * of('portrait.png')
 *   .pipe(enhanceFaces(client, { workflow, params: { strength: 0.6, model: 'CodeFormer' }, onError: 'fallback' }))
 *   .subscribe((r) => console.log(r.ok, r.imageName));
 * // true 'a41f….png'
 * ```
 *
 * @see {@link refine}, {@link multiDetail}.
 * @param client The InvokeAI client the workflow runs on.
 * @param config The face workflow, its binding and the stage options.
 * @return A function that returns an Observable that emits a {@link StageResult} (or a
 * {@link StageFallback}) per image.
 */
export function enhanceFaces(client: InvokeAIClient, config: EnhanceFacesConfig): OperatorFunction<FacesItem, FacesOutput> {
  return runStage<FacesItem, 'enhanceFaces', FacesParams>({
    stage: 'enhanceFaces',
    client,
    config: config as StageConfig<object, object>,
    defaultBinding: FACE_RESTORE_BINDING,
    keys: KEYS,
    required: ['image'],
    request: (item) => imageRequest('enhanceFaces', item),
  });
}
