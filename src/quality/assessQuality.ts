import { decodePng, toLuma } from '../image/index.js';
import { laplacianVariance } from './laplacianVariance.js';
import type { LumaImage } from './lumaImage.js';
import { noiseSigma } from './noiseSigma.js';

/** Laplacian variance at which `sharpness` is 0.5 (≈ the usual "in focus" threshold for photos). */
export const SHARPNESS_HALF_POINT = 100;
/** Noise σ (grey levels) at which `noise` is 0.5. */
export const NOISE_HALF_POINT = 8;

/** A no-reference quality estimate of one image; every score is in 0..1. */
export interface QualityReport {
  /** `score = sharpness · (1 − noise)`: high when the image is sharp and clean. */
  score: number;
  /** `v / (v + SHARPNESS_HALF_POINT)` with `v` the Laplacian variance: 0 flat … → 1 sharp. */
  sharpness: number;
  /** `σ / (σ + NOISE_HALF_POINT)` with `σ` Immerkær's noise estimate: 0 clean … → 1 noisy. */
  noise: number;
  /** Raw variance of the Laplacian of the luma. */
  laplacianVariance: number;
  /** Raw noise standard deviation, grey levels. */
  noiseSigma: number;
  width: number;
  height: number;
}

/**
 * Scores an image's technical quality without a reference, from its luma: sharpness is the
 * variance of the Laplacian mapped to 0..1 by the saturating `v / (v + k)`, noise is Immerkær's
 * fast noise σ mapped the same way, and the score is their combination
 * `sharpness · (1 − noise)`, so that sharpness bought with noise does not count.
 *
 * This measures focus and graininess, not aesthetics or prompt adherence.
 *
 * @param image PNG bytes, or an already computed luma image.
 */
export function assessQuality(image: Uint8Array | LumaImage): QualityReport {
  const luma = image instanceof Uint8Array ? toLuma(decodePng(image)) : image;
  const v = laplacianVariance(luma);
  const sigma = noiseSigma(luma);
  const sharpness = v / (v + SHARPNESS_HALF_POINT);
  const noise = sigma / (sigma + NOISE_HALF_POINT);
  return {
    score: sharpness * (1 - noise),
    sharpness,
    noise,
    laplacianVariance: v,
    noiseSigma: sigma,
    width: luma.width,
    height: luma.height,
  };
}
