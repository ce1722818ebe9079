import type { AuthUser } from '../http/router.js';
import type { QueueItem, QueueStore } from '../queueStore.js';
import { queueItemEventBase } from './queueItemEventBase.js';

/** The queue's status payloads, shared by the routes and the `queue_item_status_changed` event. */
export interface StatusViews {
  /** `SessionQueueStatus` of a queue as `user` sees it. */
  queueStatus(queueId: string, user?: AuthUser): Record<string, unknown>;
  batchStatus(queueId: string, batchId: string): Record<string, unknown>;
  /** The `queue_item_status_changed` payload. */
  statusChanged(item: QueueItem): Record<string, unknown>;
}

export function statusViews(queue: QueueStore, multiUser: boolean): StatusViews {
  const queueStatus = (queueId: string, user?: AuthUser): Record<string, unknown> => {
    const c = queue.count(queueId);
    const cur = queue.current(queueId);
    const shown = cur && (!user || !multiUser || user.is_admin || cur.user_id === user.user_id) ? cur : undefined;
    const own = user ? queue.userCount(queueId, user.user_id) : undefined;
    return {
      queue_id: queueId,
      item_id: shown?.item_id ?? null,
      batch_id: shown?.batch_id ?? null,
      session_id: shown?.session_id ?? null,
      ...c,
      user_pending: own?.pending ?? null,
      user_in_progress: own?.in_progress ?? null,
    };
  };
  const batchStatus = (queueId: string, batchId: string): Record<string, unknown> => {
    const info = queue.batchInfo(queueId, batchId);
    return { queue_id: queueId, batch_id: batchId, origin: info?.origin ?? null, destination: info?.destination ?? null, ...queue.batchCount(queueId, batchId) };
  };
  const statusChanged = (item: QueueItem): Record<string, unknown> => ({
    ...queueItemEventBase(item),
    status: item.status,
    status_sequence: item.status_sequence,
    error_type: item.error_type,
    error_message: item.error_message,
    error_traceback: item.error_traceback,
    created_at: item.created_at,
    updated_at: item.updated_at,
    started_at: item.started_at,
    completed_at: item.completed_at,
    batch_status: batchStatus(item.queue_id, item.batch_id),
    queue_status: queueStatus(item.queue_id, { user_id: item.user_id, email: '', is_admin: false }),
    session_id: item.session_id,
  });
  return { queueStatus, batchStatus, statusChanged };
}
