import { convertIndexedToRgb, decode, encode } from 'fast-png';
import { resizeRaster } from './raster/resize.js';
import type { Raster } from './types.js';

/** Encodes a raster as an 8-bit PNG (L, RGB or RGBA). */
export function encodePng(raster: Raster): Uint8Array {
  return encode({ width: raster.width, height: raster.height, data: raster.data, depth: 8, channels: raster.channels });
}

/**
 * Decodes any PNG to an 8-bit raster: 16-bit samples are reduced to their high byte, 1/2/4-bit
 * grey is unpacked and scaled, palettes expand to RGB/RGBA, grey+alpha becomes RGBA.
 */
export function decodePng(bytes: Uint8Array | ArrayBuffer): Raster {
  const png = decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  const { width, height } = png;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const channels = (rgb.length / (width * height)) as 3 | 4;
    return { width, height, channels, data: Uint8Array.from(rgb) };
  }
  const channels = png.channels;
  let samples: Uint8Array;
  if (png.depth === 16) {
    samples = Uint8Array.from(png.data as Uint16Array, (v) => v >> 8);
  } else if (png.depth < 8) {
    samples = unpackBits(png.data as Uint8Array, width, height, channels, png.depth);
  } else {
    samples = Uint8Array.from(png.data);
  }
  if (channels === 2) {
    const n = width * height;
    const rgba = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const v = samples[i * 2]!;
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
      rgba[i * 4 + 3] = samples[i * 2 + 1]!;
    }
    return { width, height, channels: 4, data: rgba };
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`Unsupported PNG channel count ${channels}`);
  return { width, height, channels, data: samples };
}

function unpackBits(data: Uint8Array, width: number, height: number, channels: number, depth: number): Uint8Array {
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const max = (1 << depth) - 1;
  const out = new Uint8Array(perRow * height);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      const v = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * perRow + i] = Math.round((v * 255) / max);
    }
  }
  return out;
}

/** Fits `raster` into `maxSize`×`maxSize` keeping its aspect ratio (never upscales). */
export function fitRaster(raster: Raster, maxSize: number): Raster {
  const scale = Math.min(1, maxSize / Math.max(raster.width, raster.height));
  if (scale >= 1) return raster;
  const w = Math.max(1, Math.round(raster.width * scale));
  const h = Math.max(1, Math.round(raster.height * scale));
  return resizeRaster(raster, w, h, 'bilinear');
}

/**
 * Thumbnail bytes. InvokeAI serves WEBP thumbnails (max side 256); no WEBP encoder is available
 * here, so this is a PNG of the same size — serve it with `content-type: image/png`.
 */
export function encodeThumbnail(raster: Raster, maxSize = 256): Uint8Array {
  return encodePng(fitRaster(raster, maxSize));
}

/** A progress preview (`ProgressImage`): a small downscale as a PNG data URL (the real server sends JPEG). */
export function progressImage(raster: Raster, maxSize = 64): { width: number; height: number; dataURL: string } {
  const small = fitRaster(raster, maxSize);
  return {
    width: small.width,
    height: small.height,
    dataURL: `data:image/png;base64,${Buffer.from(encodePng(small)).toString('base64')}`,
  };
}
