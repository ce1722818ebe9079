// A newer server than 6.14: values the client does not know are kept, a malformed list entry is
// dropped with a warning naming it, and fields the client never heard of change nothing.
import { HttpResponse, http } from 'msw';
import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReaderWarning } from '../../src/client/warnings.js';
import { boardDto, enqueueBatchResult, imageDto, modelConfig, queueItem } from '../support/builders.js';
import { BASE_URL, testClient, useMswServer } from '../support/msw.js';

const Q = `${BASE_URL}/api/v1/queue/default`;
const server = useMswServer();

function collecting() {
  const warnings: ReaderWarning[] = [];
  return { warnings, client: testClient({ onWarning: (w) => warnings.push(w) }) };
}

afterEach(() => vi.restoreAllMocks());

describe('unknown enum values are kept', () => {
  it('an image of a category and origin 6.14 does not list', async () => {
    const body = { ...imageDto(), image_category: 'video_frame', image_origin: 'federated', added_in_7_0: true };
    server.use(http.get(`${BASE_URL}/api/v1/images/i/a.png`, () => HttpResponse.json(body)));
    const { client, warnings } = collecting();
    const image = await lastValueFrom(client.images.get('a.png'));
    expect(image).toMatchObject({ image_category: 'video_frame', image_origin: 'federated' });
    expect(warnings).toEqual([]);
  });

  it('a board of a visibility 6.14 does not list', async () => {
    server.use(http.get(`${BASE_URL}/api/v1/boards/`, () => HttpResponse.json([{ ...boardDto(), board_visibility: 'team' }])));
    const boards = await lastValueFrom(testClient().boards.listAll());
    expect(boards[0]!.board_visibility).toBe('team');
  });

  it('a queue item of a status 6.14 does not list', async () => {
    server.use(http.get(`${Q}/i/7`, () => HttpResponse.json({ ...queueItem({ item_id: 7 }), status: 'paused' })));
    expect((await lastValueFrom(testClient().queue.getItem(7))).status).toBe('paused');
  });
});

describe('a malformed list entry is dropped with a warning, not a failed call', () => {
  it('boards.listAll', async () => {
    const bad = { ...boardDto({ board_id: 'b-bad' }), image_count: 'many' };
    server.use(http.get(`${BASE_URL}/api/v1/boards/`, () => HttpResponse.json([boardDto({ board_id: 'b1' }), bad, boardDto({ board_id: 'b3' })])));
    const { client, warnings } = collecting();
    const boards = await lastValueFrom(client.boards.listAll());
    expect(boards.map((b) => b.board_id)).toEqual(['b1', 'b3']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'dropped-entry', source: 'boards.listAll', index: 1, issues: [{ path: 'image_count' }], entry: bad });
    expect(warnings[0]!.message).toContain('board_id "b-bad"');
    expect(warnings[0]!.message).toContain('image_count: ');
  });

  it('models.list', async () => {
    server.use(
      http.get(`${BASE_URL}/api/v2/models/`, () =>
        HttpResponse.json({ models: [modelConfig({ name: 'a' }), { key: 'k2', name: 'no hash' }, 'junk', modelConfig({ name: 'b', base: 'sd-9' })] }),
      ),
    );
    const { client, warnings } = collecting();
    const models = await lastValueFrom(client.models.list());
    expect(models.map((m) => [m.name, m.base])).toEqual([
      ['a', 'sdxl'],
      ['b', 'sd-9'],
    ]);
    expect(warnings.map((w) => w.kind === 'dropped-entry' && [w.index, w.issues[0]!.path])).toEqual([
      [1, 'hash'],
      [2, '(root)'],
    ]);
    expect(warnings[0]!.message).toContain('key "k2"');
  });

  it('queue.getItems', async () => {
    server.use(
      http.post(`${Q}/items_by_ids`, () => HttpResponse.json([queueItem({ item_id: 1 }), { ...queueItem({ item_id: 2 }), session: null }, queueItem({ item_id: 3 })])),
    );
    const { client, warnings } = collecting();
    const items = await lastValueFrom(client.queue.getItems([1, 2, 3]));
    expect(items.map((i) => i.item_id)).toEqual([1, 3]);
    expect(warnings).toMatchObject([{ kind: 'dropped-entry', source: 'queue.getItems', index: 1, issues: [{ path: 'session' }] }]);
    expect(warnings[0]!.message).toContain('item_id 2');
  });

  it('boards.imageNames', async () => {
    server.use(http.get(`${BASE_URL}/api/v1/boards/b1/image_names`, () => HttpResponse.json(['a.png', 7, 'b.png'])));
    const { client, warnings } = collecting();
    expect(await lastValueFrom(client.boards.imageNames('b1'))).toEqual(['a.png', 'b.png']);
    expect(warnings).toMatchObject([{ kind: 'dropped-entry', source: 'boards.imageNames', index: 1 }]);
  });

  it('without onWarning the warning goes to console.warn', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    server.use(http.get(`${BASE_URL}/api/v1/boards/`, () => HttpResponse.json([boardDto(), { board_id: 'x' }])));
    expect(await lastValueFrom(testClient().boards.listAll())).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^invokeai-rx: boards\.listAll: dropped entry 1 of 2 \(board_id "x"\)/);
  });

  it('a body that is not a list at all still fails the call', async () => {
    server.use(http.get(`${BASE_URL}/api/v1/boards/`, () => HttpResponse.json({ boards: [] })));
    await expect(lastValueFrom(testClient().boards.listAll())).rejects.toThrow(/Unexpected response/);
  });
});

describe('what the 6.14 schema allows and the client used to reject', () => {
  it('an enqueue result whose batch has a VideoField item, a datum without items and a graph without nodes/edges', async () => {
    const batch = {
      batch_id: 'b1',
      graph: {},
      runs: 1,
      data: [[{ node_path: 'n', field_name: 'video', items: [{ video_name: 'clip.mp4' }, [{ video_name: 'a.mp4' }, 3]] }], [{ node_path: 'm', field_name: 'f' }]],
    };
    server.use(http.post(`${Q}/enqueue_batch`, () => HttpResponse.json({ ...enqueueBatchResult(), batch })));
    const result = await lastValueFrom(testClient().queue.enqueueBatch({ batch_id: 'b1', graph: { nodes: {}, edges: [] }, runs: 1 }));
    expect(result.batch.graph).toMatchObject({ nodes: {}, edges: [] });
    expect(result.batch.data![0]![0]!.items[0]).toEqual({ video_name: 'clip.mp4' });
    expect(result.batch.data![1]![0]!.items).toEqual([]);
  });

  it('a batch datum sends {video_name}, as the schema says, and not {video_id}', async () => {
    let sent: any;
    server.use(http.post(`${Q}/enqueue_batch`, async ({ request }) => ((sent = await request.json()), HttpResponse.json(enqueueBatchResult()))));
    const data = [[{ node_path: 'n', field_name: 'video', items: [{ video_name: 'clip.mp4' }] }]];
    await lastValueFrom(testClient().queue.enqueueBatch({ batch_id: 'b7c1f7d2-0000-4000-8000-000000000001', graph: { nodes: {}, edges: [] }, runs: 1, data }));
    expect(sent.batch.data[0][0].items).toEqual([{ video_name: 'clip.mp4' }]);
  });
});
