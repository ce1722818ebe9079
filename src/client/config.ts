import { resolveRetryOptions } from '../http/retry.js';
import { parseServerUrl } from './parseServerUrl.js';
import type { ClientOptions, ResolvedClientConfig } from './types.js';

/** Everything `createInvokeAIClient` needs. */
export interface InvokeAIClientConfig extends ClientOptions {
  /**
   * The server: `http(s)://host[:port][/base-path]` (a reverse-proxy sub-path such as `/invoke`
   * is kept; a trailing `/api/v1` is ignored).
   */
  baseUrl: string;
}

/** @default 30000 ms */
export const DEFAULT_TIMEOUT = 30_000;
/** The only queue the InvokeAI UI uses. */
export const DEFAULT_QUEUE_ID = 'default';

/**
 * Checks the configuration and fills in defaults. The token itself is not part of the result
 * (only whether there is one) so the resolved config can be logged safely.
 *
 * @throws TypeError for an invalid URL, queue id or timeout.
 */
export function resolveConfig(config: InvokeAIClientConfig): ResolvedClientConfig {
  const { origin, basePath } = parseServerUrl(config.baseUrl);
  const queueId = config.queueId ?? DEFAULT_QUEUE_ID;
  if (typeof queueId !== 'string' || queueId === '' || queueId.includes('/')) {
    throw new TypeError(`queueId must be a non-empty string without "/", got ${JSON.stringify(queueId)}.`);
  }
  const timeout = config.timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout < 0) {
    throw new TypeError(`timeout must be a number of ms >= 0 (0 = none), got ${String(timeout)}.`);
  }
  return Object.freeze({
    origin,
    basePath,
    queueId,
    timeout,
    retry: resolveRetryOptions(config.retry),
    hasToken: typeof config.token === 'string' && config.token !== '',
  });
}
