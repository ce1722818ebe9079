import type { RunWorkflowOptions } from '../run/runWorkflow.js';
import type { FieldKind } from '../workflow/fieldTableTypes.js';
import type { ModelIdentifier } from '../workflow/fieldKinds.js';
import type { WorkflowField } from './WorkflowField.js';

/** One form input of a workflow handle (`listInputs()`), the seed vocabulary's `IvkWorkflowInput`. */
export interface WorkflowInputRecord {
  /** Position in the form, depth-first pre-order: the stable handle scripts use. */
  readonly inputIndex: number;
  /** Display label (the input's own label, else node label + field title, else the field title). */
  readonly label: string;
  readonly fieldName: string;
  readonly nodeId: string;
  readonly nodeType: string;
  /** The node's own label, else its invocation title, else its type. */
  readonly nodeName: string;
  readonly kind: FieldKind;
  /** The server fails the node without a value or an edge. */
  readonly required: boolean;
  /** The live field: reading `.value` gives the current value, assigning it validates. */
  readonly field: WorkflowField;
}

/** One row of `preview()`. */
export interface InputPreview {
  index: number;
  label: string;
  /** The field kind (`string`, `integer`, `model`, …). */
  type: FieldKind;
  /** The current value; strings longer than 60 characters are cut to 57 plus `...`. */
  value: unknown;
}

/** What `submitSync()` resolves with once the batch is enqueued. */
export interface SubmitSyncResult {
  batch_id: string;
  item_ids: number[];
  /** How many queue items were created. */
  enqueued: number;
}

/** Options of `submit()` and `submitSync()`: those of `runWorkflow`, plus the Python client's `priority`. */
export interface SubmitOptions extends RunWorkflowOptions {
  /** `> 0` puts the batch at the front of the queue (same as `prepend: true`). @default 0 */
  priority?: number;
  /**
   * Board inputs holding a name rather than an existing board's id (`'base_stage'`) are resolved
   * by name before enqueueing; `true` also creates such a board when none has the name. Values
   * that look like UUIDs are never treated as names.
   * @default true
   */
  createBoards?: boolean;
}

/** Options of `submitSync()`: as {@link SubmitOptions}, except that the handle owns cancellation. */
export type SubmitSyncOptions = Omit<SubmitOptions, 'cancelOnUnsubscribe' | 'itemErrors'>;

/** Options of `waitForCompletionSync()`. */
export interface WaitForCompletionOptions {
  /**
   * Seconds to wait (as in the Python client) from this call on; on expiry the queue item is
   * canceled on the server (`PUT .../cancel`) and the wait rejects with `RunTimeoutError`.
   * `null` or `Infinity` waits without limit.
   * @default 60
   */
  timeout?: number | null;
}

/** One image-producing node of a completed queue item (`mapOutputsToImages()`). */
export interface OutputImageMapping {
  nodeId: string;
  nodeType: string;
  /** Board the images went to; `'none'` for Uncategorized (accepted by `boardRepo.getBoardHandle`). */
  boardId: string;
  /** Image names in execution order; several when the node ran inside an iteration. */
  imageNames: string[];
  /** Form index of the node's exposed `board` input, or `null` when the form does not expose it. */
  inputIndex: number | null;
  /** Intermediate images are hidden from the gallery. */
  isIntermediate: boolean;
}

/** One model reference rebound by `syncDnnModel()`. */
export interface ModelSyncChange {
  nodeId: string;
  fieldName: string;
  /** Form index of the input, or `null` when the reference is not a form input. */
  inputIndex: number | null;
  from: ModelIdentifier;
  to: ModelIdentifier;
}

/** Options of `syncDnnModel()`. */
export interface SyncDnnModelOptions {
  /** Match by exact name (and type) when key and hash fail. @default true */
  byName?: boolean;
  /** As a last resort, take the first installed model (by name) of the same base and type. @default false */
  byBase?: boolean;
}

/** Options of `createWorkflow()`. */
export interface CreateWorkflowOptions {
  /**
   * Check the workflow's node types against its field table (when it was given one) and throw
   * `UnknownNodeTypeError` for types it lacks. A workflow without a table is checked against the
   * server's own when its graph is built at submission, or at once with `await handle.checkServer()`.
   * @default true
   */
  validate?: boolean;
}
