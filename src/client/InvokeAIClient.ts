import { createInvokeAIClient } from './createInvokeAIClient.js';
import type { ClientOptions, InvokeAIClient as InvokeAIClientType } from './types.js';

/** A connection to one InvokeAI server (the interface of `types.ts`, re-exported beside its value). */
export type InvokeAIClient = InvokeAIClientType;

/**
 * Value companion of the {@link InvokeAIClientType InvokeAIClient} interface.
 *
 * ## Example
 * ```ts
 * import { InvokeAIClient } from 'invokeai-rx';
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const proxied = InvokeAIClient.fromUrl('https://host/invoke', { token });
 * ```
 */
export const InvokeAIClient = Object.freeze({
  /**
   * A client for the server at `url` (`http(s)://host[:port][/base-path]`; a pasted trailing
   * `/api/v1` is ignored).
   * @throws TypeError when the URL is invalid.
   */
  fromUrl(url: string, options: ClientOptions = {}): InvokeAIClientType {
    return createInvokeAIClient({ ...options, baseUrl: url });
  },
});
