/** A command line that does not follow a command's usage (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError' as const;
}

export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError || (error instanceof Error && error.name === 'UsageError');
}
