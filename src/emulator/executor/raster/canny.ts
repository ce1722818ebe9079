import type { Raster } from '../types.js';
import { convertRaster } from './raster.js';

/**
 * Canny edges like OpenCV's `cv2.Canny(gray, low, high)`: 3×3 Sobel gradients (L1 magnitude),
 * non-maximum suppression along the gradient direction, double threshold with hysteresis.
 * Returns an L raster with edges 255 on 0.
 */
export function cannyEdges(src: Raster, low: number, high: number): Raster {
  const g = convertRaster(src, 'L');
  const { width: w, height: h } = g;
  const at = (x: number, y: number) => g.data[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
  const mag = new Float64Array(w * h);
  const dir = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      mag[y * w + x] = Math.abs(gx) + Math.abs(gy);
      const angle = ((Math.atan2(gy, gx) * 180) / Math.PI + 180) % 180;
      dir[y * w + x] = angle < 22.5 || angle >= 157.5 ? 0 : angle < 67.5 ? 1 : angle < 112.5 ? 2 : 3;
    }
  }
  const m = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : mag[y * w + x]!);
  // 0 = none, 1 = weak, 2 = strong
  const state = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = mag[y * w + x]!;
      if (v <= low) continue;
      const d = dir[y * w + x]!;
      const [a, b] =
        d === 0 ? [m(x - 1, y), m(x + 1, y)] : d === 1 ? [m(x - 1, y - 1), m(x + 1, y + 1)] : d === 2 ? [m(x, y - 1), m(x, y + 1)] : [m(x + 1, y - 1), m(x - 1, y + 1)];
      if (v < a || v < b) continue;
      if (v > high) {
        state[y * w + x] = 2;
        stack.push(y * w + x);
      } else state[y * w + x] = 1;
    }
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % w;
    const y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const j = yy * w + xx;
        if (state[j] === 1) {
          state[j] = 2;
          stack.push(j);
        }
      }
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = state[i] === 2 ? 255 : 0;
  return { width: w, height: h, channels: 1, data: out };
}
