import { BehaviorSubject, NEVER, Observable, ReplaySubject, Subject, Subscription, distinctUntilChanged, of, share, switchMap, timer } from 'rxjs';
import type { EventsApi, ResolvedClientConfig, SocketFactory, SocketLike } from '../client/types.js';
import { AuthError } from '../errors/AuthError.js';
import { type InvokeEventMap, type InvokeEventName, invokeEventSchemas } from '../schemas/events.js';
import { type WarningHandler, consoleWarning } from '../client/warnings.js';
import { defaultSocketFactory } from './defaultSocketFactory.js';
import { invalidEventWarnings } from './invalidEventWarnings.js';

/** What the events layer needs from its client. */
export interface EventsContext {
  readonly config: ResolvedClientConfig;
  /** The current bearer token (read at every (re)connect, so a refreshed token is used). */
  token(): string | undefined;
  /**
   * `null` disables sockets: streams never emit and `connected$` is `false` (runs then poll).
   * @default socket.io-client's `io` ({@link defaultSocketFactory})
   */
  readonly socketFactory?: SocketFactory | null;
  /** Receives the rate-limited `invalid-events` warnings. @default the console */
  readonly warn?: WarningHandler;
}

/** {@link EventsApi} plus connection diagnostics. */
export interface InvokeEventsApi extends EventsApi {
  /**
   * Connection problems, for logging (never errors, never completes; nothing is printed).
   * A handshake the server refuses (multi-user mode without a valid token) is an `AuthError`;
   * the socket then stays disconnected (`connected$` stays `false`) and runs fall back to
   * polling, whose HTTP requests fail with the same `AuthError` if the token is the problem.
   * Other `connect_error`s are passed through as they come (socket.io retries those itself).
   */
  readonly errors$: Observable<Error>;
  /** How many events were dropped because their payload did not match its schema. */
  readonly droppedEvents: number;
  /** Same as {@link droppedEvents} (the name `EventsApi` uses). */
  readonly invalidCount: number;
}

/** Pause before reconnecting after the server ended the session (socket.io's own first delay). */
const SERVER_DISCONNECT_RECONNECT_DELAY = 1_000;

/** One open socket and its connection state. */
interface Connection {
  readonly socket: SocketLike;
  readonly connected$: Observable<boolean>;
}

/**
 * The socket.io side of a client: one shared socket per client, opened lazily.
 *
 * - The socket opens when the first stream is subscribed and closes when the last one ends
 *   (refcount), so a client that only uses HTTP never opens one.
 * - `subscribe_queue {queue_id}` is emitted on **every** connect, reconnects included (the server
 *   forgets room membership with the old connection); `connected$` turns `true` right after.
 * - Payloads are validated at the boundary with the schemas in `schemas/events.ts`; an invalid
 *   payload is dropped, counted ({@link InvokeEventsApi.droppedEvents}) and reported as a
 *   rate-limited `invalid-events` warning, never thrown.
 * - The token goes in the handshake `auth` and, for transports that allow headers, as
 *   `Authorization: Bearer`.
 *
 * With `socketFactory: null`, `on()` never emits and `connected$` emits `false` and completes
 * (the socket will never come: a run waiting for it can stop waiting at once).
 */
export function createEventsApi(ctx: EventsContext): InvokeEventsApi {
  const factory = ctx.socketFactory === undefined ? defaultSocketFactory : ctx.socketFactory;
  const errors$ = new Subject<Error>();
  let droppedEvents = 0;
  const reportInvalid = invalidEventWarnings(ctx.warn ?? consoleWarning);

  if (factory === null) {
    return {
      on: () => NEVER,
      connected$: of(false),
      errors$: errors$.asObservable(),
      droppedEvents: 0,
      invalidCount: 0,
    };
  }

  const { origin, basePath, queueId } = ctx.config;
  const path = `${basePath}/ws/socket.io`;

  const connection$ = new Observable<Connection>((subscriber) => {
    const token = ctx.token();
    const socket = factory(origin, {
      path,
      // A getter: socket.io reads `auth` at every handshake, so reconnects use the current token.
      ...(token ? { auth: { get token() { return ctx.token() ?? ''; } } } : {}),
      ...(token ? { extraHeaders: { Authorization: `Bearer ${token}` } } : {}),
    });
    const connected$ = new BehaviorSubject(false);
    const onConnect = () => {
      socket.emit('subscribe_queue', { queue_id: queueId });
      connected$.next(true);
    };
    let reconnect = Subscription.EMPTY;
    const onDisconnect = (reason?: unknown) => {
      connected$.next(false);
      // socket.io reconnects by itself after a lost transport, but not after the server closed
      // the session ("io server disconnect": a restart or shutdown that said goodbye first).
      // Streams are still subscribed, so try again after a pause instead of polling forever.
      if (reason === 'io server disconnect') {
        reconnect.unsubscribe();
        reconnect = timer(SERVER_DISCONNECT_RECONNECT_DELAY).subscribe(() => {
          if (!socket.connected) socket.connect();
        });
      }
    };
    const onConnectError = (error: unknown) => {
      connected$.next(false);
      errors$.next(toConnectError(error, origin + path, token !== undefined && token !== ''));
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    subscriber.next({ socket, connected$: connected$.pipe(distinctUntilChanged()) });
    if (socket.connected) onConnect();
    else socket.connect();
    return () => {
      socket.off('connect', onConnect);
      reconnect.unsubscribe();
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      socket.disconnect();
      connected$.complete();
    };
  }).pipe(share({ connector: () => new ReplaySubject<Connection>(1), resetOnRefCountZero: true }));

  // One socket listener and one validation per event name, however many streams observe it
  // (a client with many runs in flight would otherwise parse every payload once per run).
  const streams = new Map<InvokeEventName, Observable<unknown>>();

  function on<K extends InvokeEventName>(event: K): Observable<InvokeEventMap[K]> {
    let stream = streams.get(event);
    if (!stream) streams.set(event, (stream = listen(event).pipe(share())));
    return stream as Observable<InvokeEventMap[K]>;
  }

  function listen<K extends InvokeEventName>(event: K): Observable<InvokeEventMap[K]> {
    const schema = invokeEventSchemas[event];
    return connection$.pipe(
      switchMap(
        ({ socket }) =>
          new Observable<InvokeEventMap[K]>((subscriber) => {
            const listener = (payload: unknown) => {
              const parsed = schema.safeParse(payload);
              if (parsed.success) subscriber.next(parsed.data);
              else {
                droppedEvents += 1;
                reportInvalid(event, parsed.error.issues);
              }
            };
            socket.on(event, listener);
            return () => socket.off(event, listener);
          }),
      ),
    );
  }

  return {
    on,
    connected$: connection$.pipe(
      switchMap((c) => c.connected$),
      distinctUntilChanged(),
    ),
    errors$: errors$.asObservable(),
    get droppedEvents() {
      return droppedEvents;
    },
    get invalidCount() {
      return droppedEvents;
    },
  };
}

/**
 * python-socketio answers a refused `connect` handler with "Connection rejected by server"; a
 * socket.io (node) middleware typically says "Authentication required" or similar.
 */
const REFUSED = /rejected|authenticat|unauthori[sz]ed|forbidden|\b40[13]\b|token/i;

function toConnectError(error: unknown, url: string, hadToken: boolean): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (REFUSED.test(message)) {
    return new AuthError({ method: 'GET', url, status: 401, detail: message, hadToken });
  }
  return error instanceof Error ? error : new Error(`socket.io connect_error: ${message}`);
}
