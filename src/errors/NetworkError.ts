import { InvokeAIError } from './InvokeAIError.js';

/**
 * The request failed in transport: no HTTP response was received (DNS failure, connection
 * refused or reset, socket closed mid-response). The original error is in `cause`.
 */
export class NetworkError extends InvokeAIError {
  override name = 'NetworkError' as const;
  /**
   * `true` when the request may have reached the server before the failure (e.g. a connection
   * reset after sending): a non-idempotent request may then have taken effect. `false` only when
   * the connection was never established (refused, unknown host).
   */
  readonly ambiguous: boolean;

  constructor(args: { method: string; url: string; cause: unknown; ambiguous: boolean }) {
    const reason = args.cause instanceof Error ? args.cause.message : String(args.cause);
    super(
      `Network error on ${args.method} ${args.url}: ${reason}. ` +
        (args.ambiguous
          ? 'The request may have reached the server. Check that the server is running and reachable.'
          : 'The server could not be reached; check the URL and that InvokeAI is running.'),
      args,
    );
    this.ambiguous = args.ambiguous;
  }
}
