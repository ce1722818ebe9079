import { firstValueFrom, lastValueFrom } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import type { BoardDTO } from '../schemas/board.js';
import type { ImageCategory, ImageDTO } from '../schemas/image.js';

/** The uncategorized pseudo-board's id (`'none'`, as the server and the Python client spell it). */
export const UNCATEGORIZED_BOARD_ID = 'none';

/** @internal What a board handle needs beyond the client. */
export interface BoardHandleHost {
  readonly client: InvokeAIClient;
  /** Resolves a board by id or name (`'none'` = uncategorized). */
  resolve(nameOrId: string): Promise<BoardHandle>;
  /** `DELETE /api/v1/board_images/`: moves an image to Uncategorized. */
  removeFromBoard(imageName: string): Promise<void>;
}

/** Options of {@link BoardHandle.uploadImage}. */
export interface BoardUploadOptions {
  /** File name sent with the upload. @default 'upload.png' */
  fileName?: string;
  /** Intermediate images are hidden from the gallery. @default false */
  isIntermediate?: boolean;
  /** @default 'user' (the gallery's Assets tab) */
  imageCategory?: ImageCategory;
}

/** Options of {@link BoardHandle.downloadImage}. */
export interface BoardDownloadOptions {
  /** `true`: the full-resolution PNG; `false`: the server's WebP thumbnail. @default true */
  fullResolution?: boolean;
}

/**
 * One board (or Uncategorized, id `'none'`) and the images on it, with the Python client's
 * `BoardHandle` methods. Every method returns a Promise; the handle's `board` is a snapshot taken
 * when the handle was made ({@link refresh} takes a new one).
 *
 * ## Example
 * ```ts
 * const board = await client.boardRepo.getBoardHandle('upscaled_stage');
 * const png = await board.downloadImage(imageName, { fullResolution: true });
 * ```
 */
export class BoardHandle {
  /** The board id; `'none'` for Uncategorized. */
  readonly boardId: string;
  readonly boardName: string;
  /** The board as last read, `null` for Uncategorized. */
  readonly board: BoardDTO | null;
  readonly #host: BoardHandleHost;

  /** @internal Use `client.boardRepo`. */
  constructor(host: BoardHandleHost, board: BoardDTO | null) {
    this.#host = host;
    this.board = board;
    this.boardId = board ? board.board_id : UNCATEGORIZED_BOARD_ID;
    this.boardName = board ? board.board_name : 'Uncategorized';
    Object.freeze(this);
  }

  /** Whether this is the Uncategorized pseudo-board. */
  isUncategorized(): boolean {
    return this.board === null;
  }

  /** A new handle with the board as the server has it now. */
  refresh(): Promise<BoardHandle> {
    return this.#host.resolve(this.boardId);
  }

  /** Names of the images on the board (`GET /boards/{id}/image_names`). */
  listImages(): Promise<string[]> {
    return firstValueFrom(this.#host.client.boards.imageNames(this.boardId));
  }

  /** Uploads image bytes onto this board. */
  uploadImage(data: Uint8Array | Blob, options: BoardUploadOptions = {}): Promise<ImageDTO> {
    return firstValueFrom(
      this.#host.client.images.upload(data, {
        board_id: this.boardId,
        fileName: options.fileName ?? 'upload.png',
        is_intermediate: options.isIntermediate ?? false,
        image_category: options.imageCategory ?? 'user',
      }),
    );
  }

  /**
   * The bytes of an image: the full-resolution PNG, or the WebP thumbnail with
   * `fullResolution: false`. Image names are global on the server, so this does not list the
   * board first (the Python client does).
   */
  downloadImage(imageName: string, options: BoardDownloadOptions = {}): Promise<Uint8Array> {
    const images = this.#host.client.images;
    return firstValueFrom(options.fullResolution === false ? images.downloadThumbnail(imageName) : images.download(imageName));
  }

  /** Deletes an image from the server; `true` when the server reports it deleted. */
  async deleteImage(imageName: string): Promise<boolean> {
    const result = await firstValueFrom(this.#host.client.images.delete(imageName));
    return result.deleted_images.includes(imageName);
  }

  /** Stars an image; `true` when the server reports it starred. */
  async starImage(imageName: string): Promise<boolean> {
    const result = await firstValueFrom(this.#host.client.images.star([imageName]));
    return 'starred_images' in result && result.starred_images.includes(imageName);
  }

  /** Unstars an image; `true` when the server reports it unstarred. */
  async unstarImage(imageName: string): Promise<boolean> {
    const result = await firstValueFrom(this.#host.client.images.unstar([imageName]));
    return 'unstarred_images' in result && result.unstarred_images.includes(imageName);
  }

  /**
   * Moves an image to another board, given as a handle, an id or a name (`'none'` =
   * Uncategorized). Resolves with the target board's handle.
   * @throws (rejects) BoardNotFoundError when no board has that id or name.
   */
  async moveImageToBoard(imageName: string, target: BoardHandle | string): Promise<BoardHandle> {
    const to = typeof target === 'string' ? await this.#host.resolve(target) : target;
    if (to.isUncategorized()) await this.#host.removeFromBoard(imageName);
    else await lastValueFrom(this.#host.client.boards.addImage(to.boardId, imageName));
    return to;
  }

  /** Moves an image off this board to Uncategorized. */
  async removeImage(imageName: string): Promise<void> {
    await this.#host.removeFromBoard(imageName);
  }
}
