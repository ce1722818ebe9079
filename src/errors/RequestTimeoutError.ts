import { InvokeAIError } from './InvokeAIError.js';

/**
 * A single HTTP request took longer than the client's `timeout` (the request was aborted).
 * Named so it cannot be confused with rxjs' own `TimeoutError`.
 */
export class RequestTimeoutError extends InvokeAIError {
  override name = 'RequestTimeoutError' as const;
  /** The timeout that was exceeded, in ms. */
  readonly timeout: number;

  constructor(args: { method: string; url: string; timeout: number }) {
    super(
      `${args.method} ${args.url} timed out after ${args.timeout} ms. ` +
        'Raise the client’s `timeout` option (0 disables it) or check that the server is responsive.',
      args,
    );
    this.timeout = args.timeout;
  }
}
