import type { Raster } from '../types.js';
import { clampByte, convertRaster } from './raster.js';

/** A normalized 1-D kernel centred on index `radius`. */
interface Kernel {
  radius: number;
  weights: Float64Array;
}

/** PIL `BoxBlur(r)`: a (2r+1)-wide mean; a fractional radius weights the outermost taps by its fraction. */
export function boxKernel(radius: number): Kernel {
  const whole = Math.floor(radius);
  const frac = radius - whole;
  const r = frac > 0 ? whole + 1 : whole;
  const weights = new Float64Array(2 * r + 1);
  for (let i = -r; i <= r; i++) weights[i + r] = Math.abs(i) <= whole ? 1 : frac;
  const total = 2 * radius + 1;
  for (let i = 0; i < weights.length; i++) weights[i]! /= total;
  return { radius: r, weights };
}

/** Gaussian with standard deviation `sigma` (PIL's `GaussianBlur(radius)` radius), truncated at 3σ. */
export function gaussianKernel(sigma: number): Kernel {
  if (sigma <= 0) return { radius: 0, weights: Float64Array.of(1) };
  const r = Math.max(1, Math.ceil(sigma * 3));
  const weights = new Float64Array(2 * r + 1);
  let total = 0;
  for (let i = -r; i <= r; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    weights[i + r] = w;
    total += w;
  }
  for (let i = 0; i < weights.length; i++) weights[i]! /= total;
  return { radius: r, weights };
}

/**
 * Separable convolution of interleaved float planes; edges are extended (clamped), as PIL does.
 * Only the `radius` pixels next to an edge pay for clamping: large images (upscaler output) are
 * otherwise dominated by the per-tap bounds checks.
 */
export function convolveSeparable(
  data: Float64Array,
  width: number,
  height: number,
  channels: number,
  kernel: Kernel,
): Float64Array {
  const { radius, weights } = kernel;
  if (radius === 0) return data.slice();
  const taps = weights.length;
  const tmp = new Float64Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const interior = x >= radius && x < width - radius;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        if (interior) {
          let i = (row + x - radius) * channels + c;
          for (let k = 0; k < taps; k++, i += channels) acc += data[i]! * weights[k]!;
        } else {
          for (let k = -radius; k <= radius; k++) {
            const xx = Math.min(width - 1, Math.max(0, x + k));
            acc += data[(row + xx) * channels + c]! * weights[k + radius]!;
          }
        }
        tmp[(row + x) * channels + c] = acc;
      }
    }
  }
  const out = new Float64Array(data.length);
  const stride = width * channels;
  for (let y = 0; y < height; y++) {
    const interior = y >= radius && y < height - radius;
    for (let i0 = 0; i0 < stride; i0++) {
      let acc = 0;
      if (interior) {
        let i = (y - radius) * stride + i0;
        for (let k = 0; k < taps; k++, i += stride) acc += tmp[i]! * weights[k]!;
      } else {
        for (let k = -radius; k <= radius; k++) {
          const yy = Math.min(height - 1, Math.max(0, y + k));
          acc += tmp[yy * stride + i0]! * weights[k + radius]!;
        }
      }
      out[y * stride + i0] = acc;
    }
  }
  return out;
}

/** Rounds and clamps floats into bytes. */
function toBytes(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = clampByte(values[i]!);
  return out;
}

/** Blurs every channel of a raster as-is (no premultiplication); the mode is kept. */
export function blurRaster(src: Raster, radius: number, type: 'gaussian' | 'box' = 'gaussian'): Raster {
  const kernel = type === 'box' ? boxKernel(radius) : gaussianKernel(radius);
  const out = convolveSeparable(new Float64Array(src.data), src.width, src.height, src.channels, kernel);
  return { width: src.width, height: src.height, channels: src.channels, data: toBytes(out) };
}

/**
 * `img_blur`: the image as RGBA, blurred with colour premultiplied by alpha (so transparent
 * pixels contribute no colour), un-premultiplied afterwards. Output is RGBA.
 */
export function blurImage(src: Raster, radius: number, type: 'gaussian' | 'box' = 'gaussian'): Raster {
  const rgba = convertRaster(src, 'RGBA');
  const n = rgba.width * rgba.height;
  const buf = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    const a = rgba.data[i * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) buf[i * 4 + c] = rgba.data[i * 4 + c]! * a;
    buf[i * 4 + 3] = rgba.data[i * 4 + 3]!;
  }
  const kernel = type === 'box' ? boxKernel(radius) : gaussianKernel(radius);
  const blurred = convolveSeparable(buf, rgba.width, rgba.height, 4, kernel);
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const a = blurred[i * 4 + 3]!;
    out[i * 4 + 3] = clampByte(a);
    for (let c = 0; c < 3; c++) out[i * 4 + c] = a <= 0 ? 0 : clampByte((blurred[i * 4 + c]! * 255) / a);
  }
  return { width: rgba.width, height: rgba.height, channels: 4, data: out };
}

/**
 * `unsharp_mask`: `img + (img − gaussian(img, radius)) × strength/100` on RGB; the original
 * mode and alpha are restored.
 */
export function unsharpMask(src: Raster, radius: number, strength: number): Raster {
  const rgb = convertRaster(src, 'RGB');
  const blurred = convolveSeparable(new Float64Array(rgb.data), rgb.width, rgb.height, 3, gaussianKernel(radius));
  const k = strength / 100;
  const sharp = new Uint8Array(rgb.data.length);
  for (let i = 0; i < sharp.length; i++) {
    const v = rgb.data[i]!;
    sharp[i] = clampByte(v + (v - clampByte(blurred[i]!)) * k);
  }
  const out: Raster = { width: rgb.width, height: rgb.height, channels: 3, data: sharp };
  if (src.channels === 4) {
    const rgba = convertRaster(out, 'RGBA');
    for (let i = 0; i < rgba.width * rgba.height; i++) rgba.data[i * 4 + 3] = src.data[i * 4 + 3]!;
    return rgba;
  }
  return src.channels === 1 ? convertRaster(out, 'L') : out;
}
