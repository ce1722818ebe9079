import type { OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { ESRGAN_UPSCALE_BINDING, FACE_RESTORE_BINDING, SDXL_BASE_BINDING, SDXL_REFINER_BINDING } from './bindings.js';
import { enhanceFaces, type EnhanceFacesConfig, type FacesOutput } from './enhanceFaces.js';
import { generateBase, type BasePrompt, type BaseResult, type GenerateBaseConfig } from './generateBase.js';
import { streamThrough } from './internal/streamThrough.js';
import { withParams } from './internal/withParams.js';
import { refine, type RefineConfig, type RefineOutput } from './refine.js';
import type { StageOutput } from './StageResult.js';
import { upscale, type UpscaleConfig, type UpscaleOutput } from './upscale.js';

/**
 * What {@link fullPipeline} and {@link streamingPipeline} emit: the output of any of their stages.
 * Narrow it on `stage` (`if (r.stage === 'upscale') r.params.scale`) and on `ok`.
 */
export type FullPipelineOutput = BaseResult | RefineOutput | UpscaleOutput | FacesOutput;

/** Configuration of {@link fullPipeline}: one stage config per step, plus shared values. */
export interface FullPipelineConfig {
  base: GenerateBaseConfig;
  /** `onError` defaults to `'fallback'` here: a failed refinement goes on with the base image. */
  refiner: RefineConfig;
  /** Upscaling step; skipped when absent. */
  upscaler?: UpscaleConfig;
  /** Face enhancement step; skipped when absent. */
  faces?: EnhanceFacesConfig;
  /** Negative prompt for base and refiner (where bound). */
  negative?: string;
  seed?: number;
  baseSteps?: number;
  refinerSteps?: number;
  /** @default the refiner's own (the seed uses 0.3) */
  refinerStrength?: number;
  /** CFG scale for base and refiner (where bound). */
  cfg?: number;
  upscaleFactor?: number;
  faceStrength?: number;
  /**
   * Run id of every stage (unless a stage config sets its own): the pipeline becomes durable and
   * resumable, see `StageConfig.runId`. Prompts are keyed by `base.keyOf`, their own `key`, or
   * their index (stable for a fixed list).
   */
  runId?: string;
}

/**
 * The whole multi-stage pipeline per prompt: base → refine → (upscale) → (faces), emitting every
 * stage's result as soon as it lands.
 *
 * <span class="informal">One prompt in, a result per stage out, in stage order.</span>
 *
 * ```
 * prompts:  --p-----------------------------|
 * fullPipeline(client, { base, refiner, upscaler })
 * results:  -----B------R-----------U-------|
 * ```
 *
 * The shared values (`negative`, `seed`, `baseSteps`, `refinerSteps`, `refinerStrength`, `cfg`,
 * `upscaleFactor`, `faceStrength`) override each stage's `params` where its binding exposes
 * them. The refiner falls back to the base image when it fails (its `onError` defaults to
 * `'fallback'`), as the original pipeline did. Each stage keeps its own `concurrency`, so with
 * several prompts the stages overlap (prompt 2's base runs while prompt 1 is refined). Put
 * {@link cleanup} after it to keep only the last image of each chain.
 *
 * ## Example
 * ```ts
 * import { of } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { fullPipeline } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const load = (name: string) => loadWorkflowFile(`data/workflows/${name}.json`);
 * of('A majestic castle on a mountain, fantasy art')
 *   .pipe(
 *     fullPipeline(client, {
 *       base: { workflow: await load('sdxl_base') },
 *       refiner: { workflow: await load('sdxl_refiner') },
 *       upscaler: { workflow: await load('esrgan_upscale') },
 *       negative: 'blurry, low quality', seed: 42, baseSteps: 30, refinerSteps: 15, upscaleFactor: 2,
 *     }),
 *   )
 *   .subscribe((r) => console.log(r.stage, r.imageName));
 * // generateBase c1a0….png
 * // refine 5d2c….png
 * // upscale e8a1….png
 * ```
 *
 * @param client The InvokeAI client every stage runs on.
 * @param config The stage configs and the shared values.
 * @return A function that returns an Observable that emits every stage's result for every prompt
 * (a {@link FullPipelineOutput}).
 */
export function fullPipeline(client: InvokeAIClient, given: FullPipelineConfig): OperatorFunction<BasePrompt, FullPipelineOutput> {
  const config = withRunId(given);
  const base = generateBase(
    client,
    withParams(config.base, SDXL_BASE_BINDING, { negative: config.negative, seed: config.seed, steps: config.baseSteps, cfg: config.cfg }),
  );
  const stages: OperatorFunction<StageOutput, RefineOutput | UpscaleOutput | FacesOutput>[] = [
    refine(
      client,
      withParams({ onError: 'fallback', ...config.refiner }, SDXL_REFINER_BINDING, {
        negative: config.negative,
        steps: config.refinerSteps,
        strength: config.refinerStrength,
        cfg: config.cfg,
      }),
    ),
    ...(config.upscaler
      ? [upscale(client, withParams(config.upscaler, ESRGAN_UPSCALE_BINDING, { scale: config.upscaleFactor }))]
      : []),
    ...(config.faces ? [enhanceFaces(client, withParams(config.faces, FACE_RESTORE_BINDING, { strength: config.faceStrength }))] : []),
  ];
  return (source) => source.pipe(base, streamThrough(stages));
}

/** Gives every stage config the pipeline's run id, unless it has its own. */
function withRunId(config: FullPipelineConfig): FullPipelineConfig {
  const { runId } = config;
  if (runId === undefined) return config;
  const put = <C extends { runId?: string }>(c: C): C => ({ runId, ...c });
  return {
    ...config,
    base: put(config.base),
    refiner: put(config.refiner),
    ...(config.upscaler ? { upscaler: put(config.upscaler) } : {}),
    ...(config.faces ? { faces: put(config.faces) } : {}),
  };
}
