import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketServer, type ServerOptions } from 'socket.io';
import type { Cors } from '../http/cors.js';
import type { EventHub } from '../eventHub.js';
import type { QueueWorker } from '../queueWorker.js';

export interface Servers {
  httpServer: HttpServer;
  io: SocketServer;
}

/**
 * The HTTP server with socket.io attached at `socketPath`. `handle` is looked up per request, so
 * it may be assigned after this returns. socket.io answers cross-origin requests only from the
 * origins `cors` allows (socket.io sends no CORS headers without its `cors` option).
 */
export function createServers(
  socketPath: string,
  handle: () => (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  cors?: Cors,
): Servers {
  // The request listener exists before socket.io attaches: engine.io forwards every non-socket
  // request to the listeners that existed when it attached.
  const httpServer = createServer((req, res) => void handle()(req, res));
  // Long keep-alive: a client that pauses (e.g. while a test compiles schemas) must not race the
  // server closing an idle connection it is about to reuse.
  httpServer.keepAliveTimeout = 60_000;
  httpServer.headersTimeout = 65_000;
  const socketCors: ServerOptions['cors'] = cors && {
    origin: (origin, allow) => allow(null, origin !== undefined && cors.allows(origin)),
    credentials: true,
  };
  const io = new SocketServer(httpServer, { path: socketPath, serveClient: false, ...(socketCors ? { cors: socketCors } : {}) });
  return { httpServer, io };
}

/** Listens on 127.0.0.1 (`port` 0 picks a free one) and resolves with the bound port. */
export async function listen(httpServer: HttpServer, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  return (httpServer.address() as AddressInfo).port;
}

/** Stops the worker, then the sockets, then the server (open keep-alive connections included). */
export async function shutDown({ httpServer, io }: Servers, worker: QueueWorker, hub: EventHub): Promise<void> {
  await worker.stop();
  hub.disconnectAll();
  await new Promise<void>((resolve) => {
    io.close(() => resolve());
    httpServer.closeAllConnections();
  });
}
