/**
 * The server answered the enqueue but did not accept the batch (e.g. `enqueued: 0` because the
 * queue is full: `max_queue_size` pending items).
 */
export class EnqueueError extends Error {
  override name = 'EnqueueError' as const;
  readonly batch_id: string;
  readonly requested: number;
  readonly enqueued: number;

  constructor(args: { batch_id: string; requested: number; enqueued: number; reason?: string }) {
    super(
      `Batch ${args.batch_id} was not enqueued: the server accepted ${args.enqueued} of ${args.requested} queue items` +
        ` (${args.reason ?? 'the queue is full: max_queue_size pending items reached'}). ` +
        'Wait for the queue to drain, prune it, or raise max_queue_size in invokeai.yaml.',
    );
    this.batch_id = args.batch_id;
    this.requested = args.requested;
    this.enqueued = args.enqueued;
  }
}
