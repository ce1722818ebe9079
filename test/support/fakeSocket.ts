import type { Observable, Subscription } from 'rxjs';
import type { SocketFactory, SocketLike } from '../../src/client/types.js';
import type { InvokeEventMap } from '../../src/schemas/events.js';

type Listener = (...args: any[]) => void;
export type FakeSocketOptions = Parameters<SocketFactory>[1];

/**
 * A socket.io client stand-in driven by the test ("the server"). Client-side calls (`emit`,
 * `connect`, `disconnect`) are recorded; server-side actions (`serverConnect`, `serverEmit`,
 * `serverDrop`, `serverRefuse`) call the registered listeners synchronously, like socket.io does
 * when a packet arrives.
 */
export class FakeSocket implements SocketLike {
  connected = false;
  /** Client → server messages, in order. */
  readonly sent: Array<{ event: string; args: unknown[] }> = [];
  connectCalls = 0;
  disconnectCalls = 0;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    readonly url: string,
    readonly options: FakeSocketOptions,
    private readonly autoConnect: boolean,
  ) {}

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener?: Listener): this {
    if (listener) this.listeners.get(event)?.delete(listener);
    else this.listeners.delete(event);
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    this.sent.push({ event, args });
    return this;
  }

  connect(): this {
    this.connectCalls += 1;
    if (this.autoConnect && !this.connected) this.serverConnect();
    return this;
  }

  disconnect(): this {
    this.disconnectCalls += 1;
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** The handshake succeeded. */
  serverConnect(): void {
    this.connected = true;
    this.fire('connect');
  }

  /** The connection was lost (socket.io would now try to reconnect). */
  serverDrop(reason = 'transport close'): void {
    if (!this.connected) return;
    this.connected = false;
    this.fire('disconnect', reason);
  }

  /** The server refused the handshake (python-socketio's message for a `connect` handler returning False). */
  serverRefuse(message = 'Connection rejected by server'): void {
    this.fire('connect_error', new Error(message));
  }

  /** A server event; lost when the socket is not connected, as on a real socket. */
  serverEmit(event: string, payload: unknown): void {
    if (this.connected) this.fire(event, payload);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }
}

/** What a scripted "server" can do to the current socket (see {@link FakeSocketServer.play}). */
export type SocketAction =
  | { type: 'connect' }
  | { type: 'drop' }
  | { type: 'refuse'; message?: string }
  | { type: 'event'; event: string; payload: unknown };

export const socketActions = {
  connect: (): SocketAction => ({ type: 'connect' }),
  drop: (): SocketAction => ({ type: 'drop' }),
  refuse: (message?: string): SocketAction => ({ type: 'refuse', ...(message ? { message } : {}) }),
  event: <K extends keyof InvokeEventMap>(event: K, payload: InvokeEventMap[K]): SocketAction => ({
    type: 'event',
    event,
    payload,
  }),
  /** An event whose payload is not checked (to test validation). */
  raw: (event: string, payload: unknown): SocketAction => ({ type: 'event', event, payload }),
};

/** The "server side" of fake sockets: the factory to inject and the sockets it made. */
export interface FakeSocketServer {
  readonly factory: SocketFactory;
  readonly sockets: readonly FakeSocket[];
  /** The most recently created socket. */
  readonly current: FakeSocket | undefined;
  /** Applies each action to the current socket when it is emitted (e.g. from a `hot()` marble). */
  play(actions$: Observable<SocketAction>): Subscription;
  apply(action: SocketAction): void;
}

/**
 * Fake sockets for marble tests:
 *
 * ```ts
 * const server = fakeSocketServer();                  // sockets connect when asked to
 * const client = fakeClient({ socket: server, queue: { ... } });
 * server.play(hot('--a', { a: socketActions.event('queue_item_status_changed', statusEvent(...)) }));
 * ```
 *
 * @param options.autoConnect `false`: `connect()` does nothing until a `connect` action. @default true
 */
export function fakeSocketServer(options: { autoConnect?: boolean } = {}): FakeSocketServer {
  const autoConnect = options.autoConnect ?? true;
  const sockets: FakeSocket[] = [];
  const apply = (action: SocketAction) => {
    const socket = sockets[sockets.length - 1];
    if (!socket) return;
    switch (action.type) {
      case 'connect':
        socket.serverConnect();
        break;
      case 'drop':
        socket.serverDrop();
        break;
      case 'refuse':
        socket.serverRefuse(action.message);
        break;
      case 'event':
        socket.serverEmit(action.event, action.payload);
        break;
    }
  };
  return {
    factory: (url, opts) => {
      const socket = new FakeSocket(url, opts, autoConnect);
      sockets.push(socket);
      return socket;
    },
    sockets,
    get current() {
      return sockets[sockets.length - 1];
    },
    play: (actions$) => actions$.subscribe(apply),
    apply,
  };
}

