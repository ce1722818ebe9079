import type { Raster } from '../types.js';
import { convertRaster, createRaster } from './raster.js';

/**
 * PIL `dst.paste(src, (x, y), mask)` onto an RGBA canvas, in place. Without a mask the pixels are
 * replaced (alpha included), as PIL does; with an L mask every channel is blended by `mask / 255`.
 * The parts of `src` outside `dst` are clipped.
 */
export function pasteInto(dst: Raster, src: Raster, x: number, y: number, mask?: Raster): void {
  if (dst.channels !== 4) throw new Error('pasteInto needs an RGBA destination');
  const s = convertRaster(src, 'RGBA');
  const m = mask ? convertRaster(mask, 'L') : undefined;
  if (m && (m.width !== s.width || m.height !== s.height)) throw new Error('images do not match');
  for (let sy = 0; sy < s.height; sy++) {
    const dy = sy + y;
    if (dy < 0 || dy >= dst.height) continue;
    for (let sx = 0; sx < s.width; sx++) {
      const dx = sx + x;
      if (dx < 0 || dx >= dst.width) continue;
      const si = (sy * s.width + sx) * 4;
      const di = (dy * dst.width + dx) * 4;
      if (!m) {
        for (let c = 0; c < 4; c++) dst.data[di + c] = s.data[si + c]!;
        continue;
      }
      const k = m.data[sy * m.width + sx]!;
      if (k === 0) continue;
      for (let c = 0; c < 4; c++) {
        // PIL's BLEND: (in * k + out * (255 - k)) / 255, rounded.
        dst.data[di + c] = Math.floor((s.data[si + c]! * k + dst.data[di + c]! * (255 - k) + 127) / 255);
      }
    }
  }
}

/** `img_crop`: a transparent RGBA `width×height` canvas with the source pasted at `(-x, -y)`. */
export function cropRaster(src: Raster, x: number, y: number, width: number, height: number): Raster {
  const out = createRaster(width, height, 'RGBA', [0, 0, 0, 0]);
  pasteInto(out, src, -x, -y);
  return out;
}

/** `img_pad_crop`: RGBA canvas grown (or shrunk, for negative values) on each side. */
export function padCropRaster(src: Raster, left: number, right: number, top: number, bottom: number): Raster {
  const width = src.width + left + right;
  const height = src.height + top + bottom;
  if (width <= 0 || height <= 0) throw new Error(`Width and height must be > 0, got ${width}x${height}`);
  const out = createRaster(width, height, 'RGBA', [0, 0, 0, 0]);
  pasteInto(out, src, left, top);
  return out;
}

/**
 * `img_paste`: a canvas big enough for both images (negative offsets grow it to the left/top),
 * the base pasted first, then `image` through the **inverted** mask; `crop` cuts back to the base area.
 */
export function pasteImages(
  base: Raster,
  image: Raster,
  options: { x: number; y: number; mask?: Raster; crop?: boolean },
): Raster {
  const { x, y } = options;
  const minX = Math.min(0, x);
  const minY = Math.min(0, y);
  const maxX = Math.max(base.width, image.width + x);
  const maxY = Math.max(base.height, image.height + y);
  let out = createRaster(maxX - minX, maxY - minY, 'RGBA', [0, 0, 0, 0]);
  pasteInto(out, base, Math.abs(minX), Math.abs(minY));
  let mask: Raster | undefined;
  if (options.mask) {
    const l = convertRaster(options.mask, 'L');
    const inv = new Uint8Array(l.data.length);
    for (let i = 0; i < inv.length; i++) inv[i] = 255 - l.data[i]!;
    mask = { ...l, data: inv };
  }
  pasteInto(out, image, Math.max(0, x), Math.max(0, y), mask);
  if (options.crop) out = cropRaster(out, Math.abs(minX), Math.abs(minY), base.width, base.height);
  return out;
}
