import { InvokeAIError } from './InvokeAIError.js';
import { formatDetail } from './formatDetail.js';

/**
 * The server answered with a non-2xx status.
 *
 * `detail` is FastAPI's `detail` field when the body was JSON (a string, or for 422 the list of
 * validation errors `{loc, msg, type}`), otherwise the body text (truncated).
 */
export class HttpError extends InvokeAIError {
  // `string` rather than a literal so that AuthError can narrow it further.
  override name: string = 'HttpError';
  readonly status: number;
  readonly statusText: string;
  /** FastAPI's `detail`, or the raw body text when the body was not JSON. */
  readonly detail: unknown;
  /** Delay asked for by a `Retry-After` header, in ms; `null` when absent or unparsable. */
  readonly retryAfter: number | null;

  constructor(args: {
    method: string;
    url: string;
    status: number;
    statusText?: string;
    detail?: unknown;
    retryAfter?: number | null;
    message?: string;
  }) {
    super(args.message ?? formatHttpErrorMessage(args), args);
    this.status = args.status;
    this.statusText = args.statusText ?? '';
    this.detail = args.detail ?? null;
    this.retryAfter = args.retryAfter ?? null;
  }
}

function hintFor(status: number): string {
  if (status === 401 || status === 403) return 'Pass a valid token (ClientOptions.token) or check the account’s rights.';
  if (status === 404) return 'Check that the id or name exists on this server (and the queue id / base path are right).';
  if (status === 409) return 'The server is busy with maintenance; try again later.';
  if (status === 415) return 'Send PNG/JPEG/WebP image bytes.';
  if (status === 422) return 'The server rejected the request body; fix the fields listed.';
  if (status === 429) return 'The server is rate limiting; retry later or lower the request rate.';
  if (status >= 500) return 'The server failed; see the InvokeAI server log for the traceback.';
  return 'Check the request against the InvokeAI API.';
}

function formatHttpErrorMessage(args: { method: string; url: string; status: number; statusText?: string; detail?: unknown }): string {
  const status = `${args.status}${args.statusText ? ` ${args.statusText}` : ''}`;
  const detail = formatDetail(args.detail);
  return `Request failed with status ${status}: ${args.method} ${args.url}${detail ? ` — ${detail}` : ''}. ${hintFor(args.status)}`;
}
