import type { Raster } from '../types.js';

/** PIL-style mode names the raster ops understand. */
export type RasterMode = 'L' | 'RGB' | 'RGBA';

const CHANNELS: Record<RasterMode, 1 | 3 | 4> = { L: 1, RGB: 3, RGBA: 4 };

/** A new raster filled with `fill` (one value per channel; missing channels are 0, alpha 255). */
export function createRaster(width: number, height: number, mode: RasterMode, fill: readonly number[] = []): Raster {
  const channels = CHANNELS[mode];
  const data = new Uint8Array(width * height * channels);
  const px = Array.from({ length: channels }, (_, c) => fill[c] ?? (channels === 4 && c === 3 ? 255 : 0));
  if (px.some((v) => v !== 0)) {
    for (let i = 0; i < data.length; i += channels) for (let c = 0; c < channels; c++) data[i + c] = px[c]!;
  }
  return { width, height, channels, data };
}

export function modeOf(raster: Raster): RasterMode {
  return raster.channels === 1 ? 'L' : raster.channels === 3 ? 'RGB' : 'RGBA';
}

export function cloneRaster(raster: Raster): Raster {
  return { width: raster.width, height: raster.height, channels: raster.channels, data: raster.data.slice() };
}

/** ITU-R 601-2 luma, as PIL's `convert('L')`: L = R*299/1000 + G*587/1000 + B*114/1000. */
export function luma(r: number, g: number, b: number): number {
  return Math.floor((r * 19595 + g * 38470 + b * 7471 + 0x8000) / 65536);
}

/**
 * PIL `Image.convert(mode)` between L, RGB and RGBA: dropping alpha discards it (no matte),
 * adding alpha makes the image opaque, L replicates into the colour channels.
 */
export function convertRaster(raster: Raster, mode: RasterMode): Raster {
  const target = CHANNELS[mode];
  if (target === raster.channels) return raster;
  const { width, height, channels: src, data } = raster;
  const n = width * height;
  const out = new Uint8Array(n * target);
  for (let i = 0; i < n; i++) {
    const s = i * src;
    const d = i * target;
    if (target === 1) {
      out[d] = src === 1 ? data[s]! : luma(data[s]!, data[s + 1]!, data[s + 2]!);
      continue;
    }
    if (src === 1) {
      out[d] = out[d + 1] = out[d + 2] = data[s]!;
    } else {
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
    if (target === 4) out[d + 3] = src === 4 ? data[s + 3]! : 255;
  }
  return { width, height, channels: target, data: out };
}

/** One channel as an L raster (`Image.getchannel`). */
export function extractChannel(raster: Raster, channel: number): Raster {
  const { width, height, channels, data } = raster;
  if (channel >= channels) throw new Error(`Image has no channel ${channel}`);
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * channels + channel]!;
  return { width, height, channels: 1, data: out };
}

export function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** Mean absolute difference per channel value between two rasters of the same size and mode. */
export function meanAbsDiff(a: Raster, b: Raster): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('rasters differ in size');
  const bb = b.channels === a.channels ? b : convertRaster(b, modeOf(a));
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - bb.data[i]!);
  return sum / a.data.length;
}
