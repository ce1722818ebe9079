import { TokenService } from './auth.js';
import { BoardStore } from './boardStore.js';
import { EventHub } from './eventHub.js';
import { cors } from './http/cors.js';
import { requestHandler, type RequestHandler } from './http/requestHandler.js';
import { staticFiles } from './http/staticFiles.js';
import { ImageStore } from './imageStore.js';
import { createContext } from './server/createContext.js';
import { createQueueRuntime } from './server/createQueueRuntime.js';
import { createRouters } from './server/createRouters.js';
import { imageInspector, queueInspector } from './server/inspectors.js';
import { requestStats } from './server/requestStats.js';
import { isActiveUser, resolveOptions } from './server/resolveOptions.js';
import { createServers, listen, shutDown } from './server/serverLifecycle.js';
import type { Emulator, EmulatorOptions } from './types.js';

/**
 * Starts an InvokeAI-compatible server on 127.0.0.1: the REST subset a workflow-running client
 * uses (queue, images, boards, models, app, auth), socket.io events in InvokeAI's order, one
 * queue worker running sessions through the graph executor, fault injection, InvokeAI's CORS
 * rules (`allowOrigins`) and optionally a web app served from its own origin (`staticDir`).
 *
 * ## Example
 * ```ts
 * const emu = await startEmulator({ timing: { msPerStep: 5 } });
 * const client = createInvokeAIClient({ baseUrl: emu.url });
 * // …
 * await emu.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const o = resolveOptions(options);
  // The event hub needs socket.io, socket.io needs the HTTP server, and the request handler needs
  // everything: the server looks the handler up per request.
  let handle: RequestHandler | undefined;
  const corsPolicy = cors(o.allowOrigins);
  const servers = createServers(o.socketPath, () => handle!, o.allowOrigins.length > 0 ? corsPolicy : undefined);

  const tokens = new TokenService();
  const auth = { multiUser: o.multiUser, tokens, isActive: (userId: string) => isActiveUser(o.users, userId) };
  const hub = new EventHub(servers.io, auth);
  const images = new ImageStore();
  const runtime = createQueueRuntime(o, hub, images);
  const emu = createContext(o, { ...runtime, tokens, hub, images, boards: new BoardStore() });
  const stats = requestStats();
  handle = requestHandler({
    ...auth,
    ...createRouters(emu),
    basePath: o.basePath,
    faults: runtime.faults,
    cors: corsPolicy,
    ...(o.staticDir !== undefined ? { webApp: staticFiles(o.staticDir) } : {}),
    record: stats.record,
  });

  const port = await listen(servers.httpServer, o.port);
  runtime.worker.start();
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}${o.basePath}`,
    port,
    basePath: o.basePath,
    socketPath: o.socketPath,
    faults: runtime.faults,
    stats: stats.view,
    queue: queueInspector(runtime.queue, runtime.worker),
    images: imageInspector(images),
    onEvent: (l) => hub.onEmit(l),
    close: () => (closing ??= shutDown(servers, runtime.worker, hub)),
  };
}
