import * as z from 'zod/mini';
import { zServerBatch, zServerGraph } from './graph.js';
import { openEnum } from './openEnum.js';
import { englishIssueMessages } from './englishIssueMessages.js';

englishIssueMessages();

// `GET /queue/{q}/i/{id}` serializes with `response_model_exclude_none`, so every nullable field
// may also be missing: they are all `z.nullish(z)`. Item-level objects are loose so that fields a
// newer server adds survive parsing (they are data a caller may want to log).

/**
 * `QUEUE_ITEM_STATUS`. Terminal: `completed`, `failed`, `canceled`. Open: a status a newer server
 * adds is kept as a string, and is neither terminal nor running for this library.
 */
export const zQueueItemStatus = openEnum(['pending', 'in_progress', 'waiting', 'completed', 'failed', 'canceled']);
export type QueueItemStatus = z.infer<typeof zQueueItemStatus>;
/** A status this library knows how to act on. */
export type KnownQueueItemStatus = (typeof zQueueItemStatus.known)[number];

/** One batch substitution applied to a queue item. */
export const zNodeFieldValue = z.object({
  node_path: z.string(),
  field_name: z.string(),
  value: z.unknown(),
});
export type NodeFieldValue = z.infer<typeof zNodeFieldValue>;

/** A node's output in `session.results`: `{type: 'image_output', image: {image_name}, …}`. */
export const zInvocationOutput = z.looseObject({ type: z.string() });
export type InvocationOutput = z.infer<typeof zInvocationOutput>;

/**
 * `GraphExecutionState` (the `session` of a queue item), reduced to what clients read. Loose:
 * the scheduler's bookkeeping fields (`indegree`, `ready_order`, workflow-call state) pass through.
 */
export const zGraphExecutionState = z.looseObject({
  id: z.string(),
  graph: zServerGraph,
  execution_graph: zServerGraph,
  executed: z.optional(z.array(z.string())),
  executed_history: z.optional(z.array(z.string())),
  /** Keyed by prepared node id. */
  results: z.record(z.string(), zInvocationOutput),
  /** Prepared node id → `"ErrorType: message"`. */
  errors: z.record(z.string(), z.string()),
  /** Prepared node id → workflow (source) node id. */
  prepared_source_mapping: z.record(z.string(), z.string()),
  /** Workflow (source) node id → prepared node ids (a set; order is arbitrary). */
  source_prepared_mapping: z.record(z.string(), z.array(z.string())),
});
export type GraphExecutionState = z.infer<typeof zGraphExecutionState>;

/** `SessionQueueItem`. */
export const zSessionQueueItem = z.looseObject({
  item_id: z.int(),
  status: zQueueItemStatus,
  status_sequence: z.nullish(z.int()),
  priority: z.int(),
  batch_id: z.string(),
  origin: z.nullish(z.string()),
  destination: z.nullish(z.string()),
  session_id: z.string(),
  error_type: z.nullish(z.string()),
  error_message: z.nullish(z.string()),
  error_traceback: z.nullish(z.string()),
  /** SQLite UTC string `YYYY-MM-DD HH:MM:SS.fff` (or ISO date-time). */
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.nullish(z.string()),
  completed_at: z.nullish(z.string()),
  queue_id: z.string(),
  /** Absent on servers older than multi-user support. @default 'system' on the server */
  user_id: z.optional(z.string()),
  user_display_name: z.nullish(z.string()),
  user_email: z.nullish(z.string()),
  field_values: z.nullish(z.array(zNodeFieldValue)),
  retried_from_item_id: z.nullish(z.int()),
  device: z.nullish(z.string()),
  workflow_call_id: z.nullish(z.string()),
  parent_item_id: z.nullish(z.int()),
  parent_session_id: z.nullish(z.string()),
  root_item_id: z.nullish(z.int()),
  workflow_call_depth: z.nullish(z.int()),
  session: zGraphExecutionState,
  workflow: z.nullish(z.record(z.string(), z.unknown())),
});
export type SessionQueueItem = z.infer<typeof zSessionQueueItem>;

/** `SessionQueueItemSummary`: the light row of `item_summaries_by_ids` (no session). */
export const zSessionQueueItemSummary = z.looseObject({
  item_id: z.int(),
  created_at: z.string(),
  status: zQueueItemStatus,
  device: z.nullish(z.string()),
  started_at: z.nullish(z.string()),
  completed_at: z.nullish(z.string()),
  origin: z.nullish(z.string()),
  destination: z.nullish(z.string()),
  batch_id: z.string(),
  user_id: z.optional(z.string()),
  user_display_name: z.nullish(z.string()),
  user_email: z.nullish(z.string()),
  field_values: z.nullish(z.array(zNodeFieldValue)),
  parent_item_id: z.nullish(z.int()),
});
export type SessionQueueItemSummary = z.infer<typeof zSessionQueueItemSummary>;

/** `ItemIdsResult` of `GET /item_ids`. */
export const zItemIdsResult = z.object({
  item_ids: z.array(z.int()),
  total_count: z.int(),
});
export type ItemIdsResult = z.infer<typeof zItemIdsResult>;

/** `EnqueueBatchResult`. `item_ids` are in descending order. */
export const zEnqueueBatchResult = z.object({
  queue_id: z.string(),
  enqueued: z.int(),
  requested: z.int(),
  batch: zServerBatch,
  priority: z.int(),
  item_ids: z.array(z.int()),
});
export type EnqueueBatchResult = z.infer<typeof zEnqueueBatchResult>;

const counts = {
  pending: z.int(),
  in_progress: z.int(),
  waiting: z.int(),
  completed: z.int(),
  failed: z.int(),
  canceled: z.int(),
  total: z.int(),
};

/** `BatchStatus`: an unknown batch id yields all counts 0. */
export const zBatchStatus = z.object({
  queue_id: z.string(),
  batch_id: z.string(),
  origin: z.nullish(z.string()),
  destination: z.nullish(z.string()),
  ...counts,
});
export type BatchStatus = z.infer<typeof zBatchStatus>;

/** `SessionQueueStatus`. */
export const zSessionQueueStatus = z.object({
  queue_id: z.string(),
  item_id: z.nullish(z.int()),
  batch_id: z.nullish(z.string()),
  session_id: z.nullish(z.string()),
  ...counts,
  user_pending: z.nullish(z.int()),
  user_in_progress: z.nullish(z.int()),
});
export type SessionQueueStatus = z.infer<typeof zSessionQueueStatus>;

/** `SessionProcessorStatus`. */
export const zSessionProcessorStatus = z.object({ is_started: z.boolean(), is_processing: z.boolean() });
export type SessionProcessorStatus = z.infer<typeof zSessionProcessorStatus>;

/** `SessionQueueAndProcessorStatus` of `GET /status`. */
export const zSessionQueueAndProcessorStatus = z.object({
  queue: zSessionQueueStatus,
  processor: zSessionProcessorStatus,
});
export type SessionQueueAndProcessorStatus = z.infer<typeof zSessionQueueAndProcessorStatus>;

/** `CancelByBatchIDsResult`. */
export const zCancelByBatchIDsResult = z.object({ canceled: z.int() });
export type CancelByBatchIDsResult = z.infer<typeof zCancelByBatchIDsResult>;
