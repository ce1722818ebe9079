import { firstValueFrom } from 'rxjs';
import { decode, encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardHandle, InvokeAIClient, isBoardNotFoundError } from '../../src/pythonStyle/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';

/** A 24×16 RGBA PNG with a horizontal gradient. */
function gradientPng(width = 24, height = 16): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x * 10, y * 10, 128, 255], (y * width + x) * 4);
  }
  return encode({ width, height, data, channels: 4, depth: 8 });
}

describe('client.boardRepo / BoardHandle against the emulator', () => {
  let emu: Emulator;
  let client: InvokeAIClient;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    client = InvokeAIClient.fromUrl(emu.url);
  });
  afterAll(async () => {
    client?.close();
    await emu?.close();
  });

  it('creates boards and finds them by id or by name', async () => {
    const created = await client.boardRepo.createBoard('portraits');
    expect(created).toBeInstanceOf(BoardHandle);
    expect(created.boardName).toBe('portraits');

    const byName = await client.boardRepo.getBoardHandle('portraits');
    const byId = await client.boardRepo.getBoardHandle(created.boardId);
    expect(byName.boardId).toBe(created.boardId);
    expect(byId.boardName).toBe('portraits');
    expect((await client.boardRepo.getBoardHandleByName('portraits'))?.boardId).toBe(created.boardId);
    expect(await client.boardRepo.getBoardHandleByName('nope')).toBeNull();

    // getOrCreate reuses the existing board, and creates a missing one once.
    expect((await client.boardRepo.getOrCreate('portraits')).boardId).toBe(created.boardId);
    const [a, b] = await Promise.all([client.boardRepo.getOrCreate('landscapes'), client.boardRepo.getOrCreate('landscapes')]);
    expect(a.boardId).toBe(b.boardId);
    const boards = await client.boardRepo.listBoards();
    expect(boards.filter((x) => x.board_name === 'landscapes')).toHaveLength(1);

    const withNone = await client.boardRepo.listBoards({ includeUncategorized: true });
    expect(withNone[0]).toMatchObject({ board_id: 'none', board_name: 'Uncategorized' });
    expect(withNone.slice(1)).toEqual(boards);
  });

  it("treats 'none' (and null) as Uncategorized and rejects unknown boards with their names", async () => {
    const none = await client.boardRepo.getBoardHandle('none');
    expect(none.isUncategorized()).toBe(true);
    expect(none.boardId).toBe('none');
    expect((await client.boardRepo.getBoardHandle(null)).boardId).toBe('none');
    expect(client.boardRepo.getUncategorizedHandle().boardId).toBe('none');

    await client.boardRepo.getOrCreate('portraits');
    await expect(client.boardRepo.getBoardHandle('portrait')).rejects.toMatchObject({
      name: 'BoardNotFoundError',
      board: 'portrait',
      available: expect.arrayContaining(['portraits']),
    });
  });

  it('uploads, lists, downloads (full and thumbnail), stars, moves and deletes images', async () => {
    const board = await client.boardRepo.getOrCreate('uploads');
    const png = gradientPng();
    const dto = await board.uploadImage(png, { fileName: 'gradient.png' });
    expect(dto).toMatchObject({ board_id: board.boardId, width: 24, height: 16, is_intermediate: false, image_category: 'user' });
    const name = dto.image_name;
    expect(await board.listImages()).toContain(name);

    const full = decode(await board.downloadImage(name, { fullResolution: true }));
    expect([full.width, full.height]).toEqual([24, 16]);
    expect(Array.from(full.data.slice(0, 8))).toEqual([0, 0, 128, 255, 10, 0, 128, 255]);
    const thumbnail = await board.downloadImage(name, { fullResolution: false });
    expect(new TextDecoder().decode(thumbnail.slice(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(thumbnail.slice(8, 12))).toBe('WEBP');

    expect(await board.starImage(name)).toBe(true);
    expect((await firstValueFrom(client.images.get(name))).starred).toBe(true);
    expect(await board.unstarImage(name)).toBe(true);
    expect((await firstValueFrom(client.images.get(name))).starred).toBe(false);

    const created = await client.boardRepo.createBoard('moved here');
    const target = await board.moveImageToBoard(name, 'moved here');
    expect(target.boardId).toBe(created.boardId);
    expect(await board.listImages()).not.toContain(name);
    expect(await target.listImages()).toContain(name);

    await target.moveImageToBoard(name, 'none');
    expect(await target.listImages()).not.toContain(name);
    expect(await client.boardRepo.getUncategorizedHandle().listImages()).toContain(name);

    expect(await board.deleteImage(name)).toBe(true);
    expect(emu.images.hasImage(name)).toBe(false);
  });

  it('rejects a move to a board that does not exist, leaving the image where it was', async () => {
    const board = await client.boardRepo.getOrCreate('stay');
    const { image_name } = await board.uploadImage(gradientPng(8, 8));
    await expect(board.moveImageToBoard(image_name, 'missing board')).rejects.toSatisfy(isBoardNotFoundError);
    expect(await board.listImages()).toContain(image_name);
  });
});
