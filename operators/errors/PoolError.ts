/** Why a pool could not run a job. */
export type PoolErrorReason =
  /** The job's input image lives on a server that is down (images do not move between servers). */
  | 'image-unavailable'
  /** The job had started on a server that went down, and `resubmitStarted` is off. */
  | 'server-lost'
  /** The pool was closed while the job waited for a server. */
  | 'closed';

/**
 * A pool of InvokeAI servers could not run a job. Carries the server it concerns (its URL), the
 * image that pinned the job to it when there is one, and the underlying error (`cause`).
 */
export class PoolError extends Error {
  override name = 'PoolError' as const;
  readonly reason: PoolErrorReason;
  /** `origin + basePath` of the server concerned, `null` when none. */
  readonly server: string | null;
  /** The input image that pinned the job to `server`, for `image-unavailable`. */
  readonly imageName: string | null;

  constructor(args: { reason: PoolErrorReason; server?: string | null; imageName?: string | null; cause?: unknown }) {
    super(messageOf(args), args.cause === undefined ? undefined : { cause: args.cause });
    this.reason = args.reason;
    this.server = args.server ?? null;
    this.imageName = args.imageName ?? null;
  }
}

function messageOf(args: { reason: PoolErrorReason; server?: string | null; imageName?: string | null }): string {
  const server = args.server ?? 'the server';
  switch (args.reason) {
    case 'image-unavailable':
      return (
        `The input image ${JSON.stringify(args.imageName)} is on ${server}, which is down; images do not move between ` +
        'servers, so the job cannot run elsewhere. Restart that server, or rerun the chain from its first stage.'
      );
    case 'server-lost':
      return (
        `${server} went down while the job was running on it. Rerun it, or create the pool with ` +
        '`resubmitStarted: true` to resubmit started jobs to another server automatically.'
      );
    case 'closed':
      return 'The pool was closed before a server could take the job; create a new pool to run more jobs.';
  }
}

export function isPoolError(error: unknown): error is PoolError {
  return error instanceof PoolError || (error instanceof Error && error.name === 'PoolError');
}
