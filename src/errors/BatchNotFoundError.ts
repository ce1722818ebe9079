/** `attach` was given a batch id the server's queue has no item of (never enqueued, pruned, or cleared). */
export class BatchNotFoundError extends Error {
  override name = 'BatchNotFoundError' as const;
  readonly batch_id: string;

  constructor(args: { batch_id: string }) {
    super(
      `The queue has no item of batch ${args.batch_id}: it was never enqueued on this server, or its items were pruned or ` +
        'cleared. Check the batch id and the server (and queue id); to redo the work, run it again.',
    );
    this.batch_id = args.batch_id;
  }
}

export function isBatchNotFoundError(error: unknown): error is BatchNotFoundError {
  return error instanceof BatchNotFoundError || (error instanceof Error && error.name === 'BatchNotFoundError');
}
