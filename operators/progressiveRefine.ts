import { EMPTY, concat, concatMap, defaultIfEmpty, mergeMap, of, type Observable, type OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { imageRequest } from './internal/stage/imageRequest.js';
import { refine, type RefineConfig, type RefineItem, type RefineOutput } from './refine.js';
import type { ImageInput } from './StageResult.js';

/** The seed's decreasing strength schedule: strong first pass, lighter touch-ups after. */
export const DEFAULT_STRENGTH_SCHEDULE: readonly number[] = Object.freeze([0.5, 0.3, 0.15]);

/**
 * Refines each image several times, pass after pass, each pass starting from the previous pass's
 * output with the next strength of the schedule, and emits every pass as it lands.
 *
 * <span class="informal">One image in, one refined image per strength out, each built on the last.</span>
 *
 * ```
 * images:   --a----------------------------|
 * progressiveRefine(client, cfg, [0.5, 0.3, 0.15])
 * results:  ------A1-------A2--------A3----|
 * ```
 *
 * A pass that fails under `onError: 'skip'` or `'fallback'` is passed over and the next pass
 * starts from the last good image (as the original "pass failed, skipping"); under `'throw'`
 * (the default) the error ends the stream. Images are processed one after another unless
 * `cfg.concurrency` allows more; the passes of one image are always sequential.
 *
 * ## Example
 * ```ts
 * import { of } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { progressiveRefine } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const workflow = await loadWorkflowFile('data/workflows/sdxl_refiner.json');
 * of('c1a0.png')
 *   .pipe(progressiveRefine(client, { workflow, params: { steps: 10, prompt: 'sharp focus' } }))
 *   .subscribe((r) => console.log(r.params.strength, r.imageName));
 * // 0.5 '5d2c….png'
 * // 0.3 '9a0b….png'
 * // 0.15 'f00d….png'
 * ```
 *
 * @param client The InvokeAI client the refiner runs on.
 * @param config The refine stage config (`concurrency` = images refined at once).
 * @param schedule The strength of each pass, in order. @default [0.5, 0.3, 0.15]
 * @return A function that returns an Observable that emits each pass's result.
 */
export function progressiveRefine(
  client: InvokeAIClient,
  config: RefineConfig,
  schedule: readonly number[] = DEFAULT_STRENGTH_SCHEDULE,
): OperatorFunction<ImageInput, RefineOutput> {
  if (schedule.length === 0 || !schedule.every((s) => typeof s === 'number' && s > 0 && s <= 1)) {
    throw new TypeError(`progressiveRefine: schedule must be a non-empty list of strengths in (0, 1], got ${JSON.stringify(schedule)}.`);
  }
  const concurrency = config.concurrency ?? 1;
  const pass = refine(client, { ...config, concurrency: 1 });

  const passes = (current: ImageInput, k: number): Observable<RefineOutput> =>
    k >= schedule.length
      ? EMPTY
      : of<RefineItem>({ image: current, strength: schedule[k]! }).pipe(
          pass,
          defaultIfEmpty(null),
          concatMap((r) => concat(r ? of(r) : EMPTY, passes(r ?? current, k + 1))),
        );

  return (source) =>
    source.pipe(
      mergeMap((item) => {
        const { input, params } = imageRequest('progressiveRefine', item);
        if (Object.keys(params).length) {
          throw new TypeError('progressiveRefine: give images (names or results); per-pass values come from the schedule and config.params.');
        }
        return passes(input!, 0);
      }, concurrency),
    );
}
