import {
  EMPTY,
  Observable,
  ReplaySubject,
  defer,
  filter,
  forkJoin,
  map,
  mergeMap,
  of,
  share,
  shareReplay,
  switchMap,
  tap,
  throwError,
  throwIfEmpty,
  catchError,
  finalize,
  type OperatorFunction,
} from 'rxjs';
import type { InvokeAIClient } from '../../src/client/types.js';
import { ModelNotFoundError } from '../../src/errors/ModelNotFoundError.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent, RunResult } from '../../src/run/types.js';
import type { ModelConfig } from '../../src/schemas/model.js';
import type { IndexMap } from '../../src/workflow/indexMap.js';
import { syncModels, type SyncModelsOptions } from '../../src/workflow/syncModels.js';
import type { OutputMapping } from '../../src/workflow/mapOutputs.js';
import type { Workflow, WorkflowInput } from '../../src/workflow/Workflow.js';
import { BindingError } from '../errors/BindingError.js';
import { NoOutputImageError } from '../errors/NoOutputImageError.js';
import { StageCanceledError } from '../errors/StageCanceledError.js';
import type {
  FailureSink,
  ImageInput,
  OnError,
  StageFailure,
  StageFallback,
  StageLineage,
  StageName,
  StageOutput,
  StageResult,
} from '../StageResult.js';
import { attachFailure } from './failureContext.js';
import { descend, imageNameOf, lineageOf } from './lineage.js';
import { resubmitInterrupted } from './resubmitInterrupted.js';
import { validateBinding, type ResolvedBinding } from './validateBinding.js';

/**
 * Run defaults of a stage (its `runOptions` override them):
 * - no queue position: a stage emits results only, so the `GET /status` a run sends for its
 *   `queued` events would be one wasted request per input;
 * - the queue item is re-read every 5 s (not 1 s) while the socket is connected: events drive
 *   completion, a reconnect re-reads at once, and a pipeline keeps many runs waiting in the
 *   queue, where a 1 s safety poll per run would cost more requests than the stages themselves.
 */
const STAGE_RUN_DEFAULTS = { queuePosition: false, pollInterval: 5_000 } as const;

/** How long a stage keeps the server's model list after its last use. */
const MODEL_LIST_TTL = 60_000;

/** Options of the run core, passed through unchanged (timeouts, poll interval, …). */
export type RunOptions = Parameters<typeof runWorkflow>[2];

/** The function a stage runs a workflow with; `runWorkflow` unless a test injects another. */
export type RunWorkflowFn = (client: InvokeAIClient, workflow: Workflow, options?: RunOptions) => Observable<RunEvent>;

/** Options every stage shares. */
export interface StageConfig<Binding extends object, Params extends object> {
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
  failures?: FailureSink;
  /**
   * Rebind the workflow's model references to the server's installed models before each run
   * (exported workflows carry the model keys of the machine they were made on): by key, hash,
   * name + type, then base + type, as the original `sync_dnn_model(by_name=True, by_base=True)`.
   * The model list is fetched once per subscription. `false` sends the workflow's models as they are.
   * @default true
   */
  syncModels?: boolean | SyncModelsOptions;
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

/** What a stage file tells {@link runStage}. */
export interface StageDefinition<In> {
  stage: StageName;
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

/**
 * The engine behind every stage: validates the binding when the operator is created, then for
 * each input binds its values → `workflow.with(...)` → `run` → picks the output image → emits a
 * StageResult (or applies `onError`). A run whose queue item a server restart interrupted is
 * enqueued again up to `resubmitInterrupted` times before `onError` sees its error.
 *
 * Output image: among the image-producing nodes of the run that are not intermediate and produced
 * an image, the one whose `board` input is the bound `board` index; else the first non-intermediate
 * one with a board input exposed in the form; else the first non-intermediate one. A node that
 * produced several images (iteration) contributes its first.
 */
export function runStage<In>(def: StageDefinition<In>): OperatorFunction<In, StageOutput> {
  const { stage, client, config } = def;
  const workflow = config.workflow;
  const workflowName = workflow.name || workflow.source;
  const onError: OnError = config.onError ?? 'throw';
  const concurrency = config.concurrency ?? 1;
  const resubmits = config.resubmitInterrupted ?? 0;
  const run: RunWorkflowFn = config.run ?? runWorkflow;
  const sync: SyncModelsOptions | null =
    config.syncModels === false ? null : { byName: true, byBase: true, ...(typeof config.syncModels === 'object' ? config.syncModels : {}) };

  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new TypeError(`${stage}: concurrency must be a positive integer or Infinity, got ${String(concurrency)}.`);
  }
  if (!(Number.isInteger(resubmits) && resubmits >= 0)) {
    throw new TypeError(`${stage}: resubmitInterrupted must be an integer >= 0, got ${String(resubmits)}.`);
  }
  if (!['throw', 'skip', 'fallback'].includes(onError)) {
    throw new TypeError(`${stage}: onError must be 'throw', 'skip' or 'fallback', got ${JSON.stringify(onError)}.`);
  }
  if (onError === 'skip' && !config.failures) {
    throw new TypeError(
      `${stage}: onError 'skip' needs a failures sink (a callback or a Subject), so that skipped inputs are not lost silently.`,
    );
  }
  if (onError === 'fallback' && !def.keys.includes('image')) {
    throw new TypeError(`${stage}: onError 'fallback' passes the input image through, but ${stage} has no input image; use 'skip' or 'throw'.`);
  }

