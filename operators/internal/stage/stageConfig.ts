import type { Observable } from 'rxjs';
import type { InvokeAIClient } from '../../../src/client/types.js';
import type { runWorkflow } from '../../../src/run/runWorkflow.js';
import type { RunEvent } from '../../../src/run/types.js';
import type { IndexMap } from '../../../src/workflow/indexMap.js';
import type { SyncModelsOptions } from '../../../src/workflow/syncModels.js';
import type { Workflow } from '../../../src/workflow/Workflow.js';
import type { FailureSink, ImageInput, OnError, StageName } from '../../StageResult.js';
import type { ModelFallback, WarningSink } from '../../StageWarning.js';

/**
 * Run defaults of a stage (its `runOptions` override them):
 * - no queue position: a stage emits results only, so the `GET /status` a run sends for its
 *   `queued` events would be one wasted request per input;
 * - the queue item is re-read every 5 s (not 1 s) while the socket is connected: events drive
 *   completion, a reconnect re-reads at once, and a pipeline keeps many runs waiting in the
 *   queue, where a 1 s safety poll per run would cost more requests than the stages themselves.
 */
export const STAGE_RUN_DEFAULTS = { queuePosition: false, pollInterval: 5_000 } as const;

/** Options of the run core, passed through unchanged (timeouts, poll interval, …). */
export type RunOptions = Parameters<typeof runWorkflow>[2];

/** The function a stage runs a workflow with; `runWorkflow` unless a test injects another. */
export type RunWorkflowFn = (client: InvokeAIClient, workflow: Workflow, options?: RunOptions) => Observable<RunEvent>;

/** Options every stage shares; `Stage` types what the `failures` sink receives. */
export interface StageConfig<Binding extends object, Params extends object, Stage extends StageName = StageName> {
  /** The exported workflow this stage runs (`loadWorkflowFile`/`parseWorkflow`). */
  workflow: Workflow;
  /** Semantic name → form index. @default the binding of the matching `data/workflows` file */
  binding?: Binding;
  /**
   * A saved `workflow.indexMap()`: the operator refuses to be created (IndexDriftError) when the
   * form's fields moved since it was recorded.
   */
  indexMap?: IndexMap;
  /** Values used for every input, overridden per input by the values it carries. */
  params?: Partial<Params>;
  /**
   * Board NAME to save outputs to; created on demand (`client.boards.findOrCreate`, once per
   * subscription). Needs a `board` key in the binding. @default the workflow's own board value
   */
  board?: string;
  /**
   * How many inputs may run at once. `1` processes inputs one after another and keeps their
   * order (`concatMap`); more runs them in parallel (`mergeMap`) and emits in completion order.
   * @default 1
   */
  concurrency?: number;
  /** What to do when one input fails; see {@link OnError}. @default 'throw' */
  onError?: OnError;
  /**
   * Receives every input this stage gives up on without emitting: failures under
   * `onError: 'skip'` (required then), and inputs abandoned by unsubscribing.
   */
  failures?: FailureSink<Stage>;
  /**
   * Rebind the workflow's model references to the server's installed models before each run
   * (exported workflows carry the model keys of the machine they were made on): by key, hash,
   * then name + type. A model the server lacks fails the input with a `ModelNotFoundError` before
   * anything is enqueued, unless `modelFallback` allows a substitute. The model list is fetched
   * once per subscription. `false` sends the workflow's models as they are.
   * @default true
   */
  syncModels?: boolean | SyncModelsOptions;
  /**
   * What to do when the server lacks a model the workflow names; see {@link ModelFallback}.
   * `'same-base'` needs a `warnings` sink. (`syncModels: { byBase: true }` means `'same-base'`.)
   * @default 'none'
   */
  modelFallback?: ModelFallback;
  /** Receives a warning for every model substitution (`modelFallback: 'same-base'`), once per reference and model. */
  warnings?: WarningSink;
  /**
   * Options for `runWorkflow` (timeouts, …).
   * @default { queuePosition: false, pollInterval: 5000 } (see STAGE_RUN_DEFAULTS)
   */
  runOptions?: RunOptions;
  /**
   * How many times an input whose queue item was interrupted on the server is enqueued again
   * before its error surfaces as usual (then `onError` applies). Interrupted: the item ended
   * `canceled` (or vanished from the queue) although this stage did not cancel it, which is what
   * InvokeAI's startup does to the items a restart cut short; or it `failed` with `error_type`
   * `ServerRestartError`. Each resubmission is a new batch (a fresh batch id, even when
   * `runOptions.batchId` is set) of the same workflow values and uploads, and the input still
   * yields exactly one result. The stage's own cancels (unsubscribing, `runOptions.timeouts`) and
   * every other failure are never resubmitted.
   *
   * InvokeAI cannot tell a restart from a cancel made elsewhere (the Cancel button of the InvokeAI
   * UI, another client, clearing the queue): with this option on, such a cancel is resubmitted
   * too, up to this many times.
   * @default 0 (an interrupted item fails its input)
   */
  resubmitInterrupted?: number;
  /** Runs the workflow; inject a fake in tests. @default runWorkflow */
  run?: RunWorkflowFn;
  /**
   * Makes the stage durable (see `runWorkflow`'s `runId`): each input's work gets a place in the
   * run, `[stage, key, depth]`, and is looked up on the server before it is enqueued, so the
   * same pipeline run again with the same run id takes finished work from the server, follows
   * work still queued or running, and enqueues only what is missing. The key of an input is
   * `keyOf(input, index)`, else the input's own `key` (`{ prompt, key }`, `{ image, key }`),
   * else the chain's key from the input's lineage (set by the first stage of the chain), else the
   * input image's name; for `generateBase`, else the input's index in this subscription, which is
   * only stable when the source emits the same prompts in the same order (give keys for streams).
   * The depth counts the stages of the chain, so passes of one chain get distinct places.
   * Results carry `lineage.key` and `lineage.depth`. Resubmissions take the next attempt number.
   * An input abandoned by unsubscribing is reported to `failures` with no `created` images: a
   * resume needs them (its queue item may still complete), so `cleanup` keeps them; `cleanRun`
   * deletes a run's leftovers.
   * @default none
   */
  runId?: string;
  /** The stable key of an input under `runId` (see there); `index` counts this subscription's inputs. */
  keyOf?: (input: unknown, index: number) => string | number;
}

/** One input, as a stage understands it. */
export interface StageRequest {
  /** The input image, `null` for `generateBase`. */
  input: ImageInput | null;
  /** Semantic values carried by the input itself (win over `config.params`). */
  params: Record<string, unknown>;
  /** Prompt of the chain (generateBase sets it). */
  prompt?: string;
}

/** What a stage file tells `runStage`. */
export interface StageDefinition<In, Stage extends StageName = StageName> {
  stage: Stage;
  client: InvokeAIClient;
  config: StageConfig<object, object>;
  defaultBinding: Readonly<Record<string, number>>;
  /** Semantic names the stage binds. */
  keys: readonly string[];
  /** Names the binding must contain. */
  required: readonly string[];
  /** Splits one source value into its image and its own values; may throw (a per-input failure). */
  request(item: In): StageRequest;
  /**
   * Async work before the run, returning semantic values to add and the names of images it
   * created (enhanceRegion uploads its mask here). Runs inside the input's subscription, so it is
   * canceled with it.
   */
  prepare?(values: Record<string, unknown>): Observable<{ values: Record<string, unknown>; created: string[] }>;
  /** Keys whose values `prepare` turns into workflow values (not checked against the workflow at creation). */
  preparedKeys?: readonly string[];
}
