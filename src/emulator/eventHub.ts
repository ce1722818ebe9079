import type { Server, Socket } from 'socket.io';
import { SYSTEM_USER, bearerToken, type TokenService } from './auth.js';
import type { AuthUser } from './http/router.js';

type Payload = Record<string, unknown>;

/** One emitted event, as recorded for tests and inspection. */
export interface EmittedEvent {
  event: string;
  payload: Payload;
}

const ownerRooms = (userId: string) => [`user:${userId}`, 'admin'];

/**
 * socket.io side of the emulator: authentication on connect, rooms, and the routing table of
 * `sockets.py` (§2.3): private events go to the owner's room and `admin`; queue-room broadcasts
 * reach other subscribers as sanitized copies.
 */
export class EventHub {
  private readonly listeners = new Set<(e: EmittedEvent) => void>();

  constructor(
    private readonly io: Server,
    private readonly auth: { multiUser: boolean; tokens: TokenService; isActive(userId: string): boolean },
  ) {
    io.use((socket, next) => {
      const user = this.authenticate(socket);
      if (!user) return next(new Error('Authentication required'));
      socket.data.user = user;
      next();
    });
    io.on('connection', (socket) => {
      const user = socket.data.user as AuthUser;
      void socket.join([`user:${user.user_id}`, 'workflows:shared', ...(user.is_admin ? ['admin'] : [])]);
      // InvokeAI sends no acknowledgement; one is given when the client asks for it, so a client
      // (or a test) can know the subscription is in place before it enqueues.
      socket.on('subscribe_queue', (data: unknown, ack?: unknown) => {
        const queueId = (data as { queue_id?: unknown } | null)?.queue_id;
        if (typeof queueId === 'string') void socket.join([queueId, `user:${user.user_id}`, ...(user.is_admin ? ['admin'] : [])]);
        if (typeof ack === 'function') (ack as () => void)();
      });
      socket.on('unsubscribe_queue', (data: unknown) => {
        const queueId = (data as { queue_id?: unknown } | null)?.queue_id;
        if (typeof queueId === 'string') void socket.leave(queueId);
      });
      socket.on('subscribe_bulk_download', (data: unknown) => {
        const id = (data as { bulk_download_id?: unknown } | null)?.bulk_download_id;
        if (typeof id === 'string') void socket.join(id);
      });
      socket.on('unsubscribe_bulk_download', (data: unknown) => {
        const id = (data as { bulk_download_id?: unknown } | null)?.bulk_download_id;
        if (typeof id === 'string') void socket.leave(id);
      });
    });
  }

  private authenticate(socket: Socket): AuthUser | undefined {
    if (!this.auth.multiUser) return SYSTEM_USER;
    const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const token = typeof fromAuth === 'string' ? fromAuth : bearerToken(socket.handshake.headers.authorization);
    const claims = token ? this.auth.tokens.verify(token) : undefined;
    if (!claims || !this.auth.isActive(claims.user_id)) return undefined;
    return { user_id: claims.user_id, email: claims.email, is_admin: claims.is_admin };
  }

  /** Observes every event the hub sends (full payloads, before routing). */
  onEmit(listener: (e: EmittedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(event: string, payload: Payload): void {
    for (const l of this.listeners) l({ event, payload });
  }

  /** `invocation_started/complete/error`, `recall_parameters_updated`: owner + admin. */
  toOwner(event: string, payload: Payload, ownerId: string): void {
    this.record(event, payload);
    this.io.to(ownerRooms(ownerId)).emit(event, payload);
  }

  /** `invocation_progress`: the owner only. */
  toUser(event: string, payload: Payload, userId: string): void {
    this.record(event, payload);
    this.io.to(`user:${userId}`).emit(event, payload);
  }

  /** `queue_item_status_changed`: full to owner + admin, sanitized to the rest of the queue room. */
  queueItemStatusChanged(payload: Payload, ownerId: string, queueId: string): void {
    this.record('queue_item_status_changed', payload);
    this.io.to(ownerRooms(ownerId)).emit('queue_item_status_changed', payload);
    const batchStatus = payload.batch_status as Payload;
    const queueStatus = payload.queue_status as Payload;
    const sanitized = {
      ...payload,
      user_id: 'redacted',
      batch_id: 'redacted',
      session_id: 'redacted',
      origin: null,
      destination: null,
      error_type: null,
      error_message: null,
      error_traceback: null,
      batch_status: { ...batchStatus, batch_id: 'redacted' },
      queue_status: { ...queueStatus, item_id: null, session_id: null, batch_id: null, user_pending: null, user_in_progress: null },
    };
    this.io.to(queueId).except(ownerRooms(ownerId)).emit('queue_item_status_changed', sanitized);
  }

  /** `batch_enqueued`: full to owner + admin, sanitized to the queue room. */
  batchEnqueued(payload: Payload, ownerId: string, queueId: string): void {
    this.record('batch_enqueued', payload);
    this.io.to(ownerRooms(ownerId)).emit('batch_enqueued', payload);
    this.io
      .to(queueId)
      .except(ownerRooms(ownerId))
      .emit('batch_enqueued', { ...payload, user_id: 'redacted', batch_id: 'redacted', origin: null });
  }

  /** `queue_items_canceled`: each owner its ids, admin all, other subscribers empty lists. */
  queueItemsCanceled(queueId: string, byUser: Map<string, number[]>, timestamp: number): void {
    const all = [...byUser.values()].flat();
    const full = {
      timestamp,
      queue_id: queueId,
      canceled_item_ids: all,
      user_ids: [...byUser.keys()],
      canceled_item_ids_by_user: Object.fromEntries(byUser),
    };
    this.record('queue_items_canceled', full);
    this.io.to('admin').emit('queue_items_canceled', full);
    for (const [userId, ids] of byUser)
      this.io
        .to(`user:${userId}`)
        .except('admin')
        .emit('queue_items_canceled', { ...full, canceled_item_ids: ids, user_ids: [userId], canceled_item_ids_by_user: { [userId]: ids } });
    this.io
      .to(queueId)
      .except(['admin', ...[...byUser.keys()].map((u) => `user:${u}`)])
      .emit('queue_items_canceled', { ...full, canceled_item_ids: [], user_ids: [], canceled_item_ids_by_user: {} });
  }

  /** `queue_cleared`: null user (admin clear) → the queue room only. */
  queueCleared(queueId: string, userId: string | null, timestamp: number): void {
    const payload = { timestamp, queue_id: queueId, user_id: userId };
    this.record('queue_cleared', payload);
    if (userId === null) {
      this.io.to(queueId).emit('queue_cleared', payload);
      return;
    }
    this.io.to(ownerRooms(userId)).emit('queue_cleared', payload);
    this.io.to(queueId).except(ownerRooms(userId)).emit('queue_cleared', { ...payload, user_id: 'redacted' });
  }

  connectedCount(): number {
    return this.io.of('/').sockets.size;
  }

  disconnectAll(): void {
    this.io.disconnectSockets(true);
  }
}
