import { decode } from 'fast-png';
import type { Raster } from './Raster.js';

/**
 * The fields of a decoded PNG that {@link rasterFromPng} reads; fast-png's `decode` result is one.
 * Spelled out rather than taken from fast-png: the published types must stand on their own, as a
 * CommonJS project cannot import the types of an ES-module-only package (TS1479).
 */
export interface PngSamples {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
  depth: 1 | 2 | 4 | 8 | 16;
  channels: number;
  /** RGB or RGBA entries of an indexed image. */
  palette?: number[][];
}

/**
 * Decodes a PNG of any colour type and bit depth into an 8-bit raster, keeping its mode as PIL
 * does: grey stays grey, RGB stays RGB; grey+alpha is widened to RGBA and palettes expand to RGB,
 * or RGBA when the palette has transparency.
 *
 * @throws Error when the bytes are not a PNG fast-png can read.
 */
export function decodePng(bytes: Uint8Array | ArrayBuffer): Raster {
  return rasterFromPng(decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));
}

/**
 * {@link decodePng} for an already decoded PNG. 16-bit samples keep their high byte (as PIL
 * does when it opens 16-bit colour PNGs), 1/2/4-bit grey is scaled to 0..255.
 */
export function rasterFromPng(png: PngSamples): Raster {
  const { width, height } = png;
  if (png.palette) return expandPalette(png, png.palette);
  let samples: Uint8Array;
  if (png.depth === 16) samples = Uint8Array.from(png.data, (v) => v >> 8);
  else if (png.depth < 8) samples = unpackBits(png.data, width * png.channels, height, png.depth, true);
  else samples = png.data instanceof Uint8Array ? png.data : Uint8Array.from(png.data);
  const channels = png.channels;
  if (channels === 2) {
    const n = width * height;
    const rgba = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const g = samples[i * 2]!;
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = g;
      rgba[i * 4 + 3] = samples[i * 2 + 1]!;
    }
    return { width, height, channels: 4, data: rgba };
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`Unsupported PNG channel count ${channels}`);
  return { width, height, channels, data: samples };
}

// An index past the end of the palette reads as opaque black rather than failing the image.
function expandPalette(png: PngSamples, palette: NonNullable<PngSamples['palette']>): Raster {
  const { width, height } = png;
  const channels = palette.some((c) => c.length === 4) ? 4 : 3;
  const indices = png.depth === 8 ? png.data : unpackBits(png.data, width, height, png.depth, false);
  const n = width * height;
  const data = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const colour = palette[indices[i]!] ?? [0, 0, 0, 255];
    for (let k = 0; k < channels; k++) data[i * channels + k] = colour[k] ?? 255;
  }
  return { width, height, channels, data };
}

/** Sub-byte samples (rows padded to whole bytes) → one byte each, optionally scaled to 0..255. */
function unpackBits(data: ArrayLike<number>, perRow: number, rows: number, depth: number, scale: boolean): Uint8Array {
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const max = (1 << depth) - 1;
  const out = new Uint8Array(perRow * rows);
  for (let y = 0; y < rows; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const v = (data[y * rowBytes + (bit >> 3)]! >> (8 - depth - (bit & 7))) & max;
      out[y * perRow + i] = scale ? Math.round((v * 255) / max) : v;
    }
  }
  return out;
}
