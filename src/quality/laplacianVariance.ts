import type { LumaImage } from './lumaImage.js';

/**
 * Variance of the 4-neighbour Laplacian (`[0 1 0; 1 -4 1; 0 1 0]`) over the interior pixels of a
 * luma image: the classic no-reference focus measure (Pech-Pacheco et al., 2000). Flat or blurred
 * images give values near 0; sharp edges give large values (a 1-pixel black/white checkerboard
 * gives 1020² = 1 040 400). Images smaller than 3×3 have no interior and give 0.
 */
export function laplacianVariance(image: LumaImage): number {
  const { width: w, height: h, data } = image;
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = data[i - 1]! + data[i + 1]! + data[i - w]! + data[i + w]! - 4 * data[i]!;
      sum += l;
      sumSq += l * l;
    }
  }
  const n = (w - 2) * (h - 2);
  const mean = sum / n;
  return Math.max(0, sumSq / n - mean * mean);
}
