import { createRng } from '../hash.js';
import type { Raster } from '../types.js';
import { createRaster } from './raster.js';
import { pasteInto } from './paste.js';

/** `infill_rgba`: a solid `color` canvas with the image pasted through its own alpha. Input must be RGBA. */
export function infillColor(src: Raster, color: { r: number; g: number; b: number; a: number }): Raster {
  const out = createRaster(src.width, src.height, 'RGBA', [color.r, color.g, color.b, color.a]);
  pasteInto(out, src, 0, 0, alphaOf(src));
  return out;
}

/**
 * `infill_tile`: transparent areas are covered by `tileSize` squares copied from random opaque
 * places of the same image (seeded), then the original is pasted back through its alpha.
 */
export function infillTile(src: Raster, tileSize: number, seed: number): Raster {
  const { width, height } = src;
  const ts = Math.max(1, Math.min(tileSize, width, height));
  const alpha = alphaOf(src);
  // Candidate source tiles: fully opaque squares on a grid (fallback: any square).
  const candidates: Array<[number, number]> = [];
  for (let y = 0; y + ts <= height; y += ts) {
    for (let x = 0; x + ts <= width; x += ts) {
      let opaque = true;
      for (let yy = y; yy < y + ts && opaque; yy++)
        for (let xx = x; xx < x + ts; xx++) if (alpha.data[yy * width + xx] !== 255) {
          opaque = false;
          break;
        }
      if (opaque) candidates.push([x, y]);
    }
  }
  if (candidates.length === 0) candidates.push([0, 0]);
  const rng = createRng(seed);
  const out = createRaster(width, height, 'RGBA', [0, 0, 0, 0]);
  for (let y = 0; y < height; y += ts) {
    for (let x = 0; x < width; x += ts) {
      const [sx, sy] = candidates[Math.floor(rng() * candidates.length)]!;
      for (let yy = 0; yy < ts && y + yy < height; yy++) {
        for (let xx = 0; xx < ts && x + xx < width; xx++) {
          const si = ((sy + yy) * width + sx + xx) * 4;
          const di = ((y + yy) * width + x + xx) * 4;
          for (let c = 0; c < 3; c++) out.data[di + c] = src.data[si + c]!;
          out.data[di + 3] = 255;
        }
      }
    }
  }
  pasteInto(out, src, 0, 0, alpha);
  return out;
}

function alphaOf(src: Raster): Raster {
  const n = src.width * src.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = src.channels === 4 ? src.data[i * 4 + 3]! : 255;
  return { width: src.width, height: src.height, channels: 1, data };
}
