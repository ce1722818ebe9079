import { type Observable, defer, firstValueFrom, from, switchMap } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { runWorkflow } from '../run/runWorkflow.js';
import type { RunEvent, RunResult } from '../run/types.js';
import type { SessionQueueItem } from '../schemas/queue.js';
import { type ServerCompatibility, checkAgainstServer } from '../workflow/checkAgainstServer.js';
import type { DriftReport, IndexMap } from '../workflow/indexMap.js';
import type { QueueItemLike } from '../workflow/mapOutputs.js';
import { syncModels } from '../workflow/syncModels.js';
import type { Workflow } from '../workflow/Workflow.js';
import { HandleInputs } from './HandleInputs.js';
import { readIndexMapFile, writeIndexMapFile } from './indexMapFile.js';
import { imageProducingNodeIds, mapOutputsToImages } from './mapOutputsToImages.js';
import { modelChanges } from './modelChanges.js';
import { resolveBoardNames } from './resolveBoardNames.js';
import { resolveModelNames } from './resolveModelNames.js';
import { runOptions } from './runOptions.js';
import { SubmissionTracker } from './SubmissionTracker.js';
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
import type { WorkflowField } from './WorkflowField.js';

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
 * import { InvokeAIClient, WorkflowDefinition } from 'invokeai-rx/python-style';
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
  /** Problems that did not prevent loading (inputs the workflow's field table does not know, dangling form fields, …). */
  readonly warnings: readonly string[];

  readonly #client: InvokeAIClient;
  readonly #inputs: HandleInputs;
  /** A `syncDnnModel()` still running: submissions wait for it. */
  #syncing: Promise<unknown> | null = null;
  #syncToken: object | null = null;
  readonly #submissions: SubmissionTracker;

  /** @internal Use `client.workflowRepo.createWorkflow(definition)`. */
  constructor(client: InvokeAIClient, definition: WorkflowDefinition, warnings: readonly string[] = []) {
    this.#client = client;
    this.#submissions = new SubmissionTracker(client);
    this.definition = definition;
    this.#inputs = new HandleInputs(definition.workflow);
    this.warnings = Object.freeze([...definition.workflow.warnings, ...warnings]);
  }

  /**
   * The current immutable workflow: the definition's, with every input set so far (model names
   * assigned to model inputs appear once a sync or submission has resolved them).
   */
  get workflow(): Workflow {
    return this.#inputs.workflow;
  }

  /** Batch id of the latest `submitSync()`, or `null`. */
  get batchId(): string | null {
    return this.#submissions.batchId;
  }

  /** Queue item ids of the latest `submitSync()` (empty before the first). */
  get itemIds(): readonly number[] {
    return this.#submissions.itemIds;
  }

  // ── Inputs ──────────────────────────────────────────────────────────────────────────────────

  /** Every form input, in form order (index = position). A fresh array each call. */
  listInputs(): WorkflowInputRecord[] {
    return this.#inputs.records();
  }

  /**
   * The input at a form index (or with a unique label).
   * @throws InputIndexError when there is no such input; AmbiguousLabelError for a shared label.
   */
  getInput(ref: number | string): WorkflowInputRecord {
    return this.#inputs.record(ref);
  }

  /**
   * The live field of an input: read `.value`, or assign it (validated on assignment).
   * @throws InputIndexError when there is no such input.
   */
  getInputValue(ref: number | string): WorkflowField {
    return this.#inputs.field(ref);
  }

  /**
   * Sets an input (what assigning `getInputValue(i).value` does). `value` may also be another
   * field, whose value is copied. `null` clears an optional input. A model input also takes an
   * installed model's name.
   * @throws InputIndexError, InputValueError (naming index, label, kind and what is allowed).
   */
  setInputValue(ref: number | string, value: unknown): void {
    this.#inputs.set(ref, value);
  }

  /** A compact view of every input: `{ index, label, type, value }`, long strings shortened. */
  preview(): InputPreview[] {
    return this.#inputs.preview();
  }

  /**
   * The current form index of every input, to keep next to a script; with `path` (Node.js only)
   * it is also written there as JSON.
   */
  exportInputIndexMap(path?: string): IndexMap {
    const map = this.#inputs.workflow.indexMap();
    if (path !== undefined) writeIndexMapFile(path, map);
    return map;
  }

  /**
   * Compares a recorded index map (or the JSON file holding one, Node.js only) with the current
   * form: which inputs are unchanged, moved, missing, added or changed kind. Use
   * `handle.workflow.assertIndexMap(map)` to throw `IndexDriftError` instead.
   */
  verifyInputIndexMap(mapOrPath: IndexMap | string): DriftReport {
    return this.#inputs.workflow.verifyIndexMap(typeof mapOrPath === 'string' ? readIndexMapFile(mapOrPath) : mapOrPath);
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
        const start = this.#inputs.workflow;
        const synced = syncModels(resolveModelNames(start, this.#inputs.pendingModelNames(), models), models, {
          byName: options.byName ?? true,
          byBase: options.byBase ?? false,
        });
        this.#inputs.resolved(synced);
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
    return checkAgainstServer(this.#inputs.workflow, await firstValueFrom(this.#client.app.fieldTable()));
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
    return this.#submissions.submit(await this.#prepare(options), options);
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
    return this.#submissions.wait(submission, options);
  }

  /**
   * Cancels the latest `submitSync()` on the server (`PUT /queue/{q}/i/{id}/cancel`; the Python
   * client's `DELETE` is refused). A pending wait then rejects with `QueueItemCanceledError`.
   * @throws (rejects) NoSubmissionError when nothing was submitted; HttpError when the server refuses.
   */
  async cancel(): Promise<void> {
    await this.#submissions.cancelLatest();
  }

  // ── Outputs ─────────────────────────────────────────────────────────────────────────────────

  /**
   * The form inputs that route an image-producing node's output: exposed `board` fields of nodes
   * whose invocation outputs images (any such node, not a fixed list of types).
   */
  listOutputs(): WorkflowInputRecord[] {
    const producing = imageProducingNodeIds(this.#inputs.workflow);
    return this.listInputs().filter((r) => r.fieldName === 'board' && producing.has(r.nodeId));
  }

  /**
   * The images a completed queue item (or run result) produced, per output node: nodes whose
   * board the form exposes (in form order), then the other non-intermediate image nodes (in
   * workflow order). Read from `session.source_prepared_mapping` and `session.results`, so
   * image collections and iterations are included.
   */
  mapOutputsToImages(item: QueueItemLike | RunResult): OutputImageMapping[] {
    return mapOutputsToImages(this.#inputs.workflow, item);
  }

  // ── Internals ───────────────────────────────────────────────────────────────────────────────

  /**
   * The workflow to enqueue: the inputs as they are now (assignments made while this submission
   * is being prepared do not leak into it), after a still-running model sync, bound to the
   * server's field table when it has none (the handle's inputs take it too), with model and board
   * names resolved.
   */
  async #prepare(options: SubmitOptions): Promise<Workflow> {
    let wf = this.#inputs.workflow;
    let names = this.#inputs.pendingModelNames();
    const syncing = this.#syncing;
    if (syncing) {
      // The sync was started first, so this submission is meant to use its result; awaiting it
      // also surfaces the error of a sync the script did not await.
      await syncing;
      wf = this.#inputs.workflow;
      names = this.#inputs.pendingModelNames();
    }
    if (!wf.fieldTable) {
      const table = await firstValueFrom(this.#client.app.fieldTable());
      this.#inputs.adoptTable(table);
      wf = wf.withFieldTable(table);
    }
    if (names.size > 0) wf = resolveModelNames(wf, names, await firstValueFrom(this.#client.models.list()));
    return resolveBoardNames(this.#client, wf, options.createBoards ?? true);
  }
}
