import * as z from 'zod';
import type { EmulatorContext } from '../emulatorContext.js';
import { EmulatorHttpError, validationError } from '../errors/EmulatorHttpError.js';
import { json, type RequestContext, type Route } from '../http/router.js';
import { jsonBody, parseOr422 } from '../http/validation.js';
import { IMAGE_CATEGORIES, imageDto, type StoredImage } from '../imageStore.js';
import { decodePng, resizeNearest, shrinkToFit } from '../../image/index.js';

const zNames = z.object({ image_names: z.array(z.string()) });
const zChanges = z.strictObject({
  image_category: z.enum(IMAGE_CATEGORIES as unknown as [string, ...string[]]).optional(),
  session_id: z.string().nullable().optional(),
  is_intermediate: z.boolean().optional(),
  starred: z.boolean().optional(),
});

const boardKey = (id: string | null) => id ?? 'none';

/** Crops to the bounding box of non-transparent pixels (`crop_visible`). */
function cropVisible(i: ReturnType<typeof decodePng>): ReturnType<typeof decodePng> {
  if (i.channels !== 4) return i;
  let x0 = i.width,
    y0 = i.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < i.height; y++)
    for (let x = 0; x < i.width; x++)
      if (i.data[(y * i.width + x) * 4 + 3]! > 0) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0 || (x0 === 0 && y0 === 0 && x1 === i.width - 1 && y1 === i.height - 1)) return i;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) data.set(i.data.subarray(((y + y0) * i.width + x0) * 4, ((y + y0) * i.width + x0 + w) * 4), y * w * 4);
  return { width: w, height: h, channels: 4, data };
}

/** Nearest-neighbour resize to exact dimensions (`resize_to`). */
function resizeTo(i: ReturnType<typeof decodePng>, w: number, h: number): ReturnType<typeof decodePng> {
  if (w === i.width && h === i.height) return i;
  if (w <= i.width && h <= i.height && w / i.width === h / i.height) return shrinkToFit(i, Math.max(w, h), 'box');
  return resizeNearest(i, w, h, 'corner');
}

