import * as z from 'zod/mini';
import { zBatchStatus, zQueueItemStatus, zSessionQueueStatus } from './queue.js';
import { englishIssueMessages } from './englishIssueMessages.js';

englishIssueMessages();

// socket.io payloads of the queue room and the owner/admin rooms (InvokeAI `events_common.py`).
// Every payload is a loose object: servers add fields between versions, and an event that fails
// validation is dropped, so only the fields this library relies on may make a payload invalid.
// Sanitized copies (sent to other users of the queue room) carry `"redacted"` ids and null
// origin/destination/error fields; they still validate, and never match a run's batch id.

/** `QUEUE_ITEM_STATUS`, as carried by `queue_item_status_changed`. */
export const zEventQueueItemStatus = zQueueItemStatus;
export type EventQueueItemStatus = z.infer<typeof zEventQueueItemStatus>;

/** Fields every queue event carries (`QueueEventBase`). */
const queueEventBase = {
  /** UTC epoch seconds. */
  timestamp: z.number(),
  queue_id: z.string(),
};

/** Fields every per-item queue event carries (`QueueItemEventBase`). */
const queueItemEventBase = {
  ...queueEventBase,
  item_id: z.int(),
  batch_id: z.string(),
  origin: z.nullish(z.string()),
  destination: z.nullish(z.string()),
  /** @default 'system' on the server */
  user_id: z.optional(z.string()),
};

/** The invocation as it ran; its `id` is the **prepared** node id. */
export const zEventInvocation = z.looseObject({ id: z.string(), type: z.string() });
export type EventInvocation = z.infer<typeof zEventInvocation>;

/** Fields of the `invocation_*` events (`InvocationEventBase`). */
const invocationEventBase = {
  ...queueItemEventBase,
  session_id: z.string(),
  invocation: zEventInvocation,
  /** The workflow (source) node id of the prepared invocation. */
  invocation_source_id: z.string(),
};

// The REST status schemas, loose and with `waiting` optional: unused here, its absence must not drop the event.

/** `BatchStatus` as embedded in `queue_item_status_changed` (`batch_id` is `"redacted"` in sanitized copies). */
export const zEventBatchStatus = z.looseObject({ ...zBatchStatus.shape, waiting: z.optional(z.int()) });
export type EventBatchStatus = z.infer<typeof zEventBatchStatus>;

/** `SessionQueueStatus` as embedded in `queue_item_status_changed`. */
export const zEventQueueStatus = z.looseObject({ ...zSessionQueueStatus.shape, waiting: z.optional(z.int()) });
export type EventQueueStatus = z.infer<typeof zEventQueueStatus>;