type QueueItemStatus = InvokeEventMap['queue_item_status_changed']['status'];

/** Item identity shared by the event builders. */
export interface EventItemRef {
  item_id: number;
  batch_id?: string;
  origin?: string | null;
  session_id?: string;
}

function base(ref: EventItemRef) {
  return {
    timestamp: 1_787_000_000,
    queue_id: 'default',
    item_id: ref.item_id,
    batch_id: ref.batch_id ?? 'batch-1',
    origin: ref.origin ?? null,
    destination: null,
    user_id: 'system',
  };
}

function invocationBase(ref: EventItemRef & { node_id: string; type?: string }) {
  return {
    ...base(ref),
    session_id: ref.session_id ?? `session-${ref.item_id}`,
    invocation: { id: `prepared-${ref.node_id}`, type: ref.type ?? 'add' },
    invocation_source_id: ref.node_id,
  };
}

/** Payload builders shaped like InvokeAI 6.14's events (all fields present, as the server sends them). */
export const fakeEvent = {
  statusChanged: (
    ref: EventItemRef & {
      status: QueueItemStatus;
      status_sequence?: number | null;
      error_type?: string | null;
      error_message?: string | null;
      error_traceback?: string | null;
    },
  ): InvokeEventMap['queue_item_status_changed'] => ({
    ...base(ref),
    status: ref.status,
    status_sequence: ref.status_sequence ?? null,
    error_type: ref.error_type ?? null,
    error_message: ref.error_message ?? null,
    error_traceback: ref.error_traceback ?? null,
    created_at: '2026-08-19 10:00:00.000',
    updated_at: '2026-08-19 10:00:01.000',
    started_at: ref.status === 'pending' ? null : '2026-08-19 10:00:01.000',
    completed_at: ['completed', 'failed', 'canceled'].includes(ref.status) ? '2026-08-19 10:00:02.000' : null,
    batch_status: {
      queue_id: 'default',
      batch_id: ref.batch_id ?? 'batch-1',
      origin: ref.origin ?? null,
      destination: null,
      pending: 0,
      in_progress: ref.status === 'in_progress' ? 1 : 0,
      waiting: 0,
      completed: ref.status === 'completed' ? 1 : 0,
      failed: ref.status === 'failed' ? 1 : 0,
      canceled: ref.status === 'canceled' ? 1 : 0,
      total: 1,
    },
    queue_status: {
      queue_id: 'default',
      item_id: ref.status === 'in_progress' ? ref.item_id : null,
      batch_id: ref.status === 'in_progress' ? (ref.batch_id ?? 'batch-1') : null,
      session_id: ref.status === 'in_progress' ? `session-${ref.item_id}` : null,
      pending: 0,
      in_progress: ref.status === 'in_progress' ? 1 : 0,
      waiting: 0,
      completed: 0,
      failed: 0,
      canceled: 0,
      total: 1,
      user_pending: null,
      user_in_progress: null,
    },
    session_id: ref.session_id ?? `session-${ref.item_id}`,
  }),
  invocationStarted: (ref: EventItemRef & { node_id: string; type?: string }): InvokeEventMap['invocation_started'] =>
    invocationBase(ref),
  invocationProgress: (
    ref: EventItemRef & { node_id: string; percentage: number | null; message?: string },
  ): InvokeEventMap['invocation_progress'] => ({
    ...invocationBase(ref),
    message: ref.message ?? 'Denoising',
    percentage: ref.percentage,
    image: null,
    device: null,
  }),
  invocationComplete: (
    ref: EventItemRef & { node_id: string; result: { type: string; [k: string]: unknown } },
  ): InvokeEventMap['invocation_complete'] => ({ ...invocationBase(ref), result: ref.result }),
  invocationError: (
    ref: EventItemRef & { node_id: string; error_type: string; error_message: string },
  ): InvokeEventMap['invocation_error'] => ({
    ...invocationBase(ref),
    error_type: ref.error_type,
    error_message: ref.error_message,
    error_traceback: `Traceback (most recent call last):\n${ref.error_type}: ${ref.error_message}\n`,
  }),
  itemsCanceled: (ids: number[]): InvokeEventMap['queue_items_canceled'] => ({
    timestamp: 1_787_000_000,
    queue_id: 'default',
    canceled_item_ids: ids,
    user_ids: ['system'],
    canceled_item_ids_by_user: { system: ids },
  }),
  queueCleared: (): InvokeEventMap['queue_cleared'] => ({ timestamp: 1_787_000_000, queue_id: 'default', user_id: null }),
};
