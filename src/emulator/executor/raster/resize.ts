import type { Raster } from '../types.js';
import { clampByte } from './raster.js';

/** PIL resampling filter names (`Image.Resampling`), as InvokeAI's `resample_mode` enums spell them. */
export type ResampleMode = 'nearest' | 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';

interface Filter {
  support: number;
  weight(x: number): number;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

// The same kernels and supports as PIL's Resample.c.
const FILTERS: Record<Exclude<ResampleMode, 'nearest'>, Filter> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
  hamming: {
    support: 1,
    weight: (x) => {
      const ax = Math.abs(x);
      if (ax >= 1) return 0;
      if (ax === 0) return 1;
      return sinc(ax) * (0.54 + 0.46 * Math.cos(Math.PI * ax));
    },
  },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const ax = Math.abs(x);
      if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
      if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x) => (Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

interface Coeffs {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  ksize: number;
}

// PIL's precompute_coeffs: the kernel widens by the scale when downsampling (antialiasing).
function coefficients(inSize: number, outSize: number, filter: Filter): Coeffs {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) / filterScale);
      weights[xx * ksize + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[xx * ksize + x]! /= total;
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, weights, ksize };
}

function resizeNearest(src: Raster, width: number, height: number): Raster {
  const { channels, data } = src;
  const out = new Uint8Array(width * height * channels);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const yy = Math.min(src.height - 1, Math.floor((y + 0.5) * sy));
    for (let x = 0; x < width; x++) {
      const xx = Math.min(src.width - 1, Math.floor((x + 0.5) * sx));
      const s = (yy * src.width + xx) * channels;
      const d = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = data[s + c]!;
    }
  }
  return { width, height, channels, data: out };
}

/**
 * `Image.resize((width, height), resample)`: separable convolution with PIL's kernels (horizontal
 * pass, then vertical), antialiased when shrinking. RGBA is resampled premultiplied as PIL does,
 * so transparent pixels do not bleed their colour.
 */
export function resizeRaster(src: Raster, width: number, height: number, mode: ResampleMode = 'bicubic'): Raster {
  if (!(width > 0 && height > 0)) throw new Error(`Invalid resize target ${width}x${height}`);
  if (width === src.width && height === src.height) return { ...src, data: src.data.slice() };
  if (mode === 'nearest') return resizeNearest(src, width, height);
  const filter = FILTERS[mode];
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
