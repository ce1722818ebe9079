import { InvokeAIError } from './InvokeAIError.js';

/**
 * The request failed in transport: no HTTP response was received (DNS failure, connection
 * refused or reset, socket closed mid-response, or a browser that refused to make or show the
 * request). The original error is in `cause`.
 */
export class NetworkError extends InvokeAIError {
  override name = 'NetworkError' as const;
  /**
   * `true` when the request may have reached the server before the failure (e.g. a connection
   * reset after sending): a non-idempotent request may then have taken effect. `false` when the
   * connection was never established (refused, unknown host) or the browser blocked the request.
   */
  readonly ambiguous: boolean;
  /**
   * `true` when a browser's fetch rejected the request itself (a `TypeError`): a cross-origin
   * request InvokeAI's CORS settings do not allow, mixed content, or no network. Retrying cannot
   * help, so it is not retried.
   */
  readonly blocked: boolean;

  constructor(args: { method: string; url: string; cause: unknown; ambiguous: boolean; blocked?: { pageOrigin: string | null } }) {
    const reason = args.cause instanceof Error ? args.cause.message : String(args.cause);
    super(
      args.blocked
        ? `${args.method} ${args.url} was blocked before it left the browser (${reason}): the server's CORS headers do not ` +
            `allow this page's origin${args.blocked.pageOrigin ? ` (${args.blocked.pageOrigin})` : ''}, the page is https and the ` +
            'server http (mixed content), or the server is unreachable. InvokeAI answers other origins only when they are ' +
            `listed in its allow_origins setting: serve the app from InvokeAI's own origin, or add ` +
            `${args.blocked.pageOrigin ?? "the page's origin"} to allow_origins in invokeai.yaml and restart it.`
        : `Network error on ${args.method} ${args.url}: ${reason}. ` +
            (args.ambiguous
              ? 'The request may have reached the server. Check that the server is running and reachable.'
              : 'The server could not be reached; check the URL and that InvokeAI is running.'),
      args,
    );
    this.ambiguous = args.ambiguous;
    this.blocked = args.blocked !== undefined;
  }
}
