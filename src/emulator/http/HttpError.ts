/**
 * An HTTP error answer in FastAPI's shape: the body is `{"detail": detail}`. Thrown by route
 * handlers and turned into a response by the server; `detail` is a string for `HTTPException`s and
 * a list of `{loc, msg, type, input?}` for 422 validation errors.
 */
export class HttpError extends Error {
  override name = 'HttpError' as const;
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(typeof detail === 'string' ? `${status}: ${detail}` : `${status}: ${JSON.stringify(detail)}`);
  }
}

/** One FastAPI/pydantic validation error entry. */
export interface ValidationErrorEntry {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

export const validationError = (entries: ValidationErrorEntry[]): HttpError => new HttpError(422, entries);
