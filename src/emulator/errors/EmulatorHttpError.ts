/**
 * An HTTP error answer in FastAPI's shape: the body is `{"detail": detail}`. Thrown by route
 * handlers and turned into a response by the server; `detail` is a string for `HTTPException`s and
 * a list of `{loc, msg, type, input?}` for 422 validation errors.
 *
 * Named apart from the client's `HttpError` so that the client's name-based guards never mistake
 * a server-side answer (e.g. one leaking from an in-process emulator) for a failed request.
 */
export class EmulatorHttpError extends Error {
  override name = 'EmulatorHttpError' as const;
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(typeof detail === 'string' ? `${status}: ${detail}` : `${status}: ${JSON.stringify(detail)}`);
  }
}

export function isEmulatorHttpError(e: unknown): e is EmulatorHttpError {
  return e instanceof EmulatorHttpError || (e instanceof Error && e.name === 'EmulatorHttpError');
}

/** One FastAPI/pydantic validation error entry. */
export interface ValidationErrorEntry {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

export const validationError = (entries: ValidationErrorEntry[]): EmulatorHttpError => new EmulatorHttpError(422, entries);
