import { decode, encode } from 'fast-png';
import type { Raster } from './executor/types.js';

/** PNG bytes of a raster (8-bit L, RGB or RGBA). */
export function encodePng(r: Raster): Uint8Array {
  return encode({ width: r.width, height: r.height, data: r.data, channels: r.channels, depth: 8 });
}

/**
 * Decodes a PNG into an 8-bit raster (palette expanded, 16-bit reduced, grey+alpha widened to RGBA).
 * Throws on anything that is not a PNG it can read.
 */
export function decodePng(bytes: Uint8Array): Raster {
  const img = decode(bytes);
  const { width, height } = img;
  const n = width * height;
  let channels = img.channels;
  let data: Uint8Array;
  if (img.palette) {
    const pal = img.palette;
    const hasAlpha = pal.some((c) => c.length === 4);
    channels = hasAlpha ? 4 : 3;
    data = new Uint8Array(n * channels);
    const idx = unpack(img.data, img.depth, width, height);
    for (let i = 0; i < n; i++) {
      const c = pal[idx[i]!] ?? [0, 0, 0, 255];
      for (let k = 0; k < channels; k++) data[i * channels + k] = c[k] ?? 255;
    }
  } else if (img.depth === 16) {
    data = new Uint8Array(img.data.length);
    for (let i = 0; i < img.data.length; i++) data[i] = img.data[i]! >> 8;
  } else if (img.depth === 8) {
    data = img.data instanceof Uint8Array ? img.data : Uint8Array.from(img.data);
  } else {
    const idx = unpack(img.data, img.depth, width, height);
    const scale = 255 / ((1 << img.depth) - 1);
    data = Uint8Array.from(idx, (v) => Math.round(v * scale));
  }
  if (channels === 2) {
    const rgba = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const g = data[i * 2]!;
      rgba.set([g, g, g, data[i * 2 + 1]!], i * 4);
    }
    return { width, height, channels: 4, data: rgba };
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`unsupported channel count ${channels}`);
  return { width, height, channels, data };
}

/** Sub-byte samples (1/2/4-bit, rows padded to bytes) → one value per pixel. */
function unpack(data: ArrayLike<number>, depth: number, width: number, height: number): Uint8Array {
  if (depth === 8) return Uint8Array.from(data);
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  return out;
}

/** Box-filter downscale so the longer side is at most `max` (never upscales). */
export function downscale(r: Raster, max: number): Raster {
  const s = Math.min(1, max / Math.max(r.width, r.height));
  if (s === 1) return r;
  const w = Math.max(1, Math.round(r.width * s));
  const h = Math.max(1, Math.round(r.height * s));
  const c = r.channels;
  const out = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * r.height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * r.height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * r.width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * r.width) / w));
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += r.data[(yy * r.width + xx) * c + k]!;
        out[(y * w + x) * c + k] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return { width: w, height: h, channels: c, data: out };
}
