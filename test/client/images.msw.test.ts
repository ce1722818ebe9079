import { HttpResponse, http } from 'msw';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/errors/HttpError.js';
import { deleteImagesResult, imageDto } from '../support/builders.js';
import { BASE_URL, testClient, useMswServer } from '../support/msw.js';

const I = `${BASE_URL}/api/v1/images`;
const server = useMswServer();
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

interface SeenUpload {
  query: Record<string, string[]>;
  file: { name: string; type: string; bytes: number[] } | null;
}

function recordUpload(): SeenUpload[] {
  const seen: SeenUpload[] = [];
  server.use(
    http.post(`${I}/upload`, async ({ request }) => {
      const url = new URL(request.url);
      const query: Record<string, string[]> = {};
      for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
      const form = await request.formData();
      const file = form.get('file');
      seen.push({
        query,
        file: file instanceof Blob ? { name: (file as File).name, type: file.type, bytes: [...new Uint8Array(await file.arrayBuffer())] } : null,
      });
      return HttpResponse.json(imageDto(), { status: 201 });
    }),
  );
  return seen;
}

describe('images', () => {
  it('upload sends a multipart `file` part (image/png) and the required query', async () => {
    const seen = recordUpload();
    const dto = await lastValueFrom(testClient().images.upload(PNG));
    expect(dto.image_name).toBe(imageDto().image_name);
    expect(seen).toEqual([
      {
        query: { image_category: ['user'], is_intermediate: ['false'] },
        file: { name: 'image.png', type: 'image/png', bytes: [...PNG] },
      },
    ]);
  });

  it('upload passes category, intermediate flag, board and file name', async () => {
    const seen = recordUpload();
    await lastValueFrom(
      testClient().images.upload(new Blob([PNG], { type: 'image/webp' }), {
        image_category: 'control',
        is_intermediate: true,
        board_id: 'board-1',
        fileName: 'in.webp',
      }),
    );
    expect(seen[0]).toEqual({
      query: { image_category: ['control'], is_intermediate: ['true'], board_id: ['board-1'] },
      file: { name: 'in.webp', type: 'image/webp', bytes: [...PNG] },
    });
  });

  it("upload never sends board_id 'none' (the server would answer 404)", async () => {
    const seen = recordUpload();
    await lastValueFrom(testClient().images.upload(PNG, { board_id: 'none' }));
    expect(seen[0]!.query).not.toHaveProperty('board_id');
  });

  it('upload of a typeless Blob is sent as image/png', async () => {
    const seen = recordUpload();
    await lastValueFrom(testClient().images.upload(new Blob([PNG])));
    expect(seen[0]!.file!.type).toBe('image/png');
  });

  it('get', async () => {
    server.use(http.get(`${I}/i/a.png`, () => HttpResponse.json(imageDto({ image_name: 'a.png' }))));
    expect((await lastValueFrom(testClient().images.get('a.png'))).image_name).toBe('a.png');
  });

  it('get of an unknown image → HttpError 404', async () => {
    server.use(http.get(`${I}/i/nope.png`, () => HttpResponse.json({ detail: 'Not Found' }, { status: 404 })));
    await expect(lastValueFrom(testClient().images.get('nope.png'))).rejects.toBeInstanceOf(HttpError);
  });

  it('download and downloadThumbnail return the bytes', async () => {
    server.use(
      http.get(`${I}/i/a.png/full`, () => new HttpResponse(PNG, { headers: { 'Content-Type': 'image/png' } })),
      http.get(`${I}/i/a.png/thumbnail`, () => new HttpResponse(new Uint8Array([82, 73, 70, 70]), { headers: { 'Content-Type': 'image/webp' } })),
    );
    expect([...(await lastValueFrom(testClient().images.download('a.png')))]).toEqual([...PNG]);
    expect([...(await lastValueFrom(testClient().images.downloadThumbnail('a.png')))]).toEqual([82, 73, 70, 70]);
  });

  it('encodes image names in the path', async () => {
    server.use(http.get(`${I}/i/a%20b.png`, () => HttpResponse.json(imageDto({ image_name: 'a b.png' }))));
    expect((await lastValueFrom(testClient().images.get('a b.png'))).image_name).toBe('a b.png');
  });

  it('delete, deleteMany, star, unstar', async () => {
    const bodies: Record<string, unknown> = {};
    server.use(
      http.delete(`${I}/i/a.png`, () => HttpResponse.json(deleteImagesResult(['a.png']))),
      http.post(`${I}/delete`, async ({ request }) => ((bodies.delete = await request.json()), HttpResponse.json(deleteImagesResult(['a.png', 'b.png'])))),
      http.post(`${I}/star`, async ({ request }) => ((bodies.star = await request.json()), HttpResponse.json({ affected_boards: [], starred_images: ['a.png'] }))),
      http.post(`${I}/unstar`, async ({ request }) => ((bodies.unstar = await request.json()), HttpResponse.json({ affected_boards: [], unstarred_images: ['a.png'] }))),
    );
    const images = testClient().images;
    expect((await lastValueFrom(images.delete('a.png'))).deleted_images).toEqual(['a.png']);
    expect((await lastValueFrom(images.deleteMany(['a.png', 'b.png']))).deleted_images).toEqual(['a.png', 'b.png']);
    expect(await lastValueFrom(images.star(['a.png']))).toEqual({ affected_boards: [], starred_images: ['a.png'] });
    expect(await lastValueFrom(images.unstar(['a.png']))).toEqual({ affected_boards: [], unstarred_images: ['a.png'] });
    expect(bodies).toEqual({
      delete: { image_names: ['a.png', 'b.png'] },
      star: { image_names: ['a.png'] },
      unstar: { image_names: ['a.png'] },
    });
  });

  it('rejects an empty image name early', () => {
    expect(() => testClient().images.get('')).toThrow(TypeError);
  });
});
