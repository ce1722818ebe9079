import * as z from 'zod';
import { zServerBatch, zServerGraph } from './graph.js';
import { openEnum } from './openEnum.js';

// `GET /queue/{q}/i/{id}` serializes with `response_model_exclude_none`, so every nullable field
// may also be missing: they are all `.nullish()`. Item-level objects are loose so that fields a
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
  executed: z.array(z.string()).optional(),
  executed_history: z.array(z.string()).optional(),
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
  item_id: z.number().int(),
  status: zQueueItemStatus,
  status_sequence: z.number().int().nullish(),
  priority: z.number().int(),
  batch_id: z.string(),
  origin: z.string().nullish(),
  destination: z.string().nullish(),
  session_id: z.string(),
  error_type: z.string().nullish(),
  error_message: z.string().nullish(),
  error_traceback: z.string().nullish(),
  /** SQLite UTC string `YYYY-MM-DD HH:MM:SS.fff` (or ISO date-time). */
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullish(),
  completed_at: z.string().nullish(),
  queue_id: z.string(),
  /** Absent on servers older than multi-user support. @default 'system' on the server */
  user_id: z.string().optional(),
  user_display_name: z.string().nullish(),
  user_email: z.string().nullish(),
  field_values: z.array(zNodeFieldValue).nullish(),
  retried_from_item_id: z.number().int().nullish(),
  device: z.string().nullish(),
  workflow_call_id: z.string().nullish(),
  parent_item_id: z.number().int().nullish(),
  parent_session_id: z.string().nullish(),
  root_item_id: z.number().int().nullish(),
  workflow_call_depth: z.number().int().nullish(),
  session: zGraphExecutionState,
  workflow: z.record(z.string(), z.unknown()).nullish(),
});
export type SessionQueueItem = z.infer<typeof zSessionQueueItem>;

/** `SessionQueueItemSummary`: the light row of `item_summaries_by_ids` (no session). */
export const zSessionQueueItemSummary = z.looseObject({
  item_id: z.number().int(),
  created_at: z.string(),
  status: zQueueItemStatus,
  device: z.string().nullish(),
  started_at: z.string().nullish(),
  completed_at: z.string().nullish(),
  origin: z.string().nullish(),
  destination: z.string().nullish(),
  batch_id: z.string(),
  user_id: z.string().optional(),
  user_display_name: z.string().nullish(),
  user_email: z.string().nullish(),
  field_values: z.array(zNodeFieldValue).nullish(),
  parent_item_id: z.number().int().nullish(),
});
export type SessionQueueItemSummary = z.infer<typeof zSessionQueueItemSummary>;

/** `ItemIdsResult` of `GET /item_ids`. */
export const zItemIdsResult = z.object({
  item_ids: z.array(z.number().int()),
  total_count: z.number().int(),
});
export type ItemIdsResult = z.infer<typeof zItemIdsResult>;

/** `EnqueueBatchResult`. `item_ids` are in descending order. */
export const zEnqueueBatchResult = z.object({
  queue_id: z.string(),
  enqueued: z.number().int(),
  requested: z.number().int(),
  batch: zServerBatch,
  priority: z.number().int(),
  item_ids: z.array(z.number().int()),
});
export type EnqueueBatchResult = z.infer<typeof zEnqueueBatchResult>;

const counts = {
  pending: z.number().int(),
  in_progress: z.number().int(),
  waiting: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  canceled: z.number().int(),
  total: z.number().int(),
};

/** `BatchStatus`: an unknown batch id yields all counts 0. */
export const zBatchStatus = z.object({
  queue_id: z.string(),
  batch_id: z.string(),
  origin: z.string().nullish(),
  destination: z.string().nullish(),
  ...counts,
});
export type BatchStatus = z.infer<typeof zBatchStatus>;

/** `SessionQueueStatus`. */
export const zSessionQueueStatus = z.object({
  queue_id: z.string(),
  item_id: z.number().int().nullish(),
  batch_id: z.string().nullish(),
  session_id: z.string().nullish(),
  ...counts,
  user_pending: z.number().int().nullish(),
  user_in_progress: z.number().int().nullish(),
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
export const zCancelByBatchIDsResult = z.object({ canceled: z.number().int() });
export type CancelByBatchIDsResult = z.infer<typeof zCancelByBatchIDsResult>;
