import type { BoardDTO } from '../schemas/board.js';

/**
 * The board every client settles on when several share `boardName` (two processes that both
 * found none and both created one): the oldest by `created_at`, then by `board_id`, so that
 * each client, listing the same boards, picks the same one. `undefined` when none has the name.
 */
export function oldestBoard(boards: readonly BoardDTO[], boardName: string): BoardDTO | undefined {
  let best: BoardDTO | undefined;
  for (const b of boards) {
    if (b.board_name !== boardName) continue;
    if (best === undefined || b.created_at < best.created_at || (b.created_at === best.created_at && b.board_id < best.board_id)) best = b;
  }
  return best;
}
