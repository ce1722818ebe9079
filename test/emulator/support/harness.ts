import { io as connect, type Socket } from 'socket.io-client';
import { expect, vi } from 'vitest';
import type { Emulator } from '../../../src/emulator/types.js';

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** One HTTP request to the emulator (`path` below its base path). */
export async function api<T = any>(
  emu: Pick<Emulator, 'url'>,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${emu.url}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('application/json')) parsed = text === '' ? undefined : JSON.parse(text);
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

export interface Received {
  event: string;
  payload: any;
}

export interface TestSocket {
  socket: Socket;
  events: Received[];
  /** Events named `event` (optionally for one queue item). */
  of(event: string, itemId?: number): any[];
  waitFor(predicate: (events: Received[]) => boolean, what?: string): Promise<void>;
  close(): void;
}

/** Connects a socket.io client the way the InvokeAI web UI does, optionally subscribing to `default`. */
export async function openSocket(
  emu: Pick<Emulator, 'port' | 'socketPath'>,
  opts: { token?: string; subscribe?: boolean; header?: boolean } = {},
): Promise<TestSocket> {
  const socket = connect(`http://127.0.0.1:${emu.port}`, {
    path: emu.socketPath,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(opts.token && !opts.header ? { auth: { token: opts.token } } : {}),
    ...(opts.token && opts.header ? { extraHeaders: { Authorization: `Bearer ${opts.token}` } } : {}),
  });
  const events: Received[] = [];
  socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  if (opts.subscribe !== false) await socket.timeout(10_000).emitWithAck('subscribe_queue', { queue_id: 'default' });
  return {
    socket,
    events,
    of: (event, itemId) => events.filter((e) => e.event === event && (itemId === undefined || e.payload?.item_id === itemId)).map((e) => e.payload),
    waitFor: (predicate, what = 'the expected events') =>
      vi.waitFor(
        () => {
          if (!predicate(events)) throw new Error(`timed out waiting for ${what}`);
        },
        { timeout: 20_000, interval: 5 },
      ),
    close: () => void socket.close(),
  };
}

/** `integer(value=a) → add.a`, `add.b = b`: the trivial graph the server tests run. */
export function addGraph(a = 2, b = 3, extra: Record<string, unknown> = {}) {
  return {
    id: 'g',
    nodes: {
      int: { id: 'int', type: 'integer', value: a, ...extra },
      sum: { id: 'sum', type: 'add', b },
    },
    edges: [{ source: { node_id: 'int', field: 'value' }, destination: { node_id: 'sum', field: 'a' } }],
  };
}

export const TERMINAL = ['completed', 'failed', 'canceled'];

/** Polls `GET /i/{id}` until the item is terminal; returns it. */
export async function settled(emu: Pick<Emulator, 'url'>, itemId: number): Promise<any> {
  return vi.waitFor(
    async () => {
      const item = (await api(emu, 'GET', `/api/v1/queue/default/i/${itemId}`)).body;
      expect(TERMINAL, `status of item ${itemId}`).toContain(item?.status);
      return item;
    },
    { timeout: 20_000, interval: 5 },
  );
}

export async function enqueue(emu: Pick<Emulator, 'url'>, batch: Record<string, unknown>, prepend = false, headers: Record<string, string> = {}) {
  return api(emu, 'POST', '/api/v1/queue/default/enqueue_batch', { batch, prepend }, headers);
}
