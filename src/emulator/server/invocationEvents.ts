import type { EventHub } from '../eventHub.js';
import type { QueueItem } from '../queueStore.js';
import { queueItemEventBase } from './queueItemEventBase.js';

/**
 * Sends an invocation event with the queue-item fields InvokeAI adds. Progress goes to the user's
 * room with its optional fields as explicit nulls; the other events go to the owner and admins.
 */
export function invocationEmitter(hub: EventHub): (item: QueueItem, event: string, payload: Record<string, unknown>) => void {
  return (item, event, payload) => {
    const full: Record<string, unknown> = {
      ...queueItemEventBase(item),
      session_id: item.session_id,
      ...payload,
    };
    if (event === 'invocation_progress') {
      full.message ??= '';
      full.percentage ??= null;
      full.image ??= null;
      full.device ??= null;
      hub.toUser(event, full, item.user_id);
    } else {
      hub.toOwner(event, full, item.user_id);
    }
  };
}
