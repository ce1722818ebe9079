import type { SessionQueueItem } from '../schemas/queue.js';

/**
 * A queue item ended with status `failed`. Carries everything the server said: exception class
 * (`error_type`), message, Python traceback and the workflow (source) node that raised.
 */
export class QueueItemFailedError extends Error {
  override name = 'QueueItemFailedError' as const;
  readonly item_id: number;
  readonly batch_id: string;
  readonly status: 'failed';
  readonly error_type: string | null;
  readonly error_message: string | null;
  readonly error_traceback: string | null;
  /** Workflow (source) node id of the failing node, when it is known. */
  readonly node_id: string | null;
  /** The queue item as last fetched. */
  readonly item: SessionQueueItem;

  constructor(args: { item: SessionQueueItem; node_id?: string | null }) {
    const { item } = args;
    const node_id = args.node_id ?? null;
    const error_type = item.error_type ?? null;
    const error_message = item.error_message ?? null;
    super(
      `Queue item ${item.item_id} failed${node_id ? ` in node ${node_id}` : ''}` +
        ` (${error_type ?? 'unknown error type'}): ${error_message ?? 'the server gave no message'}. ` +
        'See `error_traceback` for the server-side traceback; fix the input or graph and resubmit.',
    );
    this.item_id = item.item_id;
    this.batch_id = item.batch_id;
    this.status = 'failed';
    this.error_type = error_type;
    this.error_message = error_message;
    this.error_traceback = item.error_traceback ?? null;
    this.node_id = node_id;
    this.item = item;
  }
}
