import { coefficients, PIL_FILTERS, type ResampleMode } from './pilFilters.js';
import type { Raster } from './Raster.js';
import { resizeNearest } from './resizeNearest.js';

/**
 * `Image.resize((width, height), resample)`: separable convolution with PIL's kernels (horizontal
 * pass, then vertical), antialiased when shrinking. RGBA is resampled premultiplied as PIL does,
 * so transparent pixels do not bleed their colour. Same size returns a copy.
 */
export function resizeRaster(src: Raster, width: number, height: number, mode: ResampleMode = 'bicubic'): Raster {
  if (!(width > 0 && height > 0)) throw new Error(`Invalid resize target ${width}x${height}`);
  if (width === src.width && height === src.height) return { ...src, data: src.data.slice() };
  if (mode === 'nearest') return resizeNearest(src, width, height);
  const filter = PIL_FILTERS[mode];
  const { channels } = src;
  const alpha = channels === 4;
  // Work in floats; premultiply colour by alpha.
  const n = src.width * src.height;
  const buf = new Float64Array(n * channels);
  for (let i = 0; i < n; i++) {
    const a = alpha ? src.data[i * 4 + 3]! / 255 : 1;
    for (let c = 0; c < channels; c++) {
      const v = src.data[i * channels + c]!;
      buf[i * channels + c] = alpha && c < 3 ? v * a : v;
    }
  }
  // Horizontal pass.
  const h = coefficients(src.width, width, filter);
  const mid = new Float64Array(width * src.height * channels);
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < width; x++) {
      const s0 = h.start[x]!;
      const cnt = h.count[x]!;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < cnt; k++) acc += buf[(y * src.width + s0 + k) * channels + c]! * h.weights[x * h.ksize + k]!;
        mid[(y * width + x) * channels + c] = acc;
      }
    }
  }
  // Vertical pass.
  const v = coefficients(src.height, height, filter);
  const out = new Uint8Array(width * height * channels);
  const px = new Float64Array(channels);
  for (let y = 0; y < height; y++) {
    const s0 = v.start[y]!;
    const cnt = v.count[y]!;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < cnt; k++) acc += mid[((s0 + k) * width + x) * channels + c]! * v.weights[y * v.ksize + k]!;
        px[c] = acc;
      }
      const d = (y * width + x) * channels;
      if (alpha) {
        const a = px[3]!;
        out[d + 3] = clampByte(a);
        for (let c = 0; c < 3; c++) out[d + c] = a <= 0 ? 0 : clampByte((px[c]! * 255) / a);
      } else {
        for (let c = 0; c < channels; c++) out[d + c] = clampByte(px[c]!);
      }
    }
  }
  return { width, height, channels, data: out };
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
