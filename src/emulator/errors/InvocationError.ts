/**
 * An exception raised inside a node, carrying the Python exception class name the real server
 * would report as `error_type` (`ValueError`, `MissingInputException`, `Exception`, …).
 */
export class InvocationError extends Error {
  override name = 'InvocationError' as const;
  readonly errorType: string;

  constructor(errorType: string, message: string) {
    super(message);
    this.errorType = errorType;
  }
}

export function isInvocationError(e: unknown): e is InvocationError {
  return e instanceof InvocationError || (e instanceof Error && e.name === 'InvocationError');
}

export const valueError = (message: string): InvocationError => new InvocationError('ValueError', message);
