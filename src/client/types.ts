import type { Observable } from 'rxjs';
import type { Batch } from '../schemas/graph.js';
import type {
  BatchStatus,
  CancelByBatchIDsResult,
  EnqueueBatchResult,
  SessionQueueAndProcessorStatus,
  SessionQueueItem,
} from '../schemas/queue.js';
import type { DeleteImagesResult, ImageCategory, ImageDTO, StarredImagesResult } from '../schemas/image.js';
import type { BoardDTO } from '../schemas/board.js';
import type { ModelConfig } from '../schemas/model.js';
import type { AppVersion, SetupStatus } from '../schemas/app.js';
import type { InvokeEventMap } from '../schemas/events.js';
import type { RetryOptions } from '../http/retry.js';
import type { WarningHandler } from './warnings.js';
import type { FieldTableData } from '../workflow/fieldTableTypes.js';

/**
 * Every method returns a cold Observable: nothing is sent until it is subscribed, each
 * subscription sends its own request, and unsubscribing aborts the request in flight.
 */

/** `/api/v1/queue/{queue_id}` */
export interface QueueApi {
  /**
   * Enqueues a batch. The client assigns `batch_id` when the batch has none, so an ambiguous
   * failure (connection lost after the request was sent) is resolved by asking the batch status
   * before any resubmission: a job is never queued twice.
   */
  enqueueBatch(batch: Batch, options?: { prepend?: boolean }): Observable<EnqueueBatchResult>;
  getItem(itemId: number): Observable<SessionQueueItem>;
  /** `PUT /i/{item_id}/cancel` (the Python client's DELETE deletes the row instead). */
  cancelItem(itemId: number): Observable<SessionQueueItem>;
  cancelByBatchIds(batchIds: readonly string[]): Observable<CancelByBatchIDsResult>;
  getBatchStatus(batchId: string): Observable<BatchStatus>;
  getStatus(): Observable<SessionQueueAndProcessorStatus>;
  /** `POST /items_by_ids`: missing ids are skipped by the server. */
  getItems(itemIds: readonly number[]): Observable<SessionQueueItem[]>;
  /** `GET /list_all?destination=…`: every item with that destination (all of them without one), whole sessions included. */
  listAll(options?: { destination?: string }): Observable<SessionQueueItem[]>;
  /** `PUT /cancel_by_destination`: cancels the unfinished items with that destination. */
  cancelByDestination(destination: string): Observable<CancelByBatchIDsResult>;
}

export interface UploadImageOptions {
  /** @default 'user' */
  image_category?: ImageCategory;
  /** @default false */
  is_intermediate?: boolean;
  /** Board id to add the upload to; `'none'` or absent means uncategorized (never sent). */
  board_id?: string;
  /** File name sent in the multipart part. @default 'image.png' */
  fileName?: string;
}

/** `/api/v1/images` */
export interface ImagesApi {
  upload(data: Uint8Array | Blob, options?: UploadImageOptions): Observable<ImageDTO>;
  get(imageName: string): Observable<ImageDTO>;
  /** Full-resolution PNG bytes. */
  download(imageName: string): Observable<Uint8Array>;
  /**
   * The image as a `Blob` (`image/png`, or `image/webp` for the thumbnail), fetched through the
   * client so the token goes with it: an `<img src>` cannot carry a Bearer header. See
   * `imageObjectUrl` for an object URL that is revoked when you unsubscribe.
   */
  blob(imageName: string, options?: { thumbnail?: boolean }): Observable<Blob>;
  /** WebP thumbnail bytes. */
  downloadThumbnail(imageName: string): Observable<Uint8Array>;
  delete(imageName: string): Observable<DeleteImagesResult>;
  deleteMany(imageNames: readonly string[]): Observable<DeleteImagesResult>;
  star(imageNames: readonly string[]): Observable<StarredImagesResult>;
  unstar(imageNames: readonly string[]): Observable<StarredImagesResult>;
}

/** `/api/v1/boards`, `/api/v1/board_images` */
export interface BoardsApi {
  listAll(): Observable<BoardDTO[]>;
  create(boardName: string): Observable<BoardDTO>;
  /** The board with this exact name, created when missing; concurrent calls share one creation. */
  findOrCreate(boardName: string): Observable<BoardDTO>;
  /** Image names on a board; `'none'` is the uncategorized pseudo-board. */
  imageNames(boardId: string): Observable<string[]>;
  addImage(boardId: string, imageName: string): Observable<unknown>;
  /**
   * `DELETE /api/v1/board_images/`: moves an image off its board to Uncategorized. Optional, so
   * that clients composed of other clients need not route it.
   */
  removeImage(imageName: string): Observable<unknown>;
}

