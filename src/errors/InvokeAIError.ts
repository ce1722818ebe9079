/**
 * Base class of every failure in the HTTP lifecycle of a request to an InvokeAI server
 * ({@link HttpError}, {@link NetworkError}, {@link RequestTimeoutError}).
 *
 * {@link SchemaError} deliberately does not extend it: when it is thrown the request itself
 * succeeded and only the body did not have the expected shape.
 */
export class InvokeAIError extends Error {
  override name: string = 'InvokeAIError';
  /** HTTP method of the failed request. */
  readonly method: string;
  /** URL of the failed request (credentials removed). */
  readonly url: string;

  constructor(message: string, args: { method: string; url: string; cause?: unknown }) {
    super(message, args.cause === undefined ? undefined : { cause: args.cause });
    this.method = args.method;
    this.url = args.url;
  }

  /** Marker that survives duplicated copies of this class (ESM + CJS bundles). */
  get isInvokeAIError(): true {
    return true;
  }
}