  const bindingObj = (config.binding ?? def.defaultBinding) as Readonly<Record<string, number | undefined>>;
  const binding = validateBinding({
    stage,
    workflow,
    binding: bindingObj,
    keys: def.keys,
    required: def.required,
    indexMap: config.indexMap,
  });
  if (config.board !== undefined && !binding.has('board')) {
    throw new BindingError({
      stage,
      workflow: workflowName,
      key: 'board',
      problem: 'not-bound',
      detail: 'the board option routes outputs through the form\'s board input, but the binding has no "board" key.',
    });
  }
  const defaults = definedEntries((config.params ?? {}) as Record<string, unknown>);
  checkBound(stage, workflowName, binding, defaults, 'config.params');
  // Constant defaults are checked against the workflow now, so a bad value fails at creation.
  const checkable = Object.fromEntries(Object.entries(defaults).filter(([k]) => !def.preparedKeys?.includes(k)));
  workflow.with(toIndexed(binding, withoutUnresolvedModels(binding, checkable)));

  // Shared by every subscription of this operator (a streaming pipeline subscribes it once per
  // prompt): one model list request per minute, not one per input.
  let modelList: { at: number; models$: Observable<ModelConfig[]> } | undefined;
  const models$: Observable<ModelConfig[]> = defer(() => {
    const now = Date.now();
    if (!modelList || now - modelList.at > MODEL_LIST_TTL) {
      modelList = { at: now, models$: client.models.list().pipe(shareReplay({ bufferSize: 1, refCount: false })) };
    }
    return modelList.models$;
  });

