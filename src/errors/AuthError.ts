import { HttpError } from './HttpError.js';
import { formatDetail } from './formatDetail.js';

/**
 * The server refused the request for lack of valid credentials (401) or rights (403): it runs
 * in multi-user mode (`multiuser: true`).
 */
export class AuthError extends HttpError {
  override name = 'AuthError' as const;
  /** Whether the request carried a token. */
  readonly hadToken: boolean;

  constructor(args: {
    method: string;
    url: string;
    status: number;
    statusText?: string;
    detail?: unknown;
    hadToken: boolean;
  }) {
    const detail = formatDetail(args.detail);
    const what =
      args.status === 403
        ? 'the token’s user lacks the rights for this request (admin-only route or another user’s item)'
        : args.hadToken
          ? 'the token is invalid or expired; log in again (POST /api/v1/auth/login) and pass the new token'
          : 'this InvokeAI server runs in multi-user mode and requires a token; log in (POST /api/v1/auth/login) and pass it as `token` in the client options';
    super({
      ...args,
      message: `${args.method} ${args.url} was refused with status ${args.status}${detail ? ` (${detail})` : ''}: ${what}.`,
    });
    this.hadToken = args.hadToken;
  }
}
