import type { Observer } from 'rxjs';
import type { ModelUse } from '../src/workflow/syncModels.js';

/** Name of the operator that produced a result. */
export type StageName = 'generateBase' | 'refine' | 'upscale' | 'enhanceFaces' | 'enhanceRegion';

/** When the queue item of a stage ran, in epoch ms as seen by this client. */
export interface StageTimings {
  enqueuedAt: number;
  /** `null` when the start was never observed (the item went straight to a terminal status). */
  startedAt: number | null;
  completedAt: number;
  /** `completedAt - enqueuedAt`: wall time including the wait in the queue. */
  durationMs: number;
}

/** Where an image came from. Only ancestors are listed: an image is never its own ancestor. */
export interface StageLineage {
  /** The prompt the chain started from (set by `generateBase`, carried by every descendant). */
  prompt?: string;
  /** The `generateBase` image this one descends from. */
  base?: string;
  /** The `refine` images this one descends from, oldest first. */
  refined?: string[];
  /** Every ancestor image, oldest first (user-supplied inputs included). */
  chain: string[];
  /** Under a run id: the chain's key, which gives the stages of the chain their places in the run. */
  key?: string;
  /** Under a run id: how many stages the chain went through before this image (0 for the first). */
  depth?: number;
}

/**
 * The values a stage bound, when the stage is not known: every stage's own params type (an object
 * type, not an interface, so that it is assignable to this) fits here.
 */
export type AnyStageParams = Record<string, unknown>;

/**
 * What a stage's `params` records besides its own values: the names it bound for the run. (A type,
 * not an interface, as the stages' params types: see {@link AnyStageParams}.)
 */
export type StageBoundNames = {
  /** The input image (image stages). */
  image?: string;
  /** The board name given as the stage's `board` option. */
  board?: string;
};

/**
 * What every stage emits for one successfully processed input. The type arguments name the stage
 * and its values (`StageResult<'upscale', UpscaleParams>`, as `upscale` emits); without them it is
 * the result of any stage.
 */
export interface StageResult<Stage extends StageName = StageName, Params extends object = AnyStageParams> {
  stage: Stage;
  /** The image this stage produced (the workflow's gallery output). */
  imageName: string;
  /** Board id the output was saved to, `null` for uncategorized. */
  board: string | null;
  item_id: number;
  batch_id: string;
  /** Name of the input image, `null` for `generateBase`. */
  input: string | null;
  /** The values this stage bound into the workflow (semantic names, as sent). */
  params: Params & StageBoundNames;
  timings: StageTimings;
  lineage: StageLineage;
  /** Ancestors of this image that this pipeline created (and `cleanup` may delete), oldest first. */
  created: string[];
  /**
   * With `modelFallback: 'same-base'` only: every model reference of the workflow and the
   * installed model that was sent for it, `substituted: true` where another model of the same
   * base and type stood in for one the server lacks.
   */
  models?: ModelUse[];
  ok: true;
}

/**
 * What a stage configured with `onError: 'fallback'` emits when it fails for one input: the input
 * image, passed through unchanged, with the error. Downstream stages treat it like any image, so
 * the pipeline continues with the last good image ("refinement failed, using base image").
 */
export interface StageFallback<Stage extends StageName = StageName, Params extends object = AnyStageParams>
  extends Omit<StageResult<Stage, Params>, 'ok' | 'item_id' | 'batch_id' | 'timings' | 'board'> {
  /** The board of the passed-through input, when known. */
  board: string | null;
  /** The failed queue item, when the failure happened after enqueueing. */
  item_id: number | null;
  batch_id: string | null;
  timings: null;
  ok: false;
  error: unknown;
  /** Whether `imageName` (the passed-through input) was created by this pipeline. */
  inputCreated: boolean;
}

/**
 * Anything a stage emits and the next stage accepts; `ok` tells a result from a fallback. A union
 * of outputs of several stages (what `fullPipeline` emits) narrows on `stage`.
 */
export type StageOutput<Stage extends StageName = StageName, Params extends object = AnyStageParams> =
  | StageResult<Stage, Params>
  | StageFallback<Stage, Params>;

/**
 * One input a stage gave up on without emitting a value: a failure under `onError: 'skip'`, or an
 * input still in flight when the pipeline was unsubscribed (then `error` is a `StageCanceledError`).
 * Delivered to the stage's `failures` sink, never dropped silently.
 */
export interface StageFailure<Stage extends StageName = StageName> {
  stage: Stage;
  /** The input image, `null` for `generateBase`. */
  input: string | null;
  /** The prompt of the chain, when known. */
  prompt?: string;
  /** The values the stage was about to bind. */
  params: Record<string, unknown>;
  error: unknown;
  /** The failed queue item, when known. */
  item_id: number | null;
  /** Lineage of the input (empty chain for `generateBase`). */
  lineage: StageLineage;
  /**
   * Images this pipeline created that nothing downstream will receive now: the input's own
   * `created` ancestors plus the input itself when this pipeline created it. `cleanup` deletes them.
   */
  created: string[];
  ok: false;
}

/** Where a stage reports the inputs it gives up on: a callback or anything with `next` (a Subject). */
export type FailureSink<Stage extends StageName = StageName> =
  | ((failure: StageFailure<Stage>) => void)
  | Pick<Observer<StageFailure<Stage>>, 'next'>;

/**
 * What a stage does when one input fails (the queue item failed or was canceled on the server,
 * a value did not fit the workflow, no output image, …):
 * - `'throw'`: the error ends the stream (and every other input in flight);
 * - `'skip'`: nothing is emitted for the input; a {@link StageFailure} goes to `failures`
 *   (required, so that a dropped input is never silent);
 * - `'fallback'`: the input image is emitted as a {@link StageFallback} (`ok: false`) and the
 *   pipeline continues with it. Not available for `generateBase`, which has no input image.
 */
export type OnError = 'throw' | 'skip' | 'fallback';

/** An image a stage accepts: a previous stage's output, or the name of an image on the server. */
export type ImageInput = StageOutput | string;

/** Whether a value is a stage output (as opposed to an image name or a parameter object). */
export function isStageOutput(value: unknown): value is StageOutput {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { imageName?: unknown }).imageName === 'string' &&
    typeof (value as { stage?: unknown }).stage === 'string' &&
    typeof (value as { ok?: unknown }).ok === 'boolean'
  );
}
