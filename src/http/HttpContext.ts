import type { ResolvedClientConfig } from '../client/types.js';
import type { WarningHandler } from '../client/warnings.js';

/** What every request needs from its client; created once by `createInvokeAIClient`. */
export interface HttpContext {
  readonly config: ResolvedClientConfig;
  readonly fetch: typeof globalThis.fetch;
  /** The current bearer token (it may be replaced by `X-Refreshed-Token`). */
  token(): string | undefined;
  /** Replaces the stored token (sliding expiry). */
  setToken(token: string): void;
  /** Source of randomness for retry jitter. @default Math.random */
  readonly random?: () => number;
  /** Where tolerated oddities of the server's answers go. @default the console */
  readonly warn?: WarningHandler;
}

/** A mutable token holder: the only place the token lives. */
export function createTokenStore(initial: string | undefined): Pick<HttpContext, 'token' | 'setToken'> {
  let current = initial;
  return {
    token: () => current,
    setToken: (token: string) => {
      current = token;
    },
  };
}