/** `queue_item_status_changed`: one visible status transition of a queue item. */
export const zQueueItemStatusChangedEvent = z.looseObject({
  ...queueItemEventBase,
  status: zEventQueueItemStatus,
  /** Incremented on every visible status change; orders events against polled items. */
  status_sequence: z.nullish(z.int()),
  error_type: z.nullish(z.string()),
  error_message: z.nullish(z.string()),
  error_traceback: z.nullish(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.nullish(z.string()),
  completed_at: z.nullish(z.string()),
  batch_status: zEventBatchStatus,
  queue_status: zEventQueueStatus,
  session_id: z.string(),
});
export type QueueItemStatusChangedEvent = z.infer<typeof zQueueItemStatusChangedEvent>;

/** `invocation_started`: a prepared node began to run. */
export const zInvocationStartedEvent = z.looseObject(invocationEventBase);
export type InvocationStartedEvent = z.infer<typeof zInvocationStartedEvent>;

/** `ProgressImage`: a JPEG preview as a data URL. */
export const zProgressImage = z.looseObject({
  width: z.int(),
  height: z.int(),
  dataURL: z.string(),
});
export type ProgressImage = z.infer<typeof zProgressImage>;

/** `invocation_progress`: step progress, model loading, "Saving image", … */
export const zInvocationProgressEvent = z.looseObject({
  ...invocationEventBase,
  message: z.string(),
  /** 0..1, or null when indeterminate. */
  percentage: z.nullish(z.number()),
  image: z.nullish(zProgressImage),
  device: z.nullish(z.string()),
});
export type InvocationProgressEvent = z.infer<typeof zInvocationProgressEvent>;

/** `invocation_complete`: a prepared node finished; `result` has the shape of `session.results[id]`. */
export const zInvocationCompleteEvent = z.looseObject({
  ...invocationEventBase,
  result: z.looseObject({ type: z.string() }),
});
export type InvocationCompleteEvent = z.infer<typeof zInvocationCompleteEvent>;

/** `invocation_error`: sent **after** the item's `failed` status event. */
export const zInvocationErrorEvent = z.looseObject({
  ...invocationEventBase,
  error_type: z.string(),
  error_message: z.string(),
  error_traceback: z.string(),
});
export type InvocationErrorEvent = z.infer<typeof zInvocationErrorEvent>;

/** `batch_enqueued` (no item ids). */
export const zBatchEnqueuedEvent = z.looseObject({
  ...queueEventBase,
  batch_id: z.string(),
  enqueued: z.int(),
  requested: z.int(),
  priority: z.int(),
  origin: z.nullish(z.string()),
  user_id: z.optional(z.string()),
});
export type BatchEnqueuedEvent = z.infer<typeof zBatchEnqueuedEvent>;

/**
 * `queue_items_canceled`: a bulk cancel (by batch ids, destination, all-except-current). Pending
 * items canceled this way get **no** `queue_item_status_changed` event.
 */
export const zQueueItemsCanceledEvent = z.looseObject({
  ...queueEventBase,
  canceled_item_ids: z.array(z.int()),
  user_ids: z.array(z.string()),
  canceled_item_ids_by_user: z.record(z.string(), z.array(z.int())),
});
export type QueueItemsCanceledEvent = z.infer<typeof zQueueItemsCanceledEvent>;

/** `queue_cleared`: the rows are gone (`GET /i/{id}` answers 404 afterwards). */
export const zQueueClearedEvent = z.looseObject({
  ...queueEventBase,
  /** null: every user's items were deleted. */
  user_id: z.nullish(z.string()),
});
export type QueueClearedEvent = z.infer<typeof zQueueClearedEvent>;

/** `queue_items_retried`: the ids are the **original** items; the new rows are not listed. */
export const zQueueItemsRetriedEvent = z.looseObject({
  ...queueEventBase,
  retried_item_ids: z.array(z.int()),
  user_ids: z.array(z.string()),
  retried_item_ids_by_user: z.record(z.string(), z.array(z.int())),
});
export type QueueItemsRetriedEvent = z.infer<typeof zQueueItemsRetriedEvent>;

/** Server event name → payload type, for the events this library consumes. */
export interface InvokeEventMap {
  queue_item_status_changed: QueueItemStatusChangedEvent;
  invocation_started: InvocationStartedEvent;
  invocation_progress: InvocationProgressEvent;
  invocation_complete: InvocationCompleteEvent;
  invocation_error: InvocationErrorEvent;
  batch_enqueued: BatchEnqueuedEvent;
  queue_items_canceled: QueueItemsCanceledEvent;
  queue_cleared: QueueClearedEvent;
  queue_items_retried: QueueItemsRetriedEvent;
}

export type InvokeEventName = keyof InvokeEventMap;

/** The schema that validates each event at the socket boundary. */
export const invokeEventSchemas: { readonly [K in InvokeEventName]: z.ZodMiniType<InvokeEventMap[K]> } = {
  queue_item_status_changed: zQueueItemStatusChangedEvent,
  invocation_started: zInvocationStartedEvent,
  invocation_progress: zInvocationProgressEvent,
  invocation_complete: zInvocationCompleteEvent,
  invocation_error: zInvocationErrorEvent,
  batch_enqueued: zBatchEnqueuedEvent,
  queue_items_canceled: zQueueItemsCanceledEvent,
  queue_cleared: zQueueClearedEvent,
  queue_items_retried: zQueueItemsRetriedEvent,
};
