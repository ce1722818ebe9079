import { defer, finalize, firstValueFrom } from 'rxjs';
import type { Emulator, EmulatorOptions } from '../emulator/index.js';
import { InvokeAIClient, type ClientOptions, type QueueApi } from '../index.js';
import { bounded } from './limits/bounded.js';

/** Simulated time per denoising step of the embedded emulator: slow enough to watch progress. */
export const EMBEDDED_MS_PER_STEP = 8;

/** The retry budget of set-up requests (ms). */
export const SETUP_RETRY_FOR = 5_000;

/** How a command reaches a server, and what it may replace for tests. */
export interface ServerDeps {
  /** Starts the embedded emulator. @default `startEmulator` of this package */
  startEmulator?: (options: EmulatorOptions) => Promise<Emulator>;
  /** Creates the client for a server URL. @default `InvokeAIClient.fromUrl` */
  createClient?: (url: string, options: ClientOptions) => InvokeAIClient;
}

/** A connected server for the duration of one command. */
export interface ServerSession {
  /** The client every request goes through (it records the batches it enqueues). */
  readonly client: InvokeAIClient;
  /**
   * A client of the same server for set-up requests (listing models): its retry budget is short
   * (`SETUP_RETRY_FOR`), so a wrong URL fails in seconds instead of being retried like a restart.
   */
  readonly setupClient: InvokeAIClient;
  /** The server as origin + base path: safe to print and to store (no credentials). */
  readonly url: string;
  /** Whether this command started the server itself (the embedded emulator). */
  readonly embedded: boolean;
  /**
   * Makes sure nothing this session enqueued is left pending or running on the server: waits for
   * enqueue requests in flight, cancels the session's batches (`PUT cancel_by_batch_ids`), and
   * waits until the server reports none of their items pending or in progress (or `timeoutMs`).
   */
  settle(timeoutMs?: number): Promise<void>;
  /** Closes the client's socket and stops the embedded emulator. */
  close(): Promise<void>;
}

/**
 * Connects to the server a command was pointed at: `'embedded'` (or nothing) starts the emulator
 * in-process on 127.0.0.1; anything else is the URL of an InvokeAI server.
 */
export async function openServer(
  server: string | undefined,
  options: { token?: string; msPerStep?: number; retry?: ClientOptions['retry'] },
  deps: ServerDeps = {},
): Promise<ServerSession> {
  const createClient = deps.createClient ?? ((url, o) => InvokeAIClient.fromUrl(url, o));
  let emulator: Emulator | undefined;
  let url: string;
  if (server === undefined || server === 'embedded') {
    const start = deps.startEmulator ?? (await import('../emulator/index.js')).startEmulator;
    emulator = await start({ port: 0, timing: { msPerStep: options.msPerStep ?? EMBEDDED_MS_PER_STEP, msPerNode: 0 } });
    url = emulator.url;
  } else {
    url = server;
  }
  const token = emulator === undefined && options.token ? { token: options.token } : {};
  const client = createClient(url, { ...token, ...(options.retry ? { retry: options.retry } : {}) });
  const setupFor = Math.min(options.retry?.for ?? SETUP_RETRY_FOR, SETUP_RETRY_FOR);
  const setupClient = createClient(url, { ...token, retry: { ...options.retry, for: setupFor } });
  const tracked = trackEnqueues(client);
  return {
    client: tracked.client,
    setupClient,
    url: `${client.config.origin}${client.config.basePath}`,
    embedded: emulator !== undefined,
    settle: (timeoutMs = 5_000) => settle(client, tracked, timeoutMs),
    async close() {
      client.close();
      setupClient.close();
      await emulator?.close();
    },
  };
}

interface EnqueueTracker {
  client: InvokeAIClient;
  batchIds: Set<string>;
  inFlight(): number;
}

/** A client that remembers the batch id of every enqueue and how many are still in flight. */
function trackEnqueues(inner: InvokeAIClient): EnqueueTracker {
  const batchIds = new Set<string>();
  let inFlight = 0;
  const q = inner.queue;
  const queue: QueueApi = {
    enqueueBatch: (batch, options) =>
      defer(() => {
        if (batch.batch_id) batchIds.add(batch.batch_id);
        inFlight++;
        return q.enqueueBatch(batch, options).pipe(finalize(() => inFlight--));
      }),
    getItem: (id) => q.getItem(id),
    cancelItem: (id) => q.cancelItem(id),
    cancelByBatchIds: (ids) => q.cancelByBatchIds(ids),
    getBatchStatus: (id) => q.getBatchStatus(id),
    getStatus: () => q.getStatus(),
    getItems: (ids) => q.getItems(ids),
    listAll: (options) => q.listAll(options),
    cancelByDestination: (destination) => q.cancelByDestination(destination),
  };
  const client: InvokeAIClient = {
    config: inner.config,
    queue,
    images: inner.images,
    boards: inner.boards,
    models: inner.models,
    app: inner.app,
    events: inner.events,
    close: () => inner.close(),
  };
  return { client, batchIds, inFlight: () => inFlight };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function settle(client: InvokeAIClient, tracker: EnqueueTracker, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // An enqueue still in flight may yet create items: cancel only once it has answered.
  while (tracker.inFlight() > 0 && Date.now() < deadline) await sleep(25);
  const ids = [...tracker.batchIds];
  if (ids.length === 0) return;
  // Every request is bounded by what is left of the deadline: a server that never answers must not
  // hold the command (Ctrl-C) for its request timeout and retries.
  const inTime = <T>(work: Promise<T>) => bounded(work, Math.max(0, deadline - Date.now()), () => new Error('settle deadline passed'));
  while (Date.now() < deadline) {
    try {
      await inTime(firstValueFrom(client.queue.cancelByBatchIds(ids)));
      const statuses = await inTime(Promise.all(ids.map((id) => firstValueFrom(client.queue.getBatchStatus(id)))));
      if (statuses.every((s) => s.pending === 0 && s.in_progress === 0 && s.waiting === 0)) return;
    } catch {
      // The server may be gone (that is often why we are settling); nothing more can be done.
      return;
    }
    await sleep(100);
  }
}