  return (source) =>
    defer(() => {
      const board$: Observable<string | null> =
        config.board === undefined
          ? of(null)
          : defer(() => client.boards.findOrCreate(config.board!)).pipe(
              map((b) => b.board_id),
              share({ connector: () => new ReplaySubject(1), resetOnError: true, resetOnComplete: false, resetOnRefCountZero: true }),
            );

      const process = (item: In): Observable<StageOutput> => {
        let request: StageRequest | undefined;
        let values: Record<string, unknown> = {};
        let itemId: number | null = null;
        let uploaded: string[] = [];
        let settled = false;

        const attempt$ = defer(() => {
          request = def.request(item);
          const fromLineage =
            request.input !== null && typeof request.input !== 'string' ? request.input.lineage.prompt : undefined;
          values = { ...defaults, ...definedEntries(request.params) };
          if (values['prompt'] === undefined && binding.has('prompt') && (request.prompt ?? fromLineage) !== undefined) {
            values['prompt'] = request.prompt ?? fromLineage;
          }
          if (request.input !== null) values['image'] = imageNameOf(request.input);
          checkBound(stage, workflowName, binding, values, 'the input');
          const prepared$ = def.prepare ? def.prepare(values) : of({ values: {}, created: [] as string[] });
          return forkJoin([board$, prepared$]).pipe(
            switchMap(([boardId, extra]) => {
              values = { ...values, ...extra.values };
              uploaded = extra.created;
              if (boardId !== null) values['board'] = config.board;
              const indexed = { ...values, ...(boardId !== null ? { board: { board_id: boardId } } : {}) };
              const bound = (models: readonly ModelConfig[]) => {
                const wf = workflow.with(toIndexed(binding, resolveModels(binding, indexed, models)));
                return sync ? syncModels(wf, models, sync) : wf;
              };
              const needsModels = sync !== null || hasModelNames(binding, indexed);
              return (needsModels ? models$ : of([])).pipe(
                switchMap((models) => {
                  const wf = bound(models);
                  let attempts = 0;
                  // Only the run is resubmitted: the board, the model list and prepare's uploads
                  // are reused, so a resubmission creates no second mask for cleanup to miss.
                  return defer(() => {
                    const options: NonNullable<RunOptions> = { ...STAGE_RUN_DEFAULTS, ...config.runOptions };
                    // A reused batch id would also return the interrupted item.
                    if (attempts++ > 0) delete options.batchId;
                    return run(client, wf, options);
                  }).pipe(resubmitInterrupted(resubmits));
                }),
              );
            }),
            tap((event) => {
              if (event.type === 'enqueued') itemId = event.item_ids[0] ?? null;
            }),
            filter((event): event is Extract<RunEvent, { type: 'completed' }> => event.type === 'completed'),
            map((event) => toResult(stage, workflowName, bindingObj, request!, values, uploaded, event.result)),
            throwIfEmpty(() => new Error(`${stage}: the run of workflow ${JSON.stringify(workflowName)} ended without a result.`)),
          );
        });

        return attempt$.pipe(
          tap({ complete: () => (settled = true), error: () => (settled = true) }),
          catchError((error: unknown) => {
            const failure = toFailure(stage, item, request, values, error, itemId, uploaded);
            if (onError === 'skip') {
              report(config.failures, failure);
              return EMPTY;
            }
            if (onError === 'fallback' && request?.input != null) {
              // Uploads made for the failed run are orphans: hand them to cleanup with the error.
              return of(toFallback(stage, request.input, values, error, itemId, uploaded));
            }
            attachFailure(error, failure);
            return throwError(() => error);
          }),
          finalize(() => {
            if (!settled && config.failures) {
              const input = request?.input != null ? imageNameOf(request.input) : null;
              const canceled = new StageCanceledError({ stage, input });
              report(config.failures, toFailure(stage, item, request, values, canceled, itemId, uploaded));
            }
          }),
        );
      };

      return source.pipe(mergeMap(process, concurrency));
    });
}

function report(sink: FailureSink | undefined, failure: StageFailure): void {
  if (!sink) return;
  if (typeof sink === 'function') sink(failure);
  else sink.next(failure);
}

function definedEntries(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function checkBound(
  stage: string,
  workflow: string,
  binding: ResolvedBinding,
  values: Record<string, unknown>,
  where: string,
): void {
  for (const key of Object.keys(values)) {
    if (key === 'image' || binding.has(key)) continue;
    throw new BindingError({
      stage,
      workflow,
      key,
      problem: 'not-bound',
      detail: `${where} sets ${JSON.stringify(key)}, but the binding has no index for it. Add it to the binding or drop the value.`,
    });
  }
}

function toIndexed(binding: ResolvedBinding, values: Record<string, unknown>): Record<number, unknown> {
  const indexed: Record<number, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const input = binding.get(key);
    if (input && value !== undefined) indexed[input.index] = value;
  }
  return indexed;
}

function withoutUnresolvedModels(binding: ResolvedBinding, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => !(binding.get(k)?.kind === 'model' && typeof v === 'string')));
}

function hasModelNames(binding: ResolvedBinding, values: Record<string, unknown>): boolean {
  return Object.entries(values).some(([k, v]) => binding.get(k)?.kind === 'model' && typeof v === 'string');
}

/**
 * Model inputs take a `ModelIdentifierField`; a model given by name is looked up among the
 * installed models (preferring the base and type of the model the workflow had).
 */
function resolveModels(binding: ResolvedBinding, values: Record<string, unknown>, models: readonly ModelConfig[]): Record<string, unknown> {
  const out = { ...values };
  for (const [key, value] of Object.entries(values)) {
    const input = binding.get(key);
    if (input?.kind === 'model' && typeof value === 'string') out[key] = pickModel(input, value, models);
  }
  return out;
}