/** `/api/v1/images/...` */
export function imageRoutes(emu: EmulatorContext): Route[] {
  const { images } = emu;
  const P = '/api/v1/images';

  const visible = (ctx: RequestContext, i: StoredImage) => !emu.multiUser || ctx.user.is_admin || i.user_id === ctx.user.user_id;
  const find = (ctx: RequestContext): StoredImage => {
    const i = images.get(ctx.params.image_name!);
    if (!i || !visible(ctx, i)) throw new EmulatorHttpError(404, 'Not Found');
    return i;
  };

  const deleteImages = (ctx: RequestContext, names: string[]) => {
    const deleted: string[] = [];
    const boards = new Set<string>();
    for (const n of names) {
      const i = images.get(n);
      if (!i || !visible(ctx, i)) continue;
      images.delete(n);
      deleted.push(n);
      boards.add(boardKey(i.board_id));
    }
    return { deleted_images: deleted, affected_boards: [...boards], failed_images: [] as string[] };
  };

  const star = async (ctx: RequestContext, starred: boolean) => {
    const { image_names } = parseOr422(zNames, jsonBody(await ctx.body()), ['body']);
    const changed: string[] = [];
    const boards = new Set<string>();
    for (const n of image_names) {
      const i = images.get(n);
      if (!i || !visible(ctx, i)) continue;
      i.starred = starred;
      images.touch(i);
      changed.push(n);
      boards.add(boardKey(i.board_id));
    }
    return json(starred ? { starred_images: changed, affected_boards: [...boards] } : { unstarred_images: changed, affected_boards: [...boards] });
  };

  return [
    {
      method: 'POST',
      path: `${P}/upload`,
      auth: 'user',
      handler: async (ctx) => {
        const category = ctx.query.enum('image_category', IMAGE_CATEGORIES);
        const isIntermediate = ctx.query.bool('is_intermediate');
        const missing = [
          ...(category === undefined ? [{ type: 'missing', loc: ['query', 'image_category'], msg: 'Field required', input: null }] : []),
          ...(isIntermediate === undefined ? [{ type: 'missing', loc: ['query', 'is_intermediate'], msg: 'Field required', input: null }] : []),
        ];
        const boardId = ctx.query.string('board_id');
        const sessionId = ctx.query.string('session_id');
        const crop = ctx.query.bool('crop_visible') ?? false;
        const contentType = String(ctx.headers['content-type'] ?? '');
        let form: FormData | undefined;
        if (contentType.toLowerCase().startsWith('multipart/form-data')) {
          try {
            form = await new Response(new Uint8Array(await ctx.body()), { headers: { 'content-type': contentType } }).formData();
          } catch {
            form = undefined;
          }
        }
        const file = form?.get('file');
        if (!(file instanceof Blob)) missing.push({ type: 'missing', loc: ['body', 'file'], msg: 'Field required', input: null });
        if (missing.length > 0 || !(file instanceof Blob)) throw validationError(missing);
        if (boardId !== undefined && !emu.boards.get(boardId)) throw new EmulatorHttpError(404, 'Board not found');
        if (!file.type.startsWith('image')) throw new EmulatorHttpError(415, 'Not an image');
        const bytes = new Uint8Array(await file.arrayBuffer());
        let raster;
        try {
          raster = decodePng(bytes);
        } catch {
          throw new EmulatorHttpError(415, 'Failed to read image');
        }
        let reencode = false;
        const resize = form?.get('resize_to');
        if (typeof resize === 'string' && resize !== '') {
          let dims: { width?: unknown; height?: unknown };
          try {
            dims = JSON.parse(resize) as typeof dims;
          } catch {
            throw new EmulatorHttpError(400, 'Invalid resize_to format or size');
          }
          const { width, height } = dims ?? {};
          if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) <= 0 || (height as number) <= 0 || (width as number) * (height as number) > 4096 * 4096)
            throw new EmulatorHttpError(400, 'Invalid resize_to format or size');
          raster = resizeTo(raster, width as number, height as number);
          reencode = true;
        }
        if (crop) {
          const cropped = cropVisible(raster);
          reencode ||= cropped !== raster;
          raster = cropped;
        }
        let metadata: unknown = null;
        const meta = form?.get('metadata');
        if (typeof meta === 'string' && meta !== '') {
          try {
            metadata = JSON.parse(meta);
          } catch {
            metadata = null;
          }
        }
        const image = images.create({
          raster,
          image_origin: 'external',
          image_category: category!,
          is_intermediate: isIntermediate!,
          session_id: sessionId ?? null,
          board_id: boardId ?? null,
          user_id: ctx.user.user_id,
          metadata,
          ...(reencode ? {} : { png: bytes }),
        });
        const dto = imageDto(image);
        return json(dto, 201, { location: String(dto.image_url) });
      },
    },
    {
      method: 'GET',
      path: `${P}/`,
      auth: 'user',
      handler: (ctx) => {
        const q = ctx.query;
        const origin = q.enum('image_origin', ['internal', 'external'] as const);
        const categories = q.enums('categories', IMAGE_CATEGORIES);
        const isIntermediate = q.bool('is_intermediate');
        const boardId = q.string('board_id');
        const offset = q.int('offset', { min: 0 }) ?? 0;
        const limit = q.int('limit', { min: 0 }) ?? 10;
        const dir = q.enum('order_dir', ['ASC', 'DESC'] as const) ?? 'DESC';
        const starredFirst = q.bool('starred_first') ?? true;
        const search = q.string('search_term')?.toLowerCase();
        let rows = images.all().filter(
          (i) =>
            visible(ctx, i) &&
            (origin === undefined || i.image_origin === origin) &&
            (categories.length === 0 || categories.includes(i.image_category)) &&
            (isIntermediate === undefined || i.is_intermediate === isIntermediate) &&
            (boardId === undefined || (boardId === 'none' ? i.board_id === null : i.board_id === boardId)) &&
            (search === undefined || i.image_name.toLowerCase().includes(search) || JSON.stringify(i.metadata ?? '').toLowerCase().includes(search)),
        );
        if (dir === 'DESC') rows = rows.reverse();
        if (starredFirst) rows = [...rows.filter((i) => i.starred), ...rows.filter((i) => !i.starred)];
        return json({ limit, offset, total: rows.length, items: rows.slice(offset, offset + limit).map(imageDto) });
      },
    },
    {
      method: 'GET',
      path: `${P}/intermediates`,
      auth: 'user',
      handler: (ctx) => json(images.all().filter((i) => i.is_intermediate && visible(ctx, i)).length),
    },
    {
      method: 'DELETE',
      path: `${P}/intermediates`,
      auth: 'admin',
      handler: (ctx) => json(deleteImages(ctx, images.all().filter((i) => i.is_intermediate).map((i) => i.image_name)).deleted_images.length),
    },
    {
      method: 'POST',
      path: `${P}/images_by_names`,
      auth: 'user',
      handler: async (ctx) => {
        const { image_names } = parseOr422(zNames, jsonBody(await ctx.body()), ['body']);
        return json(
          image_names
            .map((n) => images.get(n))
            .filter((i): i is StoredImage => i !== undefined && visible(ctx, i))
            .map(imageDto),
        );
      },
    },
    {
      method: 'POST',
      path: `${P}/delete`,
      auth: 'user',
      handler: async (ctx) => json(deleteImages(ctx, parseOr422(zNames, jsonBody(await ctx.body()), ['body']).image_names)),
    },
    {
      method: 'DELETE',
      path: `${P}/uncategorized`,
      auth: 'user',
      handler: (ctx) => json(deleteImages(ctx, images.all().filter((i) => i.board_id === null && i.user_id === ctx.user.user_id).map((i) => i.image_name))),
    },
    { method: 'POST', path: `${P}/star`, auth: 'user', handler: (ctx) => star(ctx, true) },
    { method: 'POST', path: `${P}/unstar`, auth: 'user', handler: (ctx) => star(ctx, false) },
    { method: 'GET', path: `${P}/i/{image_name}`, auth: 'user', handler: (ctx) => json(imageDto(find(ctx))) },
    {
      method: 'PATCH',
      path: `${P}/i/{image_name}`,
      auth: 'user',
      handler: async (ctx) => {
        const changes = parseOr422(zChanges, jsonBody(await ctx.body()), ['body']);
        const i = images.get(ctx.params.image_name!);
        if (!i || !visible(ctx, i)) throw new EmulatorHttpError(400, 'Failed to update image');
        if (changes.image_category !== undefined) i.image_category = changes.image_category as StoredImage['image_category'];
        if (changes.session_id !== undefined) i.session_id = changes.session_id;
        if (changes.is_intermediate !== undefined) i.is_intermediate = changes.is_intermediate;
        if (changes.starred !== undefined) i.starred = changes.starred;
        images.touch(i);
        return json(imageDto(i));
      },
    },
    {
      method: 'DELETE',
      path: `${P}/i/{image_name}`,
      auth: 'user',
      handler: (ctx) => json(deleteImages(ctx, [ctx.params.image_name!])),
    },
    {
      method: 'GET',
      path: `${P}/i/{image_name}/full`,
      auth: 'user',
      handler: (ctx) => {
        const i = find(ctx);
        return {
          status: 200,
          bytes: images.png(i),
          contentType: 'image/png',
          headers: {
            'content-disposition': `inline; filename="${i.image_name}"`,
            'cache-control': emu.multiUser ? 'private, no-store' : 'max-age=31536000',
          },
        };
      },
    },
    {
      method: 'GET',
      path: `${P}/i/{image_name}/thumbnail`,
      auth: 'user',
      handler: (ctx) => {
        const i = find(ctx);
        return {
          status: 200,
          bytes: images.thumbnail(i),
          contentType: 'image/webp',
          headers: { 'cache-control': emu.multiUser ? 'private, no-store' : 'max-age=31536000' },
        };
      },
    },
    {
      method: 'GET',
      path: `${P}/i/{image_name}/urls`,
      auth: 'user',
      handler: (ctx) => {
        const d = imageDto(find(ctx));
        return json({ image_name: d.image_name, image_url: d.image_url, thumbnail_url: d.thumbnail_url });
      },
    },
    { method: 'GET', path: `${P}/i/{image_name}/metadata`, auth: 'user', handler: (ctx) => json(find(ctx).metadata ?? null) },
    {
      method: 'GET',
      path: `${P}/i/{image_name}/workflow`,
      auth: 'user',
      handler: (ctx) => {
        const i = find(ctx);
        return json({ workflow: i.workflow, graph: i.graph });
      },
    },
  ];
}
