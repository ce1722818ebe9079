import { EMPTY, type Observable, catchError, concat, defer, ignoreElements, map, of, shareReplay, switchMap, tap, throwError } from 'rxjs';
import { isHttpError, isNetworkError, isRequestTimeoutError } from '../errors/guards.js';
import * as z from 'zod/mini';
import type { HttpContext } from '../http/HttpContext.js';
import { request$ } from '../http/request.js';
import { retryWithin } from '../http/retryRequest.js';
import { type BoardDTO, zAddImagesToBoardResult, zBoardDTO } from '../schemas/board.js';
import { keepValidEntries, zEntries } from './keepValidEntries.js';
import { oldestBoard } from './oldestBoard.js';
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

  const remove = (boardId: string): Observable<never> =>
    request$(ctx, { method: 'DELETE', path: `/api/v1/boards/${encodeURIComponent(checkBoardId(boardId))}`, query: { include_images: false } }).pipe(
      ignoreElements(),
    );

  /**
   * "List, then create" races with other processes doing the same: after creating, the boards
   * are listed again and the oldest of that name wins; the one made here is deleted when it lost
   * and is still empty (with `include_images: false`, so nothing could be lost even if not).
   */
  const converge = (made: BoardDTO): Observable<BoardDTO> =>
    listAll().pipe(
      catchError(() => of([made])),
      switchMap((boards) => {
        const winner = oldestBoard([...boards.filter((b) => b.board_id !== made.board_id), made], made.board_name) ?? made;
        if (winner.board_id === made.board_id) return of(made);
        const mine = boards.find((b) => b.board_id === made.board_id) ?? made;
        const cleanup$ = mine.image_count === 0 ? remove(made.board_id).pipe(catchError(() => EMPTY)) : EMPTY;
        return concat(cleanup$, of(winner));
      }),
    );

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
          map((boards) => oldestBoard(boards, boardName)),
          switchMap((found) => (found ? of(found) : create$.pipe(switchMap(converge)))),
          retryWithin(ctx.config.retry, (error) => typeof error === 'object' && error !== null && ambiguous.has(error), ctx.random),
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
