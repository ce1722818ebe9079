import { Subject, takeUntil } from 'rxjs';
import { createEventsApi } from '../events/createEventsApi.js';
import { type HttpContext, createTokenStore } from '../http/HttpContext.js';
import { type InvokeAIClientConfig, resolveConfig } from './config.js';
import { createAppApi } from './createAppApi.js';
import { createBoardsApi } from './createBoardsApi.js';
import { createImagesApi } from './createImagesApi.js';
import { createModelsApi } from './createModelsApi.js';
import { createQueueApi } from './createQueueApi.js';
import type { EventsApi, InvokeAIClient } from './types.js';
import { consoleWarning } from './warnings.js';

/**
 * Creates a client for one InvokeAI server. Nothing is sent until a method's Observable is
 * subscribed; the socket opens only when an event stream is subscribed.
 *
 * ## Example
 * ```ts
 * import { createInvokeAIClient } from 'invokeai-rx';
 * const client = createInvokeAIClient({ baseUrl: 'http://127.0.0.1:9090' });
 * client.app.version().subscribe(({ version }) => console.log(version)); // '6.14.0'
 * ```
 *
 * @throws TypeError for an invalid URL or option (see `resolveConfig`).
 */
export function createInvokeAIClient(options: InvokeAIClientConfig): InvokeAIClient {
  const config = resolveConfig(options);
  const tokens = createTokenStore(options.token === '' ? undefined : options.token);
  if (options.fetch === undefined && typeof globalThis.fetch !== 'function') {
    throw new TypeError('No fetch implementation available; pass one as the `fetch` option.');
  }
  // Called on its global: browsers throw "Illegal invocation" for a detached window.fetch.
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const warn = options.onWarning ?? consoleWarning;
  const ctx: HttpContext = { config, fetch: fetchImpl, token: tokens.token, setToken: tokens.setToken, warn };

  const rawEvents = createEventsApi({ config, token: tokens.token, socketFactory: options.socketFactory, warn });
  // close() ends every stream handed out so far; the shared socket closes when its last
  // subscriber leaves. Streams subscribed afterwards open a new socket.
  const close$ = new Subject<void>();
  const events: EventsApi = {
    on: (event) => rawEvents.on(event).pipe(takeUntil(close$)),
    connected$: rawEvents.connected$.pipe(takeUntil(close$)),
    get invalidCount() {
      return rawEvents.invalidCount;
    },
  };

  return {
    config,
    queue: createQueueApi(ctx),
    images: createImagesApi(ctx),
    boards: createBoardsApi(ctx),
    models: createModelsApi(ctx),
    app: createAppApi(ctx),
    events,
    close: () => close$.next(),
    warn,
  };
}
