import { EMPTY, concat, concatMap, defaultIfEmpty, mergeMap, of, type Observable, type OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { FACE_RESTORE_BINDING, MASKED_REFINE_BINDING, SDXL_REFINER_BINDING } from './bindings.js';
import { enhanceFaces, type EnhanceFacesConfig, type FacesOutput } from './enhanceFaces.js';
import { enhanceRegion, type EnhanceRegionConfig, type MaskInput, type RegionOutput } from './enhanceRegion.js';
import { boundOnly } from './internal/withParams.js';
import { refine, type RefineConfig, type RefineOutput } from './refine.js';
import type { ImageInput } from './StageResult.js';

/** Steps, strength and CFG of a masked enhancement per detail level (the seed's table). */
export const DETAIL_LEVELS = Object.freeze({
  low: Object.freeze({ steps: 10, strength: 0.3, cfg: 5.0 }),
  medium: Object.freeze({ steps: 15, strength: 0.5, cfg: 7.0 }),
  high: Object.freeze({ steps: 20, strength: 0.7, cfg: 8.0 }),
  ultra: Object.freeze({ steps: 30, strength: 0.9, cfg: 10.0 }),
});
export type DetailLevel = keyof typeof DETAIL_LEVELS;

/** Refiner prompts of the texture enhancement (the seed's table); other types use `'enhanced details'`. */
export const TEXTURE_PROMPTS: Readonly<Record<string, string>> = Object.freeze({
  fabric: 'detailed fabric texture, visible weave, cloth material',
  metal: 'metallic surface, reflective, detailed metal texture',
  skin: 'detailed skin texture, pores, natural skin',
  wood: 'wood grain, detailed wood texture, natural pattern',
  stone: 'stone texture, rough surface, detailed rock',
});

/** Refiner values of a texture enhancement. */
export const TEXTURE_REFINE_PARAMS = Object.freeze({ steps: 15, strength: 0.4, cfg: 8.0 });

/** One enhancement of {@link multiDetail}. */
export type DetailEnhancement =
  | { type: 'face'; /** @default 0.5 */ strength?: number }
  | { type: 'texture'; /** @default 'fabric' */ texture_type?: string }
  | { type: 'masked'; mask: MaskInput; prompt: string; /** @default 'high' */ detail_level?: DetailLevel };

/** What {@link multiDetail} emits: the output of a face, texture (`refine`) or masked step; narrow it on `stage`. */
export type MultiDetailOutput = FacesOutput | RefineOutput | RegionOutput;

/** The stage configs {@link multiDetail} needs: one per enhancement type used. */
export interface MultiDetailConfigs {
  /** For `face`. `onError` defaults to `'fallback'` (keep the image when it fails). */
  faces?: EnhanceFacesConfig;
  /** For `texture`. `onError` defaults to `'fallback'`. */
  refiner?: RefineConfig;
  /** For `masked`. `onError` defaults to `'fallback'`. */
  region?: EnhanceRegionConfig;
}

/**
 * Applies targeted enhancements to each image, in order, each on the previous one's output:
 * faces, texture refinement, masked region detail. Emits every step's result.
 *
 * <span class="informal">A recipe of detail passes run one after another on every image.</span>
 *
 * ```
 * images:   --a--------------------------------|
 * multiDetail(client, [face, texture, masked], cfgs)
 * results:  ------F(a)------T(F)-------M(T)----|
 * ```
 *
 * `face` runs `enhanceFaces` with `strength`; `texture` runs `refine` with the prompt for its
 * `texture_type` from {@link TEXTURE_PROMPTS} and {@link TEXTURE_REFINE_PARAMS}; `masked` runs
 * `enhanceRegion` with the mask, the prompt and the steps/strength/CFG of its `detail_level` from
 * {@link DETAIL_LEVELS}. Values a workflow does not expose in its binding are left to the
 * workflow. A failed step keeps the image it started from (`onError` defaults to `'fallback'`
 * here, as the original returned the unchanged image). The last emitted result per image is the
 * final one. Images are processed one after another.
 *
 * ## Example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { of, last } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { multiDetail } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const load = (name: string) => loadWorkflowFile(`data/workflows/${name}.json`);
 * of('portrait.png')
 *   .pipe(
 *     multiDetail(
 *       client,
 *       [
 *         { type: 'face', strength: 0.6 },
 *         { type: 'texture', texture_type: 'fabric' },
 *         { type: 'masked', mask: { path: 'background_mask.png' }, prompt: 'detailed background, sharp focus', detail_level: 'high' },
 *       ],
 *       { faces: { workflow: await load('face_restore') }, refiner: { workflow: await load('sdxl_refiner') }, region: { workflow: await load('masked_refine'), readFile } },
 *     ),
 *     last(),
 *   )
 *   .subscribe((r) => console.log(r.imageName, r.lineage.chain));
 * // '77c0….png' ['portrait.png', 'a41f….png', '5d2c….png']
 * ```
 *
 * @param client The InvokeAI client every stage runs on.
 * @param enhancements The enhancements, in the order they are applied.
 * @param configs The stage config of every enhancement type used.
 * @return A function that returns an Observable that emits each step's result for each image.
 */
export function multiDetail(
  client: InvokeAIClient,
  enhancements: readonly DetailEnhancement[],
  configs: MultiDetailConfigs,
): OperatorFunction<ImageInput, MultiDetailOutput> {
  const need = (type: DetailEnhancement['type'], key: keyof MultiDetailConfigs) => {
    if (enhancements.some((e) => e.type === type) && !configs[key]) {
      throw new TypeError(`multiDetail: a '${type}' enhancement needs configs.${key} (its workflow and binding).`);
    }
  };
  need('face', 'faces');
  need('texture', 'refiner');
  need('masked', 'region');
  for (const e of enhancements) {
    if (!['face', 'texture', 'masked'].includes(e.type)) {
      throw new TypeError(`multiDetail: unknown enhancement type ${JSON.stringify((e as { type: unknown }).type)}; use 'face', 'texture' or 'masked'.`);
    }
    if (e.type === 'masked' && e.detail_level !== undefined && !(e.detail_level in DETAIL_LEVELS)) {
      throw new TypeError(`multiDetail: unknown detail_level ${JSON.stringify(e.detail_level)}; use ${Object.keys(DETAIL_LEVELS).join(', ')}.`);
    }
  }

  const faces = configs.faces ? enhanceFaces(client, { onError: 'fallback', ...configs.faces, concurrency: 1 }) : undefined;
  const texture = configs.refiner ? refine(client, { onError: 'fallback', ...configs.refiner, concurrency: 1 }) : undefined;
  const region = configs.region ? enhanceRegion(client, { onError: 'fallback', ...configs.region, concurrency: 1 }) : undefined;

  const apply = (e: DetailEnhancement, image: ImageInput): Observable<MultiDetailOutput> => {
    switch (e.type) {
      case 'face':
        return of({ image, ...boundOnly(configs.faces!, FACE_RESTORE_BINDING, { strength: e.strength ?? 0.5 }) }).pipe(faces!);
      case 'texture': {
        const prompt = TEXTURE_PROMPTS[e.texture_type ?? 'fabric'] ?? 'enhanced details';
        const values = boundOnly(configs.refiner!, SDXL_REFINER_BINDING, { prompt, ...TEXTURE_REFINE_PARAMS });
        return of({ image, ...values }).pipe(texture!);
      }
      case 'masked': {
        const level = DETAIL_LEVELS[e.detail_level ?? 'high'];
        const values = boundOnly(configs.region!, MASKED_REFINE_BINDING, { prompt: e.prompt, ...level });
        return of({ image, mask: e.mask, ...values }).pipe(region!);
      }
    }
  };

  const steps = (current: ImageInput, k: number): Observable<MultiDetailOutput> =>
    k >= enhancements.length
      ? EMPTY
      : apply(enhancements[k]!, current).pipe(
          defaultIfEmpty(null),
          concatMap((r) => concat(r ? of(r) : EMPTY, steps(r ?? current, k + 1))),
        );

  return (source) => source.pipe(mergeMap((image) => steps(image, 0), 1));
}
