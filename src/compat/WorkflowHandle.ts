import {
  type Observable,
  ReplaySubject,
  Subscription,
  defer,
  firstValueFrom,
  from,
  lastValueFrom,
  switchMap,
  throwError,
  timeout,
} from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { InputValueError } from '../errors/InputValueError.js';
import { ModelNotFoundError } from '../errors/ModelNotFoundError.js';
import { RunTimeoutError } from '../errors/RunTimeoutError.js';
import { type RunWorkflowOptions, runWorkflow } from '../run/runWorkflow.js';
import type { RunEvent, RunResult } from '../run/types.js';
import type { ModelConfig } from '../schemas/model.js';
import type { SessionQueueItem } from '../schemas/queue.js';
import { type ServerCompatibility, checkAgainstServer } from '../workflow/checkAgainstServer.js';
import { type ModelIdentifier, zModelIdentifier } from '../workflow/fieldKinds.js';
import { fieldTableFromOpenApi } from '../workflow/fieldTableFromOpenApi.js';
import type { DriftReport, IndexMap } from '../workflow/indexMap.js';
import { type QueueItemLike, mapOutputs } from '../workflow/mapOutputs.js';
import { syncModels } from '../workflow/syncModels.js';
import type { Workflow, WorkflowInput } from '../workflow/Workflow.js';
import { NoSubmissionError } from './NoSubmissionError.js';
import { nodeFs } from '../workflow/nodeFs.js';
import type {
  InputPreview,
  ModelSyncChange,
  OutputImageMapping,
  SubmitOptions,
  SubmitSyncOptions,
  SubmitSyncResult,
  SyncDnnModelOptions,
  WaitForCompletionOptions,
  WorkflowInputRecord,
} from './types.js';
import type { WorkflowDefinition } from './WorkflowDefinition.js';
import { WorkflowField } from './WorkflowField.js';

/** Seconds `waitForCompletionSync` waits by default (the Python client's default). */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 60;

/** A submission this handle tracks from before its enqueue until its queue item ends. */
interface TrackedRun {
  readonly batch_id: string;
  readonly item_ids: number[];
  /** The first queue item once the run completed, or the run's error. Replays to late waiters. */
  readonly outcome$: ReplaySubject<SessionQueueItem>;
  readonly subscription: Subscription;
  /** The outcome is known (completed, failed, canceled or timed out). */
  done: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREVIEW_MAX = 60;
/** Finished submissions kept per handle for `waitForCompletionSync(submission)`. */
const MAX_REMEMBERED_RUNS = 32;

/**
 * A workflow prepared for one server, with the imperative surface of the Python client's
 * `WorkflowHandle` on top of the reactive engine: set inputs by form index, sync models, submit,
 * wait, map outputs. Each assignment derives a new immutable {@link Workflow}
 * ({@link WorkflowHandle.workflow}); the handle only holds the latest one.
 *
 * Differences from the Python client, all deliberate:
 * - `submitSync()` listens to the server's events **before** enqueueing and keeps tracking the
 *   item in the background, so a `waitForCompletionSync()` after a job that already finished
 *   still returns it.
 * - A failed item rejects with `QueueItemFailedError` carrying `error_type`, `error_message` and
 *   `error_traceback`; a timeout cancels the item on the server (`PUT .../cancel`) and rejects
 *   with `RunTimeoutError`.
 * - `syncDnnModel()` never overwrites a model input the script set.
 * - Board inputs may hold a board name (`'base_stage'`): it is resolved (and by default created)
 *   at submission. Model inputs may hold an installed model's name.
 * - `waitForCompletionSync(submission)` (as the Python docs write it) waits for that submission.
 *
 * ## Example
 * ```ts
 * import { InvokeAIClient, WorkflowDefinition } from 'invokeai-rx';
 * const client = InvokeAIClient.fromUrl('http://localhost:9090');
 * const wf = client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_with_refiner.json'));
 * await wf.syncDnnModel({ byName: true, byBase: true });
 * wf.getInputValue(0).value = 'Epic landscape with mountains and lakes, highly detailed';
 * wf.getInputValue(2).value = 42;
 * await wf.submitSync();
 * const result = await wf.waitForCompletionSync({ timeout: 240 });
 * for (const m of wf.mapOutputsToImages(result)) console.log(m.nodeId, m.boardId, m.imageNames);
 * ```
 */
export class WorkflowHandle {
  /** What the handle was created from (never changes). */
  readonly definition: WorkflowDefinition;
  /** Problems that did not prevent loading (inputs the bundled table does not know, dangling form fields, …). */
  readonly warnings: readonly string[];

