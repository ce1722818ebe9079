import type { Graph } from '../../schemas/graph.js';

export type { Raster } from '../../image/index.js';
import type { Raster } from '../../image/index.js';

/** Where a node's saved image goes, mirroring `context.images.save()`. */
export interface SaveImageOptions {
  is_intermediate: boolean;
  board_id: string | null;
  /** `general`, or `mask` for mask-producing nodes. */
  image_category: 'general' | 'mask' | 'control' | 'user' | 'other';
  session_id: string;
  /** Prepared node id. */
  node_id: string;
  /** The node's `metadata` input (nodes `WithMetadata`), stored with the image; absent or null when none. */
  metadata?: Record<string, unknown> | null;
}

/** A model record as the emulator's model list holds it (a subset of `AnyModelConfig`). */
export interface EmulatorModel {
  key: string;
  hash: string;
  name: string;
  base: string;
  type: string;
  format: string;
  /** For upscalers: the model's native scale (e.g. 4 for RealESRGAN_x4plus). */
  scale?: number;
  [extra: string]: unknown;
}

/** A node's failure as the server records it on the queue item. */
export interface NodeErrorInfo {
  error_type: string;
  error_message: string;
  error_traceback: string;
}

/**
 * What the graph executor needs from the server around it. The server owns storage, events,
 * time and faults; the executor owns graph semantics and node behaviour.
 */
export interface ExecutionHost {
  /** Stores a new image and returns its name (`<uuid>.png`). Emits nothing: the executor emits "Saving image". */
  saveImage(raster: Raster, options: SaveImageOptions): string;
  /** Loads a stored image; throws an error with `name === 'ImageRecordNotFoundException'` when unknown. */
  loadImage(imageName: string): Raster;
  /** Model record by key, or undefined. */
  getModel(key: string): EmulatorModel | undefined;
  /** Emits an invocation event for this session's queue item (payload without queue-item fields). */
  emit(
    event: 'invocation_started' | 'invocation_progress' | 'invocation_complete',
    payload: {
      invocation: Record<string, unknown>;
      invocation_source_id: string;
      message?: string;
      percentage?: number | null;
      image?: { width: number; height: number; dataURL: string } | null;
      result?: Record<string, unknown>;
    },
  ): void;
  /** Simulated GPU time for one unit of work (a denoise step, a decode, …). Rejects when canceled. */
  work(nodeType: string, units: number): Promise<void>;
  /** Throws (a `CanceledException`-named error) when the item was canceled; checked between nodes and steps. */
  checkCanceled(): void;
  /** An injected failure for this node type, if the fault controls hold one. */
  injectedFailure(nodeType: string, nodeId: string): NodeErrorInfo | undefined;
  /** Emit small preview images with denoise progress. */
  readonly progressImages: boolean;
  /**
   * The metadata stored with an image (`metadata_from_image`, `metadata_field_extractor`);
   * optional — without it those nodes see `{}`.
   */
  getImageMetadata?(imageName: string): Record<string, unknown> | null | undefined;
}

/** The execution state the server stores as `session` on the queue item (GraphExecutionState). */
export interface SessionState {
  id: string;
  graph: Graph;
  execution_graph: Graph;
  executed: string[];
  executed_history: string[];
  results: Record<string, Record<string, unknown>>;
  errors: Record<string, string>;
  prepared_source_mapping: Record<string, string>;
  source_prepared_mapping: Record<string, string[]>;
  /** 6.14 scheduler state (required by 6.14's `GraphExecutionState` schema: the two call lists). */
  prepared_iteration_paths?: Record<string, number[]>;
  ready_order?: string[];
  indegree?: Record<string, number>;
  workflow_call_stack?: unknown[];
  workflow_call_history?: unknown[];
  workflow_call_parent?: unknown;
  waiting_workflow_call?: unknown;
  waiting_workflow_call_execution?: unknown;
  waiting_workflow_call_child_session?: unknown;
  max_workflow_call_depth?: number;
}

/** Thrown by {@link ExecuteSession} when a node fails; the session holds results so far. */
export interface NodeFailure {
  readonly kind: 'node_failure';
  /** Prepared node id, and its source (workflow) node id. */
  node_id: string;
  source_node_id: string;
  /** Full invocation as executed (for `invocation_error`). */
  invocation: Record<string, unknown>;
  info: NodeErrorInfo;
  session: SessionState;
}

/** Validates a graph as `enqueue_batch` does: returns FastAPI 422 `detail` entries, empty when valid. */
export type ValidateGraph = (graph: Graph) => Array<{ loc: (string | number)[]; msg: string; type: string; input?: unknown }>;

/**
 * Runs one session to the end. Resolves with the final state; rejects with a {@link NodeFailure}
 * when a node fails, or with the error from `host.checkCanceled()` when canceled.
 */
export type ExecuteSession = (sessionId: string, graph: Graph, host: ExecutionHost) => Promise<SessionState>;
