import type { Raster } from './Raster.js';

/** A single-channel image: `data[y * width + x]` is the luma of pixel (x, y), 0..255. */
export interface LumaImage {
  width: number;
  height: number;
  data: Float64Array;
}

/** Rec. 601 luma (`0.299 R + 0.587 G + 0.114 B`); grey is taken as is, alpha is ignored. */
export function toLuma(raster: Raster): LumaImage {
  const { width, height, channels, data } = raster;
  const out = new Float64Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const o = i * channels;
    out[i] = channels >= 3 ? 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]! : data[o]!;
  }
  return { width, height, data: out };
}
