import { io } from 'socket.io-client';
import type { SocketFactory } from '../client/types.js';

/**
 * socket.io-client's `io` with the options the InvokeAI UI uses, made for a long-lived client:
 *
 * - `transports: ['websocket']`: no long-polling upgrade dance (InvokeAI serves websockets).
 * - `forceNew`: every client gets its own connection (two clients never share one manager).
 * - `autoConnect: false`: {@link createEventsApi} attaches its listeners first, then connects,
 *   so no `connect` can be missed.
 * - Reconnection with socket.io's capped, jittered backoff (1 s doubling to 10 s, ±50 %) so a
 *   server that is down or warming up is not hammered. A handshake the server refuses (multi-user
 *   mode without a valid token) is not retried by socket.io.
 */
export const defaultSocketFactory: SocketFactory = (url, options) =>
  io(url, {
    path: options.path,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
    transports: ['websocket'],
    forceNew: true,
    autoConnect: false,
    reconnection: true,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
  });
