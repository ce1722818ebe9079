import type { LumaImage } from './lumaImage.js';

/**
 * Standard deviation of additive Gaussian noise, estimated with Immerkær's fast method
 * ("Fast Noise Variance Estimation", CVIU 64(2), 1996):
 *
 *   σ = √(π/2) · 1 / (6 (W−2)(H−2)) · Σ |I ∗ N|,   N = [1 −2 1; −2 4 −2; 1 −2 1]
 *
 * `N` is the difference of two Laplacians, so it cancels constant and linear intensity (flat areas
 * and smooth gradients give 0) and responds to pixel-level noise. Strong fine texture (a
 * checkerboard) also reads as noise: the estimate is an upper bound on real images.
 * In grey levels (0..255); images smaller than 3×3 give 0.
 */
export function noiseSigma(image: LumaImage): number {
  const { width: w, height: h, data } = image;
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const corners = data[i - w - 1]! + data[i - w + 1]! + data[i + w - 1]! + data[i + w + 1]!;
      const edges = data[i - w]! + data[i + w]! + data[i - 1]! + data[i + 1]!;
      sum += Math.abs(corners - 2 * edges + 4 * data[i]!);
    }
  }
  return (Math.sqrt(Math.PI / 2) * sum) / (6 * (w - 2) * (h - 2));
}
