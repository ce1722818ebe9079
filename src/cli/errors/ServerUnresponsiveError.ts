/** Set-up (reaching the server, listing its models) did not finish within `--connect-timeout`. */
export class ServerUnresponsiveError extends Error {
  override name = 'ServerUnresponsiveError' as const;
  readonly timeoutMs: number;

  constructor(args: { server: string; timeoutMs: number }) {
    super(
      `the server at ${args.server} did not answer within ${args.timeoutMs / 1000}s of set-up; ` +
        'check --server and that InvokeAI is running (or raise --connect-timeout)',
    );
    this.timeoutMs = args.timeoutMs;
  }
}

export function isServerUnresponsiveError(error: unknown): error is ServerUnresponsiveError {
  return error instanceof ServerUnresponsiveError || (error instanceof Error && error.name === 'ServerUnresponsiveError');
}
