import { HttpResponse, delay, http } from 'msw';
import { firstValueFrom, forkJoin, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { boardDto } from '../support/builders.js';
import { BASE_URL, testClient, useMswServer } from '../support/msw.js';

const B = `${BASE_URL}/api/v1/boards/`;
const server = useMswServer();

/** A fake board store; creation is slow so that concurrent calls overlap. */
function fakeBoards(initial: string[] = []) {
  const boards = initial.map((name, i) => boardDto({ board_id: `id-${i}`, board_name: name }));
  const log = { lists: 0, creates: [] as string[], listQueries: [] as string[] };
  server.use(
    http.get(B, async ({ request }) => {
      log.lists++;
      log.listQueries.push(new URL(request.url).search);
      await delay(5);
      return HttpResponse.json(boards);
    }),
    http.post(B, async ({ request }) => {
      const name = new URL(request.url).searchParams.get('board_name')!;
      log.creates.push(name);
      await delay(5);
      const board = boardDto({ board_id: `id-${boards.length}`, board_name: name });
      boards.push(board);
      return HttpResponse.json(board, { status: 201 });
    }),
  );
  return { boards, log };
}

describe('boards', () => {
  it('listAll uses ?all=true', async () => {
    const { log } = fakeBoards(['a', 'b']);
    const boards = await lastValueFrom(testClient().boards.listAll());
    expect(boards.map((b) => b.board_name)).toEqual(['a', 'b']);
    expect(log.listQueries).toEqual(['?all=true']);
  });

  it('create sends board_name as a query parameter', async () => {
    const { log } = fakeBoards();
    const board = await lastValueFrom(testClient().boards.create('my board'));
    expect(board.board_name).toBe('my board');
    expect(log.creates).toEqual(['my board']);
  });

  it('findOrCreate finds an existing board by exact name', async () => {
    const { log } = fakeBoards(['Outputs', 'outputs ']);
    const board = await lastValueFrom(testClient().boards.findOrCreate('Outputs'));
    expect(board.board_id).toBe('id-0');
    expect(log.creates).toEqual([]);
  });

  it('findOrCreate: concurrent calls for one name share a single creation', async () => {
    const { log, boards } = fakeBoards();
    const client = testClient();
    const [a, b, c] = await firstValueFrom(
      forkJoin([client.boards.findOrCreate('x'), client.boards.findOrCreate('x'), client.boards.findOrCreate('y')]),
    );
    expect(log.creates).toEqual(['x', 'y']);
    expect(a.board_id).toBe(b.board_id);
    expect(c.board_name).toBe('y');
    expect(boards).toHaveLength(2);
  });

  it('findOrCreate retries a lookup after a failure (the failure is not cached)', async () => {
    let fail = true;
    server.use(
      http.get(B, () => (fail ? HttpResponse.json({ detail: 'bad' }, { status: 400 }) : HttpResponse.json([boardDto({ board_name: 'x' })]))),
    );
    const client = testClient();
    await expect(lastValueFrom(client.boards.findOrCreate('x'))).rejects.toMatchObject({ status: 400 });
    fail = false;
    expect((await lastValueFrom(client.boards.findOrCreate('x'))).board_name).toBe('x');
  });

  it("imageNames accepts 'none' for uncategorized", async () => {
    server.use(http.get(`${B}none/image_names`, () => HttpResponse.json(['a.png', 'b.png'])));
    expect(await lastValueFrom(testClient().boards.imageNames('none'))).toEqual(['a.png', 'b.png']);
  });

  it('addImage posts {board_id, image_name}', async () => {
    let body: unknown;
    server.use(
      http.post(`${BASE_URL}/api/v1/board_images/`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ added_images: ['a.png'], affected_boards: ['b1', 'none'] }, { status: 201 });
      }),
    );
    expect(await lastValueFrom(testClient().boards.addImage('b1', 'a.png'))).toEqual({ added_images: ['a.png'], affected_boards: ['b1', 'none'] });
    expect(body).toEqual({ board_id: 'b1', image_name: 'a.png' });
  });

  it('removeImage deletes {image_name} from board_images (back to Uncategorized)', async () => {
    let body: unknown;
    server.use(
      http.delete(`${BASE_URL}/api/v1/board_images/`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ removed_images: ['a.png'], affected_boards: ['b1', 'none'] });
      }),
    );
    await lastValueFrom(testClient().boards.removeImage('a.png'));
    expect(body).toEqual({ image_name: 'a.png' });
  });
});
