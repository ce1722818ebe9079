/**
 * `waitForCompletionSync()` or `cancel()` was called on a workflow handle that has nothing
 * submitted (or was given a submission this handle did not make).
 */
export class NoSubmissionError extends Error {
  override name = 'NoSubmissionError' as const;
  /** The method that needed a submission. */
  readonly method: string;
  /** The batch id the caller asked for, when one was given. */
  readonly batch_id: string | null;

  constructor(args: { method: string; batch_id?: string | null }) {
    const batch_id = args.batch_id ?? null;
    super(
      batch_id === null
        ? `${args.method}() needs a submission, but this workflow handle has not submitted anything yet. Call submitSync() first.`
        : `${args.method}() was given batch ${batch_id}, which this workflow handle did not submit. ` +
            'Pass the value returned by this handle’s submitSync(), or call it without arguments to use the latest submission.',
    );
    this.method = args.method;
    this.batch_id = batch_id;
  }
}

export function isNoSubmissionError(error: unknown): error is NoSubmissionError {
  return error instanceof NoSubmissionError || (error instanceof Error && error.name === 'NoSubmissionError');
}
