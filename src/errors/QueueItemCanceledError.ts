import type { SessionQueueItem } from '../schemas/queue.js';

/**
 * A queue item ended with status `canceled` (by a user, another client, or a queue clear), or
 * disappeared from the queue before it completed (`queue_cleared`, a `DELETE`): then `item` is `null`.
 */
export class QueueItemCanceledError extends Error {
  override name = 'QueueItemCanceledError' as const;
  readonly item_id: number;
  /** The queue item as last fetched; `null` when the server no longer has it. */
  readonly item: SessionQueueItem | null;

  constructor(args: { item: SessionQueueItem } | { item_id: number; item: null }) {
    const item_id = args.item ? args.item.item_id : (args as { item_id: number }).item_id;
    super(
      args.item
        ? `Queue item ${item_id} was canceled on the server before it completed ` +
            '(canceled in the InvokeAI UI, by another client, or the queue was cleared); resubmit it to run it again.'
        : `Queue item ${item_id} is gone from the server before it completed ` +
            '(the queue was cleared or the item deleted); resubmit it to run it again.',
    );
    this.item_id = item_id;
    this.item = args.item;
  }
}
