import { type Observable, catchError, concat, defer, map, of, reduce, switchMap, throwError } from 'rxjs';
import * as z from 'zod/mini';
import { EnqueueError } from '../errors/EnqueueError.js';
import { isHttpError, isNetworkError, isRequestTimeoutError } from '../errors/guards.js';
import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import { isRetryable } from '../http/retry.js';
import { retryWithin } from '../http/retryRequest.js';
import { type Batch, zBatch } from '../schemas/graph.js';
import { randomUUID } from '../util/randomUUID.js';
import {
  type BatchStatus,
  type EnqueueBatchResult,
  type SessionQueueItem,
  zBatchStatus,
  zCancelByBatchIDsResult,
  zEnqueueBatchResult,
  zItemIdsResult,
  zSessionQueueAndProcessorStatus,
  zSessionQueueItem,
  zSessionQueueItemSummary,
} from '../schemas/queue.js';
import { keepValidEntries, zEntries } from './keepValidEntries.js';
import type { QueueApi } from './types.js';
import { consoleWarning } from './warnings.js';

/** The server's limit for `items_by_ids` / `item_summaries_by_ids`. */
const MAX_IDS_PER_REQUEST = 1000;

/**
 * `/api/v1/queue/{queue_id}` of the configured queue.
 *
 * Enqueue is never retried blindly: the batch gets a client-chosen `batch_id`, and after an
 * ambiguous failure (connection lost after sending, 502/503/504, request timeout) the batch
 * status tells whether the server took it. Taken → the result is rebuilt from the queue;
 * not taken → the same batch is resubmitted with backoff, within the retry budget. A full queue
 * (`enqueued: 0`) is waited out the same way: nothing of the batch was taken.
 */
