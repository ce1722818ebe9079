import { type Observable, catchError, defer, map, of, retry, shareReplay, switchMap, tap, throwError, timer } from 'rxjs';
import { isHttpError, isNetworkError, isRequestTimeoutError } from '../errors/guards.js';
import * as z from 'zod';
import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import { retryDelay } from '../http/retry.js';
import { type BoardDTO, zAddImagesToBoardResult, zBoardDTO } from '../schemas/board.js';
import { keepValidEntries, zEntries } from './keepValidEntries.js';
import type { BoardsApi } from './types.js';
import { consoleWarning } from './warnings.js';

/** `/api/v1/boards`, `/api/v1/board_images`. */
export function createBoardsApi(ctx: HttpContext): BoardsApi {
  const warn = ctx.warn ?? consoleWarning;
  const listAll = (): Observable<BoardDTO[]> =>
    request$(ctx, { method: 'GET', path: '/api/v1/boards/', query: { all: true }, schema: zEntries }).pipe(
      map((entries) => keepValidEntries(entries, zBoardDTO, 'boards.listAll', warn, 'board_id')),
    );

  const create = (boardName: string): Observable<BoardDTO> =>
    request$(ctx, { method: 'POST', path: '/api/v1/boards/', query: { board_name: checkBoardName(boardName) }, schema: zBoardDTO });

  // One in-flight (or settled) lookup per name, so concurrent callers share one creation.
  const pending = new Map<string, Observable<BoardDTO>>();

  const findOrCreate = (boardName: string): Observable<BoardDTO> =>
    defer(() => {
      checkBoardName(boardName);
      let shared$ = pending.get(boardName);
      if (!shared$) {
        // A create that failed ambiguously (gateway error, reset, timeout) may have made the board:
        // the whole find-or-create is repeated, so it is found instead of created twice.
        const ambiguous = new WeakSet<object>();
        const create$ = create(boardName).pipe(
          catchError((error: unknown) => {
            if (isAmbiguous(error)) ambiguous.add(error as object);
            return throwError(() => error);
          }),
        );
        shared$ = defer(() => listAll()).pipe(
          map((boards) => boards.find((b) => b.board_name === boardName)),
          switchMap((found) => (found ? of(found) : create$)),
          retry({
            count: ctx.config.retry.limit,
            delay: (error: unknown, attempt: number) =>
              typeof error === 'object' && error !== null && ambiguous.has(error)
                ? timer(retryDelay(attempt, error, ctx.config.retry, ctx.random))
                : throwError(() => error),
          }),
          catchError((error: unknown) => {
            // A failed lookup must not poison later calls.
            pending.delete(boardName);
            return throwError(() => error);
          }),
          tap({ complete: () => pending.delete(boardName) }),
          // refCount: when every caller unsubscribes, the lookup is aborted like any request.
          shareReplay({ bufferSize: 1, refCount: true }),
        );
        pending.set(boardName, shared$);
      }
      return shared$;
    });

  return {
    listAll,
    create,
    findOrCreate,
    imageNames: (boardId) =>
      request$(ctx, {
        method: 'GET',
        path: `/api/v1/boards/${encodeURIComponent(checkBoardId(boardId))}/image_names`,
        schema: zEntries,
      }).pipe(map((entries) => keepValidEntries(entries, z.string(), 'boards.imageNames', warn))),
    addImage: (boardId, imageName) =>
      request$(ctx, {
        method: 'POST',
        path: '/api/v1/board_images/',
        json: { board_id: checkBoardId(boardId), image_name: imageName },
        schema: zAddImagesToBoardResult,
        // Adding an image to the board it is on is a no-op.
        idempotent: true,
      }),
    removeImage: (imageName) =>
      request$(ctx, { method: 'DELETE', path: '/api/v1/board_images/', json: { image_name: imageName } }),
  };
}

/** A failure after which the server may or may not have acted on the request. */
function isAmbiguous(error: unknown): boolean {
  if (isNetworkError(error)) return error.ambiguous;
  if (isRequestTimeoutError(error)) return true;
  return isHttpError(error) && (error.status === 502 || error.status === 503 || error.status === 504);
}

function checkBoardName(name: string): string {
  if (typeof name !== 'string' || name === '' || name.length > 300) {
    throw new TypeError(`Board name must be a non-empty string of at most 300 characters, got ${JSON.stringify(name)}.`);
  }
  return name;
}

function checkBoardId(boardId: string): string {
  if (typeof boardId !== 'string' || boardId === '') {
    throw new TypeError(`Board id must be a non-empty string ('none' = uncategorized), got ${JSON.stringify(boardId)}.`);
  }
  return boardId;
}
