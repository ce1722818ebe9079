import type { NodeContext, NodeImplementation } from '../nodeContext.js';
import { pasteInto } from '../raster/paste.js';
import { convertRaster, createRaster } from '../raster/raster.js';

interface TBLR {
  top: number;
  bottom: number;
  left: number;
  right: number;
}
interface Tile {
  coords: TBLR;
  overlap: TBLR;
}

/** Starts of tiles of `size` covering `total` with at least `overlap` shared pixels, last one flush with the edge. */
function starts(total: number, size: number, overlap: number): number[] {
  if (size >= total) return [0];
  const stride = Math.max(1, size - overlap);
  const out: number[] = [];
  for (let s = 0; ; s += stride) {
    if (s + size >= total) {
      out.push(total - size);
      break;
    }
    out.push(s);
  }
  return [...new Set(out)];
}

function grid(width: number, height: number, tw: number, th: number, overlap: number): Tile[] {
  const xs = starts(width, Math.min(tw, width), overlap);
  const ys = starts(height, Math.min(th, height), overlap);
  const tiles: Tile[] = [];
  for (const y of ys)
    for (const x of xs) tiles.push({ coords: { top: y, bottom: y + Math.min(th, height), left: x, right: x + Math.min(tw, width) }, overlap: { top: 0, bottom: 0, left: 0, right: 0 } });
  // Overlap with each neighbour, as InvokeAI's tile helpers record it.
  for (const t of tiles)
    for (const o of tiles) {
      if (o === t) continue;
      const sameRow = o.coords.top === t.coords.top;
      const sameCol = o.coords.left === t.coords.left;
      if (sameRow && o.coords.left < t.coords.left && o.coords.right > t.coords.left) t.overlap.left = Math.max(t.overlap.left, o.coords.right - t.coords.left);
      if (sameRow && o.coords.left > t.coords.left && o.coords.left < t.coords.right) t.overlap.right = Math.max(t.overlap.right, t.coords.right - o.coords.left);
      if (sameCol && o.coords.top < t.coords.top && o.coords.bottom > t.coords.top) t.overlap.top = Math.max(t.overlap.top, o.coords.bottom - t.coords.top);
      if (sameCol && o.coords.top > t.coords.top && o.coords.top < t.coords.bottom) t.overlap.bottom = Math.max(t.overlap.bottom, t.coords.bottom - o.coords.top);
    }
  return tiles;
}

const dims = (ctx: NodeContext) => [ctx.input<number>('image_width'), ctx.input<number>('image_height')] as const;

export const TILE_NODES: Record<string, NodeImplementation> = {
  calculate_image_tiles: (ctx) => {
    const [w, h] = dims(ctx);
    return { tiles: grid(w, h, ctx.input('tile_width'), ctx.input('tile_height'), ctx.input('overlap')) };
  },
  calculate_image_tiles_min_overlap: (ctx) => {
    const [w, h] = dims(ctx);
    return { tiles: grid(w, h, ctx.input('tile_width'), ctx.input('tile_height'), ctx.input('min_overlap')) };
  },
  calculate_image_tiles_even_split: (ctx) => {
    const [w, h] = dims(ctx);
    const overlap = ctx.input<number>('overlap');
    const nx = ctx.input<number>('num_tiles_x');
    const ny = ctx.input<number>('num_tiles_y');
    const tw = Math.ceil((w + overlap * (nx - 1)) / nx / 8) * 8;
    const th = Math.ceil((h + overlap * (ny - 1)) / ny / 8) * 8;
    return { tiles: grid(w, h, tw, th, overlap) };
  },
  tile_to_properties: (ctx) => {
    const t = ctx.input<Tile>('tile');
    return {
      coords_left: t.coords.left,
      coords_right: t.coords.right,
      coords_top: t.coords.top,
      coords_bottom: t.coords.bottom,
      width: t.coords.right - t.coords.left,
      height: t.coords.bottom - t.coords.top,
      overlap_top: t.overlap.top,
      overlap_bottom: t.overlap.bottom,
      overlap_left: t.overlap.left,
      overlap_right: t.overlap.right,
    };
  },
  pair_tile_image: (ctx) => ({ tile_with_image: { tile: ctx.input('tile'), image: ctx.input('image') } }),
  merge_tiles_to_image: (ctx) => {
    const tiles = ctx.input<Array<{ tile: Tile; image: unknown }>>('tiles_with_images');
    const width = Math.max(...tiles.map((t) => t.tile.coords.right));
    const height = Math.max(...tiles.map((t) => t.tile.coords.bottom));
    const out = createRaster(width, height, 'RGBA', [0, 0, 0, 255]);
    for (const t of tiles) pasteInto(out, ctx.loadImage(t.image), t.tile.coords.left, t.tile.coords.top);
    return ctx.saveImage(convertRaster(out, 'RGB'));
  },
};