  readonly #client: InvokeAIClient;
  #workflow: Workflow;
  /** Model inputs set to a model name, by form index; resolved against the server's models later. */
  readonly #modelNames = new Map<number, string>();
  /** A `syncDnnModel()` still running: submissions wait for it. */
  #syncing: Promise<unknown> | null = null;
  #syncToken: object | null = null;
  readonly #runs = new Map<string, TrackedRun>();
  #latest: TrackedRun | null = null;
  readonly #fields = new Map<number, WorkflowField>();

  /** @internal Use `client.workflowRepo.createWorkflow(definition)`. */
  constructor(client: InvokeAIClient, definition: WorkflowDefinition, warnings: readonly string[] = []) {
    this.#client = client;
    this.definition = definition;
    this.#workflow = definition.workflow;
    this.warnings = Object.freeze([...definition.workflow.warnings, ...warnings]);
  }

  /**
   * The current immutable workflow: the definition's, with every input set so far (model names
   * assigned to model inputs appear once a sync or submission has resolved them).
   */
  get workflow(): Workflow {
    return this.#workflow;
  }

  /** Batch id of the latest `submitSync()`, or `null`. */
  get batchId(): string | null {
    return this.#latest?.batch_id ?? null;
  }

  /** Queue item ids of the latest `submitSync()` (empty before the first). */
  get itemIds(): readonly number[] {
    return this.#latest ? [...this.#latest.item_ids] : [];
  }

  // ── Inputs ──────────────────────────────────────────────────────────────────────────────────

  /** Every form input, in form order (index = position). A fresh array each call. */
  listInputs(): WorkflowInputRecord[] {
    return this.#workflow.inputs.map((input) => this.#record(input));
  }

  /**
   * The input at a form index (or with a unique label).
   * @throws InputIndexError when there is no such input; AmbiguousLabelError for a shared label.
   */
  getInput(ref: number | string): WorkflowInputRecord {
    return this.#record(this.#workflow.input(ref));
  }

  /**
   * The live field of an input: read `.value`, or assign it (validated on assignment).
   * @throws InputIndexError when there is no such input.
   */
  getInputValue(ref: number | string): WorkflowField {
    return this.#field(this.#workflow.input(ref).index);
  }

  /**
   * Sets an input (what assigning `getInputValue(i).value` does). `value` may also be another
   * field, whose value is copied. `null` clears an optional input. A model input also takes an
   * installed model's name.
   * @throws InputIndexError, InputValueError (naming index, label, kind and what is allowed).
   */
  setInputValue(ref: number | string, value: unknown): void {
    const input = this.#workflow.input(ref);
    const given = value instanceof WorkflowField ? value.value : value;
    if (input.kind === 'model' && typeof given === 'string') {
      if (given.trim() === '') {
        throw new InputValueError({
          index: input.index,
          label: input.label,
          kind: input.kind,
          value: given,
          allowed: "a model identifier {key, hash, name, base, type} or an installed model's name",
        });
      }
      this.#modelNames.set(input.index, given);
      return;
    }
    this.#workflow = this.#workflow.set(input.index, given);
    this.#modelNames.delete(input.index);
  }

