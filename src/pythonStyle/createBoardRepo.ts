import { firstValueFrom, lastValueFrom } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import type { BoardDTO } from '../schemas/board.js';
import { BoardHandle, type BoardHandleHost, UNCATEGORIZED_BOARD_ID } from './BoardHandle.js';
import { BoardNotFoundError } from './errors/BoardNotFoundError.js';

/** Options of {@link BoardRepo.listBoards}. */
export interface ListBoardsOptions {
  /** Put the Uncategorized pseudo-board first. @default false */
  includeUncategorized?: boolean;
}

/** `client.boardRepo`: boards by id or name, as handles. Every method returns a Promise. */
export interface BoardRepo {
  /**
   * Every board (`GET /boards/?all=true`), optionally preceded by Uncategorized
   * (`board_id: 'none'`, whose `image_count` counts every image there, assets included).
   */
  listBoards(options?: ListBoardsOptions): Promise<BoardDTO[]>;
  /**
   * The board with this id, else with this name (the first, when several share it); `'none'` or
   * `null` is Uncategorized.
   * @throws (rejects) BoardNotFoundError when no board has that id or name.
   */
  getBoardHandle(nameOrId: string | null): Promise<BoardHandle>;
  /** The first board with exactly this name, or `null`. */
  getBoardHandleByName(name: string): Promise<BoardHandle | null>;
  /** The Uncategorized pseudo-board. */
  getUncategorizedHandle(): BoardHandle;
  /** Creates a board (names need not be unique: this always makes a new one). */
  createBoard(name: string): Promise<BoardHandle>;
  /** The board with this name, created when missing; concurrent calls create it once. */
  getOrCreate(name: string): Promise<BoardHandle>;
}

/**
 * Creates the `boardRepo` of a client (done lazily by `withPythonStyle` / `InvokeAIClient.fromUrl`
 * of `invokeai-rx/python-style`).
 *
 * ## Example
 * ```ts
 * const board = await client.boardRepo.getOrCreate('refined_stage');
 * console.log(board.boardId, await board.listImages());
 * ```
 */
export function createBoardRepo(client: InvokeAIClient): BoardRepo {
  const host: BoardHandleHost = {
    client,
    resolve: (nameOrId) => getBoardHandle(nameOrId),
    removeFromBoard: async (imageName) => {
      await lastValueFrom(client.boards.removeImage(imageName));
    },
  };
  const handle = (board: BoardDTO | null) => new BoardHandle(host, board);
  const uncategorized = handle(null);
  const listAll = () => firstValueFrom(client.boards.listAll());

  async function getBoardHandle(nameOrId: string | null): Promise<BoardHandle> {
    if (nameOrId === null || nameOrId === UNCATEGORIZED_BOARD_ID) return uncategorized;
    const boards = await listAll();
    const found = boards.find((b) => b.board_id === nameOrId) ?? boards.find((b) => b.board_name === nameOrId);
    if (!found) throw new BoardNotFoundError({ board: nameOrId, available: boards.map((b) => b.board_name) });
    return handle(found);
  }

  return Object.freeze({
    async listBoards(options: ListBoardsOptions = {}) {
      const boards = await listAll();
      if (!options.includeUncategorized) return boards;
      const images = await firstValueFrom(client.boards.imageNames(UNCATEGORIZED_BOARD_ID));
      const now = new Date().toISOString();
      const none: BoardDTO = {
        board_id: UNCATEGORIZED_BOARD_ID,
        board_name: 'Uncategorized',
        created_at: now,
        updated_at: now,
        archived: false,
        image_count: images.length,
        asset_count: 0,
      };
      return [none, ...boards];
    },
    getBoardHandle,
    async getBoardHandleByName(name: string) {
      const found = (await listAll()).find((b) => b.board_name === name);
      return found ? handle(found) : null;
    },
    getUncategorizedHandle: () => uncategorized,
    async createBoard(name: string) {
      return handle(await firstValueFrom(client.boards.create(name)));
    },
    async getOrCreate(name: string) {
      return handle(await firstValueFrom(client.boards.findOrCreate(name)));
    },
  });
}
