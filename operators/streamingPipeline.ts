import { Subject, defer, mergeMap, of, type OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { cleanup } from './cleanup.js';
import { enhanceFaces, type EnhanceFacesConfig } from './enhanceFaces.js';
import { generateBase, type BasePrompt, type BaseResult, type GenerateBaseConfig } from './generateBase.js';
import { streamThrough } from './internal/streamThrough.js';
import { refine, type RefineConfig } from './refine.js';
import type { FullPipelineOutput } from './fullPipeline.js';
import type { FailureSink, StageFailure, StageName, StageOutput } from './StageResult.js';
import { upscale, type UpscaleConfig } from './upscale.js';

/** The stages of {@link streamingPipeline}; each one present runs, in this order. */
export interface StreamingStages {
  base: GenerateBaseConfig;
  refiner?: RefineConfig;
  upscaler?: UpscaleConfig;
  faces?: EnhanceFacesConfig;
}

/** Options of {@link streamingPipeline}. */
export interface StreamingPipelineOptions {
  /** How many prompts are in flight at once (each runs its stages one after another). @default 1 */
  concurrency?: number;
  /**
   * Run id of every stage (unless a stage config sets its own): the pipeline becomes durable and
   * resumable, see `StageConfig.runId`. A stream needs stable prompt keys: give prompts a `key`
   * (`{ prompt, key }`) or `base.keyOf`; without them a prompt's key is its arrival index.
   */
  runId?: string;
}

/**
 * Runs an open-ended stream of prompts through the stages, emitting each stage's result as it
 * lands and deleting each intermediate as soon as the next stage's result arrives.
 *
 * <span class="informal">Prompts in forever; results out; only the newest image of each chain is kept.</span>
 *
 * ```
 * prompts:  --p---------------q-------------…
 * streamingPipeline(client, { base, refiner })
 * results:  -----B-----R(B✗)------B'-----R'(B'✗)…   (✗ = deleted on the server)
 * ```
 *
 * Memory stays bounded however long the input runs: at most `concurrency` prompts are in flight,
 * each prompt's chain runs to its end before its slot is reused, nothing is accumulated, and
 * {@link cleanup} (built in, `'passing'` mode) deletes a chain's earlier images as the later
 * ones arrive, including those of failed (`'skip'`) inputs and of inputs abandoned by
 * unsubscribing. Failures are isolated per prompt: a stage without its own `onError` skips a
 * failed prompt (it reaches that stage's `failures` sink, if any) and the stream goes on. A prompt
 * waiting for a slot is held by `mergeMap`; feed it from a source that
 * produces prompts as they are needed (a Subject, events) rather than a huge synchronous array.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { streamingPipeline } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const load = (name: string) => loadWorkflowFile(`data/workflows/${name}.json`);
 * from(['Mountain landscape', 'Ocean sunset', 'Forest path'])
 *   .pipe(streamingPipeline(client, { base: { workflow: await load('sdxl_base') }, refiner: { workflow: await load('sdxl_refiner') } }))
 *   .subscribe((r) => console.log(r.stage, r.lineage.prompt, r.imageName));
 * // generateBase Mountain landscape c1a0….png
 * // refine Mountain landscape 5d2c….png      (c1a0….png deleted)
 * // generateBase Ocean sunset …
 * ```
 *
 * @param client The InvokeAI client every stage runs on.
 * @param stages The stage configs (`base` required).
 * @param options The number of prompts in flight.
 * @return A function that returns an Observable that emits every stage's result per prompt (a
 * {@link FullPipelineOutput}: narrow it on `stage`).
 */
export function streamingPipeline(
  client: InvokeAIClient,
  stages: StreamingStages,
  options: StreamingPipelineOptions = {},
): OperatorFunction<BasePrompt, FullPipelineOutput> {
  const concurrency = options.concurrency ?? 1;
  const { runId } = options;
  const put = <C extends { runId?: string }>(c: C): C => (runId === undefined ? c : { runId, ...c });
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new TypeError(`streamingPipeline: concurrency must be a positive integer, got ${String(concurrency)}.`);
  }
  const build = (failures: Subject<StageFailure>) => {
    const sink = <Stage extends StageName>(own: FailureSink<Stage> | undefined) => (failure: StageFailure<Stage>) => {
      failures.next(failure);
      if (typeof own === 'function') own(failure);
      else own?.next(failure);
    };
    // A long run isolates failures per prompt: unless a stage says otherwise, a failed prompt
    // goes to the failures sinks and the others go on.
    // Keys are given per prompt below: each prompt runs in a subscription of its own.
    const { keyOf: _keyOf, ...baseConfig } = stages.base;
    const base = generateBase(client, put({ onError: 'skip', ...baseConfig, failures: sink(stages.base.failures) }));
    const rest: OperatorFunction<StageOutput, Exclude<FullPipelineOutput, BaseResult>>[] = [
      ...(stages.refiner ? [refine(client, put({ onError: 'skip', ...stages.refiner, failures: sink(stages.refiner.failures) }))] : []),
      ...(stages.upscaler ? [upscale(client, put({ onError: 'skip', ...stages.upscaler, failures: sink(stages.upscaler.failures) }))] : []),
      ...(stages.faces ? [enhanceFaces(client, put({ onError: 'skip', ...stages.faces, failures: sink(stages.faces.failures) }))] : []),
    ];
    return { base, rest };
  };
  // Under a run id a prompt's key is its own, `base.keyOf`'s, or its index in the source.
  const durable = (runId ?? stages.base.runId ?? stages.base.runOptions?.runId) !== undefined;
  const keyed = (prompt: BasePrompt, index: number): BasePrompt => {
    if (!durable || (typeof prompt === 'object' && prompt !== null && 'key' in prompt)) return prompt;
    const key = stages.base.keyOf ? stages.base.keyOf(prompt, index) : index;
    return typeof prompt === 'string' ? { prompt, key } : { ...prompt, key };
  };
  // Built once now so that a bad binding fails here, not at subscription.
  build(new Subject<StageFailure>());

  return (source) =>
    defer(() => {
      const failures = new Subject<StageFailure>();
      const { base, rest } = build(failures);
      return source.pipe(
        mergeMap((prompt, index) => of(keyed(prompt, index)).pipe(base, streamThrough(rest)), concurrency),
        cleanup(client, { failures }),
      );
    });
}
