import * as z from 'zod';
import type { StoredBoard } from '../boardStore.js';
import type { EmulatorContext } from '../emulatorContext.js';
import { EmulatorHttpError, validationError } from '../errors/EmulatorHttpError.js';
import { json, type RequestContext, type Route } from '../http/router.js';
import { jsonBody, parseOr422 } from '../http/validation.js';
import { IMAGE_CATEGORIES } from '../imageStore.js';

const zBoardChanges = z.strictObject({
  board_name: z.string().max(300).nullable().optional(),
  cover_image_name: z.string().nullable().optional(),
  archived: z.boolean().nullable().optional(),
  board_visibility: z.enum(['private', 'shared', 'public']).nullable().optional(),
});
const zAdd = z.object({ board_id: z.string(), image_name: z.string() });
const zRemove = z.object({ image_name: z.string() });
const zAddBatch = z.object({ board_id: z.string(), image_names: z.array(z.string()) });
const zRemoveBatch = z.object({ image_names: z.array(z.string()) });

const ASSETS = new Set(['control', 'mask', 'user', 'other']);

/** `/api/v1/boards/...` and `/api/v1/board_images/...` */
export function boardRoutes(emu: EmulatorContext): Route[] {
  const { boards, images } = emu;
  const P = '/api/v1/boards';

  const visible = (ctx: RequestContext, b: StoredBoard) => !emu.multiUser || ctx.user.is_admin || b.user_id === ctx.user.user_id || b.board_visibility !== 'private';
  const find = (ctx: RequestContext, id: string): StoredBoard => {
    const b = boards.get(id);
    if (!b || !visible(ctx, b)) throw new EmulatorHttpError(404, 'Board not found');
    return b;
  };
  const dto = (b: StoredBoard) => {
    const mine = images.all().filter((i) => i.board_id === b.board_id);
    const user = [...emu.users.values()].find((u) => u.user_id === b.user_id);
    return {
      ...b,
      deleted_at: null,
      cover_video_name: null,
      cover_image_name: b.cover_image_name ?? mine.filter((i) => i.image_category === 'general').at(-1)?.image_name ?? null,
      image_count: mine.filter((i) => i.image_category === 'general').length,
      video_count: 0,
      asset_count: mine.filter((i) => ASSETS.has(i.image_category)).length,
      owner_username: user ? (user.display_name ?? user.email.split('@')[0]!) : null,
    };
  };
  const move = (imageName: string, boardId: string | null, affected: Set<string>): boolean => {
    const i = images.get(imageName);
    if (!i) return false;
    affected.add(i.board_id ?? 'none');
    affected.add(boardId ?? 'none');
    i.board_id = boardId;
    images.touch(i);
    return true;
  };

  return [
    {
      method: 'GET',
      path: `${P}/`,
      auth: 'user',
      handler: (ctx) => {
        const q = ctx.query;
        const all = q.bool('all');
        const offset = q.int('offset');
        const limit = q.int('limit');
        const orderBy = q.enum('order_by', ['created_at', 'board_name'] as const) ?? 'created_at';
        const dir = q.enum('direction', ['ASC', 'DESC'] as const) ?? 'DESC';
        const archived = q.bool('include_archived') ?? false;
        let rows = boards.all().filter((b) => visible(ctx, b) && (archived || !b.archived));
        rows = [...rows].sort((a, b) => (orderBy === 'board_name' ? a.board_name.localeCompare(b.board_name) : a.created_at.localeCompare(b.created_at)));
        if (dir === 'DESC') rows.reverse();
        if (all) return json(rows.map(dto));
        if (offset !== undefined && limit !== undefined)
          return json({ limit, offset, total: rows.length, items: rows.slice(offset, offset + limit).map(dto) });
        throw new EmulatorHttpError(400, "Invalid request: Must provide either 'all' or both 'offset' and 'limit'");
      },
    },
    {
      method: 'POST',
      path: `${P}/`,
      auth: 'user',
      handler: (ctx) => {
        const name = ctx.query.string('board_name', true);
        if (name.length > 300)
          throw validationError([{ type: 'string_too_long', loc: ['query', 'board_name'], msg: 'String should have at most 300 characters', input: name, ctx: { max_length: 300 } }]);
        return json(dto(boards.create(name, ctx.user.user_id)), 201);
      },
    },
    { method: 'GET', path: `${P}/{board_id}`, auth: 'user', handler: (ctx) => json(dto(find(ctx, ctx.params.board_id!))) },
    {
      method: 'PATCH',
      path: `${P}/{board_id}`,
      auth: 'user',
      handler: async (ctx) => {
        const changes = parseOr422(zBoardChanges, jsonBody(await ctx.body()), ['body']);
        const b = find(ctx, ctx.params.board_id!);
        if (changes.board_name != null) b.board_name = changes.board_name;
        if (changes.cover_image_name !== undefined) b.cover_image_name = changes.cover_image_name;
        if (changes.archived != null) b.archived = changes.archived;
        if (changes.board_visibility != null) b.board_visibility = changes.board_visibility;
        b.updated_at = new Date().toISOString().replace('T', ' ').replace('Z', '');
        return json(dto(b), 201);
      },
    },
    {
      method: 'DELETE',
      path: `${P}/{board_id}`,
      auth: 'user',
      handler: (ctx) => {
        const b = find(ctx, ctx.params.board_id!);
        const includeImages = ctx.query.bool('include_images') ?? false;
        const onBoard = images.all().filter((i) => i.board_id === b.board_id);
        for (const i of onBoard) {
          if (includeImages) images.delete(i.image_name);
          else i.board_id = null;
        }
        boards.delete(b.board_id);
        const names = onBoard.map((i) => i.image_name);
        return json({
          board_id: b.board_id,
          deleted_board_images: includeImages ? [] : names,
          deleted_images: includeImages ? names : [],
          deleted_board_videos: [],
          deleted_videos: [],
          failed_images: [],
          failed_videos: [],
        });
      },
    },
    {
      method: 'GET',
      path: `${P}/{board_id}/image_names`,
      auth: 'user',
      handler: (ctx) => {
        const id = ctx.params.board_id!;
        if (id !== 'none') find(ctx, id);
        const categories = ctx.query.enums('categories', IMAGE_CATEGORIES);
        const isIntermediate = ctx.query.bool('is_intermediate');
        return json(
          images
            .all()
            .filter(
              (i) =>
                (id === 'none' ? i.board_id === null : i.board_id === id) &&
                (categories.length === 0 || categories.includes(i.image_category)) &&
                (isIntermediate === undefined || i.is_intermediate === isIntermediate),
            )
            .map((i) => i.image_name),
        );
      },
    },
    {
      method: 'POST',
      path: '/api/v1/board_images/',
      auth: 'user',
      handler: async (ctx) => {
        const { board_id, image_name } = parseOr422(zAdd, jsonBody(await ctx.body()), ['body']);
        find(ctx, board_id);
        const affected = new Set<string>();
        const added = move(image_name, board_id, affected) ? [image_name] : [];
        return json({ added_images: added, affected_boards: [...affected] }, 201);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/board_images/',
      auth: 'user',
      handler: async (ctx) => {
        const { image_name } = parseOr422(zRemove, jsonBody(await ctx.body()), ['body']);
        const affected = new Set<string>();
        const removed = move(image_name, null, affected) ? [image_name] : [];
        return json({ removed_images: removed, affected_boards: [...affected] }, 201);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/board_images/batch',
      auth: 'user',
      handler: async (ctx) => {
        const { board_id, image_names } = parseOr422(zAddBatch, jsonBody(await ctx.body()), ['body']);
        find(ctx, board_id);
        const affected = new Set<string>();
        const added = image_names.filter((n) => move(n, board_id, affected));
        return json({ added_images: added, affected_boards: [...affected] }, 201);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/board_images/batch/delete',
      auth: 'user',
      handler: async (ctx) => {
        const { image_names } = parseOr422(zRemoveBatch, jsonBody(await ctx.body()), ['body']);
        const affected = new Set<string>();
        const removed = image_names.filter((n) => move(n, null, affected));
        return json({ removed_images: removed, affected_boards: [...affected] }, 201);
      },
    },
  ];
}