export interface ModelFilter {
  base?: string | readonly string[];
  type?: string;
  name?: string;
}

/** `/api/v2/models` */
export interface ModelsApi {
  list(filter?: ModelFilter): Observable<ModelConfig[]>;
}

/** `/api/v1/app`, `/openapi.json` */
export interface AppApi {
  version(): Observable<AppVersion>;
  /** `GET /api/v1/auth/status` (no auth needed): multi-user mode or not. */
  authStatus(): Observable<SetupStatus>;
  /** The server's OpenAPI document (node templates), for checking graphs against the real server. */
  openapi(): Observable<unknown>;
  /**
   * The server's invocation table (`fieldTableFromOpenApi` of its `/openapi.json`): what runs bind
   * a workflow without a table to. Loaded once per client and shared; a failed load is not kept,
   * so the next call asks again.
   */
  fieldTable(): Observable<FieldTableData>;
}

/** socket.io events of the configured queue. */
export interface EventsApi {
  /**
   * A hot stream of one server event. All streams share one lazily opened socket (opened on
   * the first subscription, closed when the last one ends) that emits `subscribe_queue` on every
   * (re)connect.
   */
  on<K extends keyof InvokeEventMap>(event: K): Observable<InvokeEventMap[K]>;
  /**
   * `true` once the socket is connected and subscribed to the queue, `false` while it is not.
   * Replays the latest value. Subscribing opens the socket like {@link on}.
   */
  readonly connected$: Observable<boolean>;
  /**
   * How many socket events were dropped because their payload failed validation (each one is
   * also reported, rate-limited, as an `invalid-events` warning). Present on clients made by
   * `createInvokeAIClient`.
   */
  readonly invalidCount?: number;
}

export interface ClientOptions {
  /** @default 'default' */
  queueId?: string;
  /** Bearer token; sent only to the configured origin, never printed. */
  token?: string;
  /** @default the global `fetch` (browsers, Node 18+, Deno, Bun), called on its global */
  fetch?: typeof globalThis.fetch;
  /** Retry policy for idempotent requests. */
  retry?: Partial<RetryOptions>;
  /** Per-request timeout in ms (0 = none). @default 30000 */
  timeout?: number;
  /**
   * Factory for socket.io connections (tests inject a fake; `null` disables sockets and every
   * run falls back to polling). @default socket.io-client's `io`
   */
  socketFactory?: SocketFactory | null;
  /**
   * Receives what the client tolerated instead of failing (a tolerant reader): list entries it
   * dropped, queue statuses it does not know, socket events it could not read.
   * @default prints each warning with `console.warn`
   */
  onWarning?: WarningHandler;
}

/** Minimal socket.io client surface the library needs. */
export interface SocketLike {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener?: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
  readonly connected: boolean;
}

export type SocketFactory = (
  url: string,
  options: { path: string; auth?: { token: string }; extraHeaders?: Record<string, string> },
) => SocketLike;

export interface ResolvedClientConfig {
  /** `scheme://host:port` */
  readonly origin: string;
  /** Reverse-proxy sub-path without trailing slash, `''` when none (e.g. `/invoke`). */
  readonly basePath: string;
  readonly queueId: string;
  readonly timeout: number;
  readonly retry: RetryOptions;
  /** Whether a token is configured (the token itself is never exposed). */
  readonly hasToken: boolean;
}

/** A connection to one InvokeAI server. */
export interface InvokeAIClient {
  readonly config: ResolvedClientConfig;
  readonly queue: QueueApi;
  readonly images: ImagesApi;
  readonly boards: BoardsApi;
  readonly models: ModelsApi;
  readonly app: AppApi;
  readonly events: EventsApi;
  /** Closes the socket (if open). HTTP calls keep working. */
  close(): void;
  /**
   * Reports a tolerated oddity through the client's `onWarning` (runs use it for statuses they do
   * not know). Optional so that composed clients need not route it; those warn on the console.
   */
  readonly warn?: WarningHandler;
}
