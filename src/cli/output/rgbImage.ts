import { convertIndexedToRgb, decode } from 'fast-png';
import type { RgbCanvas } from './bitmapFont.js';

/** An 8-bit RGB image (`data.length === width * height * 3`). */
export type RgbImage = RgbCanvas;

/**
 * Decodes PNG bytes into 8-bit RGB, whatever the PNG's colour type and depth (grey, grey+alpha,
 * palette, RGB, RGBA; 1–16 bits). Transparent pixels are composited over `background`.
 *
 * @throws Error when the bytes are not a PNG.
 */
export function decodeToRgb(bytes: Uint8Array, background: readonly [number, number, number] = [0, 0, 0]): RgbImage {
  const png = decode(bytes);
  const { width, height } = png;
  const pixels = width * height;
  let samples: ArrayLike<number> = png.data;
  let channels = png.channels;
  let max = 2 ** png.depth - 1;
  if (png.palette) {
    samples = convertIndexedToRgb(png);
    channels = samples.length / pixels;
    max = 255;
  }
  const out = new Uint8Array(pixels * 3);
  const hasAlpha = channels === 2 || channels === 4;
  const colour = channels >= 3 ? 3 : 1;
  for (let p = 0; p < pixels; p++) {
    const i = p * channels;
    const alpha = hasAlpha ? samples[i + channels - 1]! / max : 1;
    for (let c = 0; c < 3; c++) {
      const v = samples[i + (colour === 3 ? c : 0)]! / max;
      out[p * 3 + c] = Math.round((v * alpha + (background[c]! / 255) * (1 - alpha)) * 255);
    }
  }
  return { width, height, data: out };
}

/**
 * Resamples an image to `width`×`height`: each target pixel is the mean of the source pixels it
 * covers (a box filter), which for enlargement degenerates to the nearest source pixel.
 */
export function resizeRgb(image: RgbImage, width: number, height: number): RgbImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`resizeRgb: target size must be positive integers, got ${width}×${height}.`);
  }
  const out = new Uint8Array(width * height * 3);
  const sx = image.width / width;
  const sy = image.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.min(image.height - 1, Math.floor(y * sy));
    const y1 = Math.max(y0 + 1, Math.min(image.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.min(image.width - 1, Math.floor(x * sx));
      const x1 = Math.max(x0 + 1, Math.min(image.width, Math.floor((x + 1) * sx)));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let o = (yy * image.width + x0) * 3;
        for (let xx = x0; xx < x1; xx++, o += 3) {
          r += image.data[o]!;
          g += image.data[o + 1]!;
          b += image.data[o + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const d = (y * width + x) * 3;
      out[d] = Math.round(r / n);
      out[d + 1] = Math.round(g / n);
      out[d + 2] = Math.round(b / n);
    }
  }
  return { width, height, data: out };
}

/** The largest size of the same aspect ratio that fits in `box`×`box` (at least 1×1). */
export function fitInBox(width: number, height: number, box: number): { width: number; height: number } {
  const scale = box / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
