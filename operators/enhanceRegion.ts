import { defer, from, map, of, switchMap, type Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { MASKED_REFINE_BINDING, type RegionBinding } from './bindings.js';
import { imageRequest } from './internal/stage/imageRequest.js';
import { runStage } from './internal/stage/runStage.js';
import type { StageConfig } from './internal/stage/stageConfig.js';
import { isStageOutput, type ImageInput, type StageOutput } from './StageResult.js';

/**
 * A mask: the name of an image already on the server (or a stage output), bytes to upload
 * (`Uint8Array`/`Blob`, optionally with a file name), or a file path read with `config.readFile`.
 * Black areas are repainted and white areas kept, as InvokeAI's denoise masks read them.
 */
export type MaskInput =
  | ImageInput
  | Uint8Array
  | Blob
  | { data: Uint8Array | Blob; fileName?: string }
  | { path: string };

/**
 * Values of one masked refinement; only the keys bound in the binding may be set. A type rather than an
 * interface, so that a result typed with it fits the untyped `StageResult`.
 */
export type RegionParams = {
  mask?: MaskInput;
  prompt?: string;
  negative?: string;
  steps?: number;
  strength?: number;
  cfg?: number;
};

/** Configuration of {@link enhanceRegion}. */
export interface EnhanceRegionConfig extends StageConfig<RegionBinding, RegionParams, 'enhanceRegion'> {
  /**
   * Reads a mask given as `{ path }`. Not built in, so the operator stays browser-safe; in Node
   * pass `readFile` from `node:fs/promises`. @default none: a `{ path }` mask fails the input
   */
  readFile?: (path: string) => ObservableInput<Uint8Array>;
}

/**
 * What `enhanceRegion` emits: the re-detailed image, or under `onError: 'fallback'` its input. Its
 * `params.mask` is the name of the mask on the server (uploaded when given as bytes or a path).
 */
export type RegionOutput = StageOutput<'enhanceRegion', RegionParams>;

/** What `enhanceRegion` accepts: `{ image, mask?, prompt?, ... }` (or an image when `params.mask` is set). */
export type RegionItem = ImageInput | ({ image: ImageInput } & RegionParams);

const KEYS = ['image', 'mask', 'prompt', 'negative', 'steps', 'strength', 'cfg', 'board'] as const;

/**
 * Repaints the masked region of each image with a masked (inpainting) workflow.
 *
 * <span class="informal">Image + mask in, image with the region re-detailed out.</span>
 *
 * ```
 * items:    --{a,m}-----{b,m}------|
 * enhanceRegion(client, { workflow })
 * results:  --------A~-------B~----|
 * ```
 *
 * A mask given as bytes or a path is uploaded first (category `mask`, intermediate) as part of the
 * input's work; the uploaded name is listed in the result's `created`, so `cleanup` removes it
 * with the other intermediates. Options as for every stage (see {@link refine}).
 *
 * ## Example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { of } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { enhanceRegion } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const workflow = await loadWorkflowFile('data/workflows/masked_refine.json');
 * of({ image: 'portrait.png', mask: { path: 'background_mask.png' }, prompt: 'detailed background' })
 *   .pipe(enhanceRegion(client, { workflow, readFile, params: { steps: 20, strength: 0.7, cfg: 8 } }))
 *   .subscribe((r) => console.log(r.imageName, r.params.mask));
 * // '77c0….png' '1e2d….png' (the uploaded mask)
 * ```
 *
 * @see {@link multiDetail}, {@link refine}.
 * @param client The InvokeAI client the workflow runs on.
 * @param config The masked workflow, its binding and the stage options.
 * @return A function that returns an Observable that emits a {@link StageResult} (or a
 * {@link StageFallback}) per image.
 */
export function enhanceRegion(client: InvokeAIClient, config: EnhanceRegionConfig): OperatorFunction<RegionItem, RegionOutput> {
  const { readFile, ...stageConfig } = config;
  return runStage<RegionItem, 'enhanceRegion', RegionParams>({
    stage: 'enhanceRegion',
    client,
    config: stageConfig as StageConfig<object, object>,
    defaultBinding: MASKED_REFINE_BINDING,
    keys: KEYS,
    required: ['image', 'mask'],
    request: (item) => imageRequest('enhanceRegion', item),
    preparedKeys: ['mask'],
    prepare(values) {
      const mask = values['mask'] as MaskInput | undefined;
      if (mask === undefined) {
        throw new TypeError('enhanceRegion: no mask: give one per image ({ image, mask }) or in config.params.mask.');
      }
      return maskName(client, mask, readFile).pipe(
        map(({ name, uploaded }) => ({ values: { mask: name }, created: uploaded ? [name] : [] })),
      );
    },
  });
}

function maskName(
  client: InvokeAIClient,
  mask: MaskInput,
  readFile: EnhanceRegionConfig['readFile'],
): Observable<{ name: string; uploaded: boolean }> {
  if (typeof mask === 'string') return of({ name: mask, uploaded: false });
  if (isStageOutput(mask)) return of({ name: mask.imageName, uploaded: false });
  const upload = (data: Uint8Array | Blob, fileName: string) =>
    client.images
      .upload(data, { image_category: 'mask', is_intermediate: true, fileName })
      .pipe(map((dto) => ({ name: dto.image_name, uploaded: true })));
  if (mask instanceof Uint8Array || isBlob(mask)) return defer(() => upload(mask, 'mask.png'));
  if ('data' in mask) return defer(() => upload(mask.data, mask.fileName ?? 'mask.png'));
  if ('path' in mask) {
    if (!readFile) {
      throw new TypeError(
        `enhanceRegion: mask ${JSON.stringify(mask.path)} is a file path, but no readFile was configured; ` +
          "pass { readFile } (from 'node:fs/promises' in Node) or give the mask as bytes.",
      );
    }
    const fileName = mask.path.split(/[\\/]/).pop() || 'mask.png';
    return defer(() => from(readFile(mask.path))).pipe(switchMap((bytes) => upload(bytes, fileName)));
  }
  throw new TypeError(`enhanceRegion: unsupported mask ${JSON.stringify(mask)}.`);
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}