  /** A compact view of every input: `{ index, label, type, value }`, long strings shortened. */
  preview(): InputPreview[] {
    return this.#workflow.inputs.map((input) => {
      const value = this.#read(input.index);
      return {
        index: input.index,
        label: input.label,
        type: input.kind,
        value: typeof value === 'string' && value.length > PREVIEW_MAX ? `${value.slice(0, PREVIEW_MAX - 3)}...` : value,
      };
    });
  }

  /**
   * The current form index of every input, to keep next to a script; with `path` (Node.js only)
   * it is also written there as JSON.
   */
  exportInputIndexMap(path?: string): IndexMap {
    const map = this.#workflow.indexMap();
    if (path !== undefined) {
      nodeFs('exportInputIndexMap(path)', 'exportInputIndexMap() and store the returned map yourself').writeFileSync(
        path,
        `${JSON.stringify(map, null, 2)}\n`,
      );
    }
    return map;
  }

  /**
   * Compares a recorded index map (or the JSON file holding one, Node.js only) with the current
   * form: which inputs are unchanged, moved, missing, added or changed kind. Use
   * `handle.workflow.assertIndexMap(map)` to throw `IndexDriftError` instead.
   */
  verifyInputIndexMap(mapOrPath: IndexMap | string): DriftReport {
    const map =
      typeof mapOrPath === 'string'
        ? (JSON.parse(nodeFs('verifyInputIndexMap(path)', 'verifyInputIndexMap(map)').readFileSync(mapOrPath, 'utf8')) as IndexMap)
        : mapOrPath;
    return this.#workflow.verifyIndexMap(map);
  }

  // ── Server checks and models ────────────────────────────────────────────────────────────────

  /**
   * Rebinds every model reference of the workflow (all nodes, not only form inputs) to the models
   * installed on the server, by key, hash, then name (and type), then optionally base and type.
   * Inputs the script set are never changed (the Python client resets them); model names
   * assigned to inputs are resolved here too. Nothing changes unless every reference matches.
   *
   * A submission made while this runs waits for it, so a forgotten `await` is harmless.
   * @return The references that changed.
   * @throws ModelNotFoundError for the first reference no installed model matches.
   */
  syncDnnModel(options: SyncDnnModelOptions = {}): Promise<ModelSyncChange[]> {
    const token = {};
    this.#syncToken = token;
    const run = (async () => {
      try {
        const models = await firstValueFrom(this.#client.models.list());
        const start = this.#workflow;
        const synced = syncModels(resolveModelNames(start, this.#modelNames, models), models, {
          byName: options.byName ?? true,
          byBase: options.byBase ?? false,
        });
        this.#workflow = synced;
        this.#modelNames.clear();
        return modelChanges(start, synced);
      } finally {
        if (this.#syncToken === token) {
          this.#syncToken = null;
          this.#syncing = null;
        }
      }
    })();
    // Still running (the body awaits before it can finish): submissions wait for it.
    if (this.#syncToken === token) this.#syncing = run;
    return run;
  }

  /**
   * Checks the workflow against the connected server's own invocation schemas
   * (`GET /openapi.json`): node types and input fields the server lacks.
   */
  async checkServer(): Promise<ServerCompatibility> {
    const doc = await firstValueFrom(this.#client.app.openapi());
    return checkAgainstServer(this.#workflow, fieldTableFromOpenApi(doc));
  }

  // ── Running ─────────────────────────────────────────────────────────────────────────────────

  /**
   * The reactive run of the current inputs: `runWorkflow(client, workflow, options)` after board
   * and model names are resolved. Cold: every subscription submits once; unsubscribing before
   * completion cancels the queue item.
   *
   * ```
   * subscribe ─ resolve names ─ socket ─ POST enqueue ─ enqueued ─ started ─ progress… ─ completed|
   * ```
   */
  submit(options: SubmitOptions = {}): Observable<RunEvent> {
    return defer(() => from(this.#prepare(options))).pipe(switchMap((wf) => runWorkflow(this.#client, wf, runOptions(options))));
  }

  /**
   * Enqueues the current inputs and resolves once the server accepted the batch. The run is
   * tracked from before the enqueue until its queue item ends, in the background, so a later
   * {@link waitForCompletionSync} cannot miss a job that finishes quickly.
   * @throws (rejects) HttpError / EnqueueError / InputValueError / ModelNotFoundError when nothing was queued.
   */
  async submitSync(options: SubmitSyncOptions = {}): Promise<SubmitSyncResult> {
    const wf = await this.#prepare(options);
    return new Promise<SubmitSyncResult>((resolve, reject) => {
      const outcome$ = new ReplaySubject<SessionQueueItem>(1);
      const completed: SessionQueueItem[] = [];
      const subscription = new Subscription();
      let run: TrackedRun | null = null;
      subscription.add(
        // The handle cancels on timeout itself, and a run nobody waits for must still finish.
        runWorkflow(this.#client, wf, { ...runOptions(options), cancelOnUnsubscribe: false, itemErrors: 'throw' }).subscribe({
          next: (event) => {
            if (event.type === 'enqueued') {
              run = { batch_id: event.batch_id, item_ids: [...event.item_ids], outcome$, subscription, done: false };
              this.#remember(run);
              resolve({ batch_id: event.batch_id, item_ids: [...event.item_ids], enqueued: event.item_ids.length });
            } else if (event.type === 'completed') {
              completed.push(event.result.item);
            }
          },
          error: (error: unknown) => {
            if (run) run.done = true;
            outcome$.error(error);
            if (!run) reject(error);
          },
          complete: () => {
            if (run) run.done = true;
            const first = completed.sort((a, b) => a.item_id - b.item_id)[0];
            if (first) outcome$.next(first);
            outcome$.complete();
          },
        }),
      );
    });
  }

  /**
   * Waits for the latest `submitSync()` (or the given one) and resolves with its completed queue
   * item (the first one when the batch made several).
   *
   * Rejects with `QueueItemFailedError` (the server's `error_type`, `error_message`,
   * `error_traceback`, failing node), `QueueItemCanceledError`, or — after `timeout` seconds,
   * once the item has been canceled on the server — `RunTimeoutError`.
   * @throws (rejects) NoSubmissionError when nothing was submitted.
   */
  waitForCompletionSync(options?: WaitForCompletionOptions): Promise<SessionQueueItem>;
  waitForCompletionSync(submission: SubmitSyncResult, options?: WaitForCompletionOptions): Promise<SessionQueueItem>;
  async waitForCompletionSync(
    first?: WaitForCompletionOptions | SubmitSyncResult,
    second?: WaitForCompletionOptions,
  ): Promise<SessionQueueItem> {
    const submission = first && 'batch_id' in first ? first : null;
    const options = (submission ? second : (first as WaitForCompletionOptions | undefined)) ?? {};
    const run = submission ? this.#runs.get(submission.batch_id) : this.#latest;
    if (!run) throw new NoSubmissionError({ method: 'waitForCompletionSync', batch_id: submission?.batch_id ?? null });
    const ms = timeoutMs(options.timeout);
    const timedOut = Symbol('timed out');
    try {
      return await firstValueFrom(
        ms === Infinity ? run.outcome$ : run.outcome$.pipe(timeout({ first: ms, with: () => throwError(() => timedOut) })),
      );
    } catch (error) {
      if (error !== timedOut) throw error;
    }
    const error = new RunTimeoutError({ phase: 'total', timeout: ms, item_id: run.item_ids[0] ?? null });
    error.message =
      `waitForCompletionSync timed out after ${ms / 1000} s: queue item ${run.item_ids.join(', ')} did not finish and was canceled on the server. ` +
      'Pass a larger { timeout } (seconds, null = no limit), or check that the InvokeAI queue is processing.';
    run.subscription.unsubscribe();
    run.done = true;
    try {
      await this.#cancelRun(run);
    } catch (cancelError) {
      // The item may still be running: say why it was not canceled.
      Object.defineProperty(error, 'cause', { value: cancelError, enumerable: false, configurable: true, writable: true });
    }
    run.outcome$.error(error);
    throw error;
  }

  /**
   * Cancels the latest `submitSync()` on the server (`PUT /queue/{q}/i/{id}/cancel`; the Python
   * client's `DELETE` is refused). A pending wait then rejects with `QueueItemCanceledError`.
   * @throws (rejects) NoSubmissionError when nothing was submitted; HttpError when the server refuses.
   */
  async cancel(): Promise<void> {
    const run = this.#latest;
    if (!run) throw new NoSubmissionError({ method: 'cancel' });
    await this.#cancelRun(run);
  }

  // ── Outputs ─────────────────────────────────────────────────────────────────────────────────

  /**
   * The form inputs that route an image-producing node's output: exposed `board` fields of nodes
   * whose invocation outputs images (any such node, not a fixed list of types).
   */
  listOutputs(): WorkflowInputRecord[] {
    const producing = new Set(mapOutputs(this.#workflow, {}).map((m) => m.nodeId));
    return this.listInputs().filter((r) => r.fieldName === 'board' && producing.has(r.nodeId));
  }

  /**
   * The images a completed queue item (or run result) produced, per output node: nodes whose
   * board the form exposes (in form order), then the other non-intermediate image nodes (in
   * workflow order). Read from `session.source_prepared_mapping` and `session.results`, so
   * image collections and iterations are included.
   */
  mapOutputsToImages(item: QueueItemLike | RunResult): OutputImageMapping[] {
    const queueItem = 'outputs' in item && 'item' in item ? item.item : item;
    const mappings = mapOutputs(this.#workflow, queueItem).filter((m) => !m.isIntermediate || m.boardInputIndex !== null);
    const exposed = mappings.filter((m) => m.boardInputIndex !== null).sort((a, b) => a.boardInputIndex! - b.boardInputIndex!);
    const others = mappings.filter((m) => m.boardInputIndex === null);
    return [...exposed, ...others].map((m) => ({
      nodeId: m.nodeId,
      nodeType: m.nodeType,
      boardId: m.boardId ?? 'none',
      imageNames: [...m.imageNames],
      inputIndex: m.boardInputIndex,
      isIntermediate: m.isIntermediate,
    }));
  }

  // ── Internals ───────────────────────────────────────────────────────────────────────────────

  #record(input: WorkflowInput): WorkflowInputRecord {
    return Object.freeze({
      inputIndex: input.index,
      label: input.label,
      fieldName: input.fieldName,
      nodeId: input.nodeId,
      nodeType: input.nodeType,
      nodeName: input.nodeLabel,
      kind: input.kind,
      required: input.required,
      field: this.#field(input.index),
    });
  }

  #field(index: number): WorkflowField {
    let field = this.#fields.get(index);
    if (!field) {
      field = new WorkflowField(index, {
        input: () => this.#workflow.inputs[index]!,
        read: () => this.#read(index),
        write: (value) => this.setInputValue(index, value),
      });
      this.#fields.set(index, field);
    }
    return field;
  }

  /** A value as scripts write it: image name, board id, pending model name. */
  #read(index: number): unknown {
    const name = this.#modelNames.get(index);
    if (name !== undefined) return name;
    const input = this.#workflow.inputs[index]!;
    const value = input.value as Record<string, unknown> | undefined;
    if (input.kind === 'image' && typeof value?.image_name === 'string') return value.image_name;
    if (input.kind === 'board' && typeof value?.board_id === 'string') return value.board_id;
    return input.value;
  }

  /**
   * The workflow to enqueue: the inputs as they are now (assignments made while this submission
   * is being prepared do not leak into it), after a still-running model sync, with model and
   * board names resolved.
   */
  async #prepare(options: SubmitOptions): Promise<Workflow> {
    let wf = this.#workflow;
    let names = new Map(this.#modelNames);
    const syncing = this.#syncing;
    if (syncing) {
      // The sync was started first, so this submission is meant to use its result; awaiting it
      // also surfaces the error of a sync the script did not await.
      await syncing;
      wf = this.#workflow;
      names = new Map(this.#modelNames);
    }
    if (names.size > 0) wf = resolveModelNames(wf, names, await firstValueFrom(this.#client.models.list()));
    return this.#resolveBoards(wf, options.createBoards ?? true);
  }

  /** Board inputs holding a board's name get its id (the board is created when missing and allowed). */
  async #resolveBoards(wf: Workflow, create: boolean): Promise<Workflow> {
    const named = wf.inputs.filter((i) => {
      const id = (i.value as { board_id?: unknown } | undefined)?.board_id;
      return i.kind === 'board' && typeof id === 'string' && id !== 'none' && id !== 'auto';
    });
    if (named.length === 0) return wf;
    const boards = await firstValueFrom(this.#client.boards.listAll());
    const changes: Record<number, string> = {};
    for (const input of named) {
      const id = (input.value as { board_id: string }).board_id;
      if (boards.some((b) => b.board_id === id)) continue;
      const byName = boards.find((b) => b.board_name === id);
      if (byName) {
        changes[input.index] = byName.board_id;
      } else if (create && !UUID.test(id)) {
        const board = await firstValueFrom(this.#client.boards.findOrCreate(id));
        boards.push(board);
        changes[input.index] = board.board_id;
      }
      // Else an unknown id: sent as is, the server decides (InvokeAI leaves the image uncategorized).
    }
    return Object.keys(changes).length > 0 ? wf.with(changes) : wf;
  }

  /** Keeps a submission for `waitForCompletionSync(submission)`; only the latest ones are kept. */
  #remember(run: TrackedRun): void {
    this.#runs.set(run.batch_id, run);
    this.#latest = run;
    // Each run holds its queue item (with the whole session): a script submitting in a loop must
    // not keep them all. Runs still in flight are never dropped.
    for (const [batchId, old] of this.#runs) {
      if (this.#runs.size <= MAX_REMEMBERED_RUNS) break;
      if (old !== run && old.done) this.#runs.delete(batchId);
    }
  }

  async #cancelRun(run: TrackedRun): Promise<void> {
    if (run.item_ids.length === 1) await lastValueFrom(this.#client.queue.cancelItem(run.item_ids[0]!));
    else await lastValueFrom(this.#client.queue.cancelByBatchIds([run.batch_id]));
  }
}

/** Sets every model input holding a name to the installed model of that name. */
function resolveModelNames(wf: Workflow, names: ReadonlyMap<number, string>, models: readonly ModelConfig[]): Workflow {
  let next = wf;
  for (const [index, name] of names) {
    const input = next.inputs[index]!;
    const current = zModelIdentifier.safeParse(input.value);
    // Prefer a model of the type, then the base, the input held before.
    const rank = (m: ModelConfig) => (current.success ? (m.type === current.data.type ? 0 : 2) + (m.base === current.data.base ? 0 : 1) : 0);
    const candidates = models.filter((m) => m.name === name).sort((a, b) => rank(a) - rank(b));
    let resolved: Workflow | null = null;
    for (const m of candidates) {
      try {
        resolved = next.set(index, { key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type });
        break;
      } catch {
        // Wrong base or type for this input: try the next model of that name.
      }
    }
    if (!resolved) {
      const base = current.success ? current.data.base : '';
      const type = current.success ? current.data.type : '';
      throw new ModelNotFoundError({
        index,
        nodeId: input.nodeId,
        fieldName: input.fieldName,
        wanted: { key: '', hash: '', name, base, type },
        candidates: models.filter((m) => m.base === base && m.type === type).map(({ key, hash, name, base, type }) => ({ key, hash, name, base, type })),
        tried: ['name'],
      });
    }
    next = resolved;
  }
  return next;
}

function runOptions(options: SubmitOptions): RunWorkflowOptions {
  const { priority, createBoards: _createBoards, ...rest } = options;
  return priority !== undefined && priority > 0 ? { ...rest, prepend: true } : rest;
}

function timeoutMs(seconds: number | null | undefined): number {
  const s = seconds === undefined ? DEFAULT_WAIT_TIMEOUT_SECONDS : seconds;
  if (s === null || s === Infinity) return Infinity;
  if (typeof s !== 'number' || !(s >= 0)) {
    throw new TypeError(`waitForCompletionSync: timeout must be a number of seconds >= 0 (or null for no limit), got ${String(s)}.`);
  }
  return s * 1000;
}

/** Model references that differ between two versions of a workflow (same nodes). */
function modelChanges(before: Workflow, after: Workflow): ModelSyncChange[] {
  const changes: ModelSyncChange[] = [];
  const old = new Map(before.json.nodes.map((n) => [n.id, n]));
  for (const node of after.json.nodes) {
    if (node.type !== 'invocation') continue;
    const prev = old.get(node.id);
    if (!prev || prev.type !== 'invocation') continue;
    for (const [fieldName, input] of Object.entries(node.data.inputs)) {
      const to = zModelIdentifier.safeParse(input.value);
      const from = zModelIdentifier.safeParse(prev.data.inputs[fieldName]?.value);
      if (!to.success || !from.success || sameModel(from.data, to.data)) continue;
      const formInput = after.inputs.find((i) => i.nodeId === node.id && i.fieldName === fieldName);
      changes.push({ nodeId: node.id, fieldName, inputIndex: formInput ? formInput.index : null, from: from.data, to: to.data });
    }
  }
  return changes;
}

function sameModel(a: ModelIdentifier, b: ModelIdentifier): boolean {
  return a.key === b.key && a.hash === b.hash && a.name === b.name && a.base === b.base && a.type === b.type;
}