export function createQueueApi(ctx: HttpContext): QueueApi {
  const path = (p: string) => `/api/v1/queue/${encodeURIComponent(ctx.config.queueId)}${p}`;

  const getBatchStatus = (batchId: string): Observable<BatchStatus> =>
    request$(ctx, { method: 'GET', path: path(`/b/${encodeURIComponent(batchId)}/status`), schema: zBatchStatus });

  const getItem = (itemId: number): Observable<SessionQueueItem> =>
    request$(ctx, { method: 'GET', path: path(`/i/${checkId(itemId)}`), schema: zSessionQueueItem });

  /**
   * Ids of the batch's items, newest first. `item_ids` (plain ints, newest first) + light
   * summaries (no session) in chunks is the cheapest correct lookup: `list_all` and
   * `items_by_ids` would send every item's whole session. The batch was just created, so its
   * items are normally in the first chunk.
   */
  const batchItemIds = (batchId: string, expected: number): Observable<number[]> =>
    request$(ctx, { method: 'GET', path: path('/item_ids'), query: { order_dir: 'DESC' }, schema: zItemIdsResult }).pipe(
      switchMap(({ item_ids }) => {
        const found: number[] = [];
        const chunks = chunk(item_ids, MAX_IDS_PER_REQUEST);
        const next = (index: number): Observable<number[]> => {
          if (found.length >= expected || index >= chunks.length) return of(found.sort((a, b) => b - a));
          return request$(ctx, {
            method: 'POST',
            path: path('/item_summaries_by_ids'),
            json: { item_ids: chunks[index] },
            schema: z.array(zSessionQueueItemSummary),
            idempotent: true,
          }).pipe(
            switchMap((summaries) => {
              for (const s of summaries) if (s.batch_id === batchId) found.push(s.item_id);
              return next(index + 1);
            }),
          );
        };
        return next(0);
      }),
    );

  const enqueueBatch: QueueApi['enqueueBatch'] = (batch: Batch, options = {}) =>
    defer(() => {
      const prepend = options.prepend ?? false;
      const parsed = zBatch.safeParse({ ...batch, batch_id: batch.batch_id ?? randomUUID() });
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        throw new TypeError(`Invalid batch (${issues}); build it with the workflow helpers or fix the fields listed.`);
      }
      const sent = parsed.data;
      const batchId = sent.batch_id as string;
      // Errors after which the server is known not to have the batch: safe to resubmit.
      const notAccepted = new WeakSet<object>();

      const reconcile$ = (error: unknown): Observable<EnqueueBatchResult> =>
        getBatchStatus(batchId).pipe(
          catchError(() => throwError(() => error)),
          switchMap((status) => {
            if (status.total === 0) {
              if (typeof error === 'object' && error !== null) notAccepted.add(error);
              return throwError(() => error);
            }
            return rebuildResult$(status);
          }),
        );

      const rebuildResult$ = (status: BatchStatus): Observable<EnqueueBatchResult> =>
        batchItemIds(batchId, status.total).pipe(
          switchMap((item_ids) =>
            // priority is 0 unless prepended (then it is the highest pending priority + 1).
            (prepend && item_ids.length > 0 ? getItem(item_ids[0]!).pipe(map((item) => item.priority)) : of(0)).pipe(
              map(
                (priority): EnqueueBatchResult => ({
                  queue_id: ctx.config.queueId,
                  enqueued: status.total,
                  requested: sessionCount(sent),
                  batch: sent,
                  priority,
                  item_ids,
                }),
              ),
            ),
          ),
        );

      const { retry: policy } = ctx.config;
      return request$(ctx, {
        method: 'POST',
        path: path('/enqueue_batch'),
        json: { batch: sent, prepend },
        schema: zEnqueueBatchResult,
        idempotent: false,
        retry: false,
      }).pipe(
        catchError((error: unknown) => (isAmbiguous(error) ? reconcile$(error) : throwError(() => error))),
        map((result) => {
          if (result.enqueued === 0 && result.requested > 0) {
            // A full queue (max_queue_size pending items) takes nothing: resubmitting is safe.
            const full = new EnqueueError({ batch_id: batchId, requested: result.requested, enqueued: 0 });
            notAccepted.add(full);
            throw full;
          }
          return result;
        }),
        retryWithin(
          policy,
          (error) => (typeof error === 'object' && error !== null && notAccepted.has(error)) || isRetryable(error, { idempotent: false }, policy),
          ctx.random,
        ),
      );
    });

  return {
    enqueueBatch,
    getItem,
    cancelItem: (itemId) =>
      request$(ctx, { method: 'PUT', path: path(`/i/${checkId(itemId)}/cancel`), schema: zSessionQueueItem }),
    cancelByBatchIds: (batchIds) =>
      request$(ctx, {
        method: 'PUT',
        path: path('/cancel_by_batch_ids'),
        json: { batch_ids: [...batchIds] },
        schema: zCancelByBatchIDsResult,
      }),
    getBatchStatus,
    listAll: (options = {}) =>
      request$(ctx, {
        method: 'GET',
        path: path('/list_all'),
        ...(options.destination !== undefined ? { query: { destination: options.destination } } : {}),
        schema: zEntries,
      }).pipe(map((entries) => keepValidEntries(entries, zSessionQueueItem, 'queue.listAll', ctx.warn ?? consoleWarning, 'item_id'))),
    cancelByDestination: (destination) =>
      request$(ctx, { method: 'PUT', path: path('/cancel_by_destination'), query: { destination }, schema: zCancelByBatchIDsResult }),
    getStatus: () => request$(ctx, { method: 'GET', path: path('/status'), schema: zSessionQueueAndProcessorStatus }),
    getItems: (itemIds) => {
      const ids = itemIds.map(checkId);
      if (ids.length === 0) return of([]);
      return concat(
        ...chunk(ids, MAX_IDS_PER_REQUEST).map((part) =>
          request$(ctx, {
            method: 'POST',
            path: path('/items_by_ids'),
            json: { item_ids: part },
            schema: zEntries,
            // A read: sending it twice changes nothing.
            idempotent: true,
          }).pipe(map((entries) => keepValidEntries(entries, zSessionQueueItem, 'queue.getItems', ctx.warn ?? consoleWarning, 'item_id'))),
        ),
      ).pipe(reduce((all, part) => all.concat(part), [] as SessionQueueItem[]));
    },
  };
}

/** A failure after which the server may or may not have enqueued the batch. */
function isAmbiguous(error: unknown): boolean {
  if (isNetworkError(error)) return error.ambiguous;
  if (isRequestTimeoutError(error)) return true;
  return isHttpError(error) && (error.status === 502 || error.status === 503 || error.status === 504);
}

/** `calc_session_count`: runs × Π(length of the first datum of each zipped group). */
function sessionCount(batch: { runs: number; data?: { items: unknown[] }[][] | null }): number {
  let count = batch.runs;
  for (const group of batch.data ?? []) count *= group[0]?.items.length ?? 1;
  return count;
}

function checkId(itemId: number): number {
  if (!Number.isInteger(itemId) || itemId < 0) {
    throw new TypeError(`Queue item id must be a non-negative integer, got ${String(itemId)}.`);
  }
  return itemId;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

