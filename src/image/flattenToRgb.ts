import type { Raster, Rgb } from './Raster.js';

/** The raster as 8-bit RGB: grey is repeated, transparent pixels are composited over `background`. */
export function flattenToRgb(raster: Raster, background: Rgb = [0, 0, 0]): Raster & { channels: 3 } {
  const { width, height, channels, data } = raster;
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const colour = channels >= 3;
  for (let p = 0; p < n; p++) {
    const i = p * channels;
    const alpha = channels === 4 ? data[i + 3]! / 255 : 1;
    for (let c = 0; c < 3; c++) {
      const v = data[i + (colour ? c : 0)]! / 255;
      out[p * 3 + c] = Math.round((v * alpha + (background[c]! / 255) * (1 - alpha)) * 255);
    }
  }
  return { width, height, channels: 3, data: out };
}
