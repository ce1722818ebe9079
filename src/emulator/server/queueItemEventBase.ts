import type { QueueItem } from '../queueStore.js';
import { epochSeconds } from '../sqliteTime.js';

/** The fields InvokeAI's `QueueItemEventBase` puts first in every event about a queue item. */
export function queueItemEventBase(item: QueueItem): Record<string, unknown> {
  return {
    timestamp: epochSeconds(),
    queue_id: item.queue_id,
    item_id: item.item_id,
    batch_id: item.batch_id,
    origin: item.origin,
    destination: item.destination,
    user_id: item.user_id,
  };
}