function pickModel(input: WorkflowInput, name: string, models: readonly { key: string; hash: string; name: string; base: string; type: string }[]) {
  const current = (input.value ?? {}) as { base?: string; type?: string };
  const named = models.filter((m) => m.name === name);
  const best =
    named.find((m) => m.base === current.base && m.type === current.type) ??
    named.find((m) => current.type === undefined || m.type === current.type) ??
    named[0];
  if (!best) {
    throw new ModelNotFoundError({
      index: input.index,
      nodeId: input.nodeId,
      fieldName: input.fieldName,
      wanted: { key: '', hash: '', name, base: current.base ?? 'any', type: current.type ?? 'any' },
      candidates: models.filter((m) => current.type === undefined || m.type === current.type),
      tried: ['name'],
    });
  }
  return { key: best.key, hash: best.hash, name: best.name, base: best.base, type: best.type };
}

/** The gallery image of a run; see {@link runStage}. */
export function pickOutput(outputs: readonly OutputMapping[], boardIndex: number | undefined): OutputMapping | undefined {
  const finals = outputs.filter((o) => !o.isIntermediate && o.imageNames.length > 0);
  return (
    (boardIndex !== undefined ? finals.find((o) => o.boardInputIndex === boardIndex) : undefined) ??
    finals.find((o) => o.boardInputIndex !== null) ??
    finals[0]
  );
}

function toResult(
  stage: StageName,
  workflow: string,
  binding: Readonly<Record<string, number | undefined>>,
  request: StageRequest,
  values: Record<string, unknown>,
  uploaded: readonly string[],
  result: RunResult,
): StageResult {
  const output = pickOutput(result.outputs, binding['board']);
  if (!output) throw new NoOutputImageError({ stage, item_id: result.item.item_id, workflow });
  const { lineage, created } =
    request.input === null ? { lineage: baseLineage(request.prompt), created: [] as string[] } : descend(request.input);
  const { enqueuedAt, startedAt, completedAt } = result.timings;
  return {
    stage,
    imageName: output.imageNames[0]!,
    board: output.boardId,
    item_id: result.item.item_id,
    batch_id: result.item.batch_id,
    input: request.input === null ? null : imageNameOf(request.input),
    params: { ...values },
    timings: { enqueuedAt, startedAt, completedAt, durationMs: completedAt - enqueuedAt },
    lineage,
    created: [...created, ...uploaded],
    ok: true,
  };
}

function baseLineage(prompt: string | undefined): StageLineage {
  return prompt === undefined ? { chain: [] } : { prompt, chain: [] };
}

function toFallback(
  stage: StageName,
  input: ImageInput,
  values: Record<string, unknown>,
  error: unknown,
  itemId: number | null,
  uploaded: readonly string[],
): StageFallback {
  const { lineage, created, owned, board } = lineageOf(input);
  return {
    stage,
    imageName: imageNameOf(input),
    board,
    item_id: itemIdOf(error) ?? itemId,
    batch_id: batchIdOf(error),
    input: imageNameOf(input),
    params: { ...values },
    timings: null,
    lineage,
    created: [...created, ...uploaded],
    ok: false,
    error,
    inputCreated: owned,
  };
}

function toFailure(
  stage: StageName,
  item: unknown,
  request: StageRequest | undefined,
  values: Record<string, unknown>,
  error: unknown,
  itemId: number | null,
  uploaded: readonly string[],
): StageFailure {
  const input = request?.input ?? (typeof item === 'string' && stage !== 'generateBase' ? item : null);
  const inputName = input === null ? null : imageNameOf(input);
  const { lineage, created, owned } = input === null ? { lineage: baseLineage(request?.prompt), created: [], owned: false } : lineageOf(input);
  const failure: StageFailure = {
    stage,
    input: inputName,
    params: { ...values },
    error,
    item_id: itemIdOf(error) ?? itemId,
    lineage,
    created: [...created, ...(owned && inputName !== null ? [inputName] : []), ...uploaded],
    ok: false,
  };
  const prompt = request?.prompt ?? lineage.prompt;
  if (prompt !== undefined) failure.prompt = prompt;
  return failure;
}

function itemIdOf(error: unknown): number | null {
  const id = (error as { item_id?: unknown } | null)?.item_id;
  return typeof id === 'number' ? id : null;
}

function batchIdOf(error: unknown): string | null {
  const e = error as { batch_id?: unknown; item?: { batch_id?: unknown } } | null;
  const id = e?.batch_id ?? e?.item?.batch_id;
  return typeof id === 'string' ? id : null;
}
