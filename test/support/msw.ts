import { setupServer, type SetupServer } from 'msw/node';
import type { RequestHandler } from 'msw';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import type { InvokeAIClientConfig } from '../../src/client/config.js';
import type { InvokeAIClient } from '../../src/client/types.js';

/** The one base URL every msw suite uses. */
export const BASE_URL = 'http://invoke.test';

/**
 * An msw server for this test file: listening before the tests (unhandled requests fail the
 * test), per-test overrides reset after each test, closed at the end.
 */
export function useMswServer(...handlers: RequestHandler[]): SetupServer {
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/**
 * A client for {@link BASE_URL} with the default fetch (the global one, intercepted by msw), no
 * socket, and tiny retry delays so retry tests stay fast without touching the retry logic.
 */
export function testClient(options: Partial<InvokeAIClientConfig> = {}): InvokeAIClient {
  return createInvokeAIClient({
    baseUrl: BASE_URL,
    socketFactory: null,
    ...options,
    retry: { baseDelay: 1, backoffLimit: 20, ...options.retry },
  });
}

/** Records the requests an msw handler saw. */
export function requestLog(): { requests: Request[]; record: (request: Request) => void; count: () => number } {
  const requests: Request[] = [];
  return { requests, record: (request) => void requests.push(request), count: () => requests.length };
}
