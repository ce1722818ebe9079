import { EMPTY, concat, concatMap, defaultIfEmpty, mergeMap, of, type Observable, type OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import type { QualityReport } from '../src/quality/assessQuality.js';
import { imageQuality } from '../src/quality/imageQuality.js';
import { imageNameOf } from './internal/lineage.js';
import { refine, type RefineConfig, type RefineItem, type RefineOutput } from './refine.js';
import { isStageOutput, type ImageInput } from './StageResult.js';

/** Options of {@link adaptiveRefine}. */
export interface AdaptiveRefineOptions {
  /** Quality score (0..1, see `assessQuality`) at which an image is good enough. */
  threshold: number;
  /** Most refinement passes per image. @default 5 */
  maxPasses?: number;
  /** Strongest strength a pass may use. @default 0.5 */
  maxStrength?: number;
  /** Strength per unit of quality gap: `strength = min(maxStrength, gap · gain)`. @default 0.8 */
  gain?: number;
  /** Scores an image; inject to use another metric. @default downloads it and runs assessQuality */
  assess?: (client: InvokeAIClient, imageName: string) => Observable<QualityReport>;
}

/**
 * One step of {@link adaptiveRefine}: a refine output with the measurement that led to it, or (pass
 * 0) an input that was already good enough, re-emitted as it came (typed as the `Input` given).
 */
export type AdaptiveRefineStep<Input extends ImageInput = ImageInput> = (RefineOutput | Exclude<Input, string>) & {
  /** 1-based pass number; `0` for an input that was already good enough (re-emitted as is). */
  pass: number;
  /** Quality of the image this pass started from (for pass 0: of the input itself). */
  quality: QualityReport;
};

/**
 * Refines each image again and again until a no-reference quality score reaches the threshold, or
 * `maxPasses` passes were made; each pass's strength follows the remaining quality gap.
 *
 * <span class="informal">Measure, refine harder the worse it is, repeat until good enough.</span>
 *
 * ```
 * images:   --a---------------------------------|
 * adaptiveRefine(client, cfg, { threshold: 0.8 })
 *              q(a)=.5      q(A1)=.7      q(A2)=.85
 * results:  -------A1(.24)-------A2(.08)--------|
 * ```
 *
 * Before each pass the current image is downloaded and scored with `assessQuality` (sharpness
 * from the variance of the Laplacian, penalised by Immerkær's noise estimate); when the score is
 * below `threshold` the image is refined with `strength = min(maxStrength, (threshold − score) ·
 * gain)`, the seed's rule. Every pass is emitted with the `quality` it started from. An input that
 * is a stage result and already meets the threshold is re-emitted as pass 0; a plain image name
 * that meets it yields nothing (there is no new image). A failed pass (`'skip'`/`'fallback'`)
 * counts as a pass and the next one starts from the same image.
 *
 * ## Example
 * ```ts
 * import { of } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { adaptiveRefine } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const workflow = await loadWorkflowFile('data/workflows/sdxl_refiner.json');
 * of('c1a0.png')
 *   .pipe(adaptiveRefine(client, { workflow, params: { steps: 12 } }, { threshold: 0.85 }))
 *   .subscribe((r) => console.log(r.pass, r.quality.score.toFixed(2), r.params.strength));
 * // 1 '0.52' 0.264
 * // 2 '0.78' 0.056
 * ```
 *
 * @param client The InvokeAI client the refiner runs on (and images are downloaded from).
 * @param config The refine stage config (`concurrency` = images refined at once).
 * @param options Threshold, pass limit and strength rule.
 * @return A function that returns an Observable that emits each pass (see {@link AdaptiveRefineStep}).
 */
export function adaptiveRefine<In extends ImageInput = ImageInput>(
  client: InvokeAIClient,
  config: RefineConfig,
  options: AdaptiveRefineOptions,
): OperatorFunction<In, AdaptiveRefineStep<In>> {
  const { threshold } = options;
  const maxPasses = options.maxPasses ?? 5;
  const maxStrength = options.maxStrength ?? 0.5;
  const gain = options.gain ?? 0.8;
  const assess = options.assess ?? imageQuality;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    throw new TypeError(`adaptiveRefine: threshold must be a number (a quality score in 0..1), got ${String(threshold)}.`);
  }
  if (!(Number.isInteger(maxPasses) && maxPasses >= 1)) throw new TypeError(`adaptiveRefine: maxPasses must be a positive integer, got ${maxPasses}.`);
  if (!(maxStrength > 0 && maxStrength <= 1)) throw new TypeError(`adaptiveRefine: maxStrength must be in (0, 1], got ${maxStrength}.`);
  if (!(gain > 0)) throw new TypeError(`adaptiveRefine: gain must be positive, got ${gain}.`);
  const concurrency = config.concurrency ?? 1;
  const pass = refine(client, { ...config, concurrency: 1 });

  const loop = (input: In, current: ImageInput, k: number): Observable<AdaptiveRefineStep<In>> => {
    if (k >= maxPasses) return EMPTY;
    return assess(client, imageNameOf(current)).pipe(
      concatMap((quality) => {
        if (quality.score >= threshold) {
          // isStageOutput narrows to `In & StageOutput`, which TypeScript does not see is `Exclude<In, string>`.
          return k === 0 && isStageOutput(input) ? of({ ...(input as Exclude<In, string>), pass: 0, quality }) : EMPTY;
        }
        const strength = Math.min(maxStrength, (threshold - quality.score) * gain);
        return of<RefineItem>({ image: current, strength }).pipe(
          pass,
          defaultIfEmpty(null),
          concatMap((r) =>
            concat(
              r ? of<AdaptiveRefineStep<In>>({ ...r, pass: k + 1, quality }) : EMPTY,
              loop(input, r ?? current, k + 1),
            ),
          ),
        );
      }),
    );
  };

  return (source) => source.pipe(mergeMap((image) => loop(image, image, 0), concurrency));
}
