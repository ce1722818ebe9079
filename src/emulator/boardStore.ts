import { randomUUID } from 'node:crypto';
import { sqliteTime } from './sqliteTime.js';

export interface StoredBoard {
  board_id: string;
  board_name: string;
  user_id: string;
  created_at: string;
  updated_at: string;
  cover_image_name: string | null;
  archived: boolean;
  board_visibility: 'private' | 'shared' | 'public';
}

/** Boards by id, in creation order. Image membership lives on the image (`board_id`). */
export class BoardStore {
  private readonly boards = new Map<string, StoredBoard>();

  create(board_name: string, user_id: string): StoredBoard {
    const now = sqliteTime();
    const b: StoredBoard = {
      board_id: randomUUID(),
      board_name,
      user_id,
      created_at: now,
      updated_at: now,
      cover_image_name: null,
      archived: false,
      board_visibility: 'private',
    };
    this.boards.set(b.board_id, b);
    return b;
  }

  get(id: string): StoredBoard | undefined {
    return this.boards.get(id);
  }

  delete(id: string): boolean {
    return this.boards.delete(id);
  }

  all(): StoredBoard[] {
    return [...this.boards.values()];
  }

  clear(): void {
    this.boards.clear();
  }
}
