import { encode } from 'fast-png';
import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { assessQuality, NOISE_HALF_POINT, SHARPNESS_HALF_POINT } from '../../src/quality/assessQuality.js';
import { imageQuality } from '../../src/quality/imageQuality.js';
import { laplacianVariance } from '../../src/quality/laplacianVariance.js';
import { lumaImage, type LumaImage } from '../../src/quality/lumaImage.js';
import { noiseSigma } from '../../src/quality/noiseSigma.js';
import { fakeClient } from '../support/fakeClient.js';

const SQRT_PI_2 = Math.sqrt(Math.PI / 2);

function luma(width: number, height: number, f: (x: number, y: number) => number): LumaImage {
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
}

const checker = (x: number, y: number) => ((x + y) % 2 === 0 ? 0 : 255);

/** Deterministic N(0, 1) samples (LCG + Box-Muller), so the statistical test cannot flake. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('laplacianVariance', () => {
  it('is 0 for a flat image', () => {
    expect(laplacianVariance(luma(5, 5, () => 128))).toBe(0);
  });

  it('is 0 for a linear ramp (the Laplacian cancels planes)', () => {
    expect(laplacianVariance(luma(6, 5, (x, y) => 10 * x + 20 * y))).toBe(0);
  });

  it('is 1020² for a 1-pixel black/white checkerboard', () => {
    // Interior of 4×4: two pixels of 0 with four 255 neighbours (L = +1020) and two of 255 with
    // four 0 neighbours (L = −1020): mean 0, variance 1020².
    expect(laplacianVariance(luma(4, 4, checker))).toBe(1020 * 1020);
  });

  it('is 0 for images without an interior', () => {
    expect(laplacianVariance(luma(2, 7, checker))).toBe(0);
  });
});

describe('noiseSigma (Immerkær)', () => {
  it('is 0 for flat images and linear ramps', () => {
    expect(noiseSigma(luma(5, 5, () => 77))).toBe(0);
    expect(noiseSigma(luma(6, 5, (x, y) => 10 * x + 20 * y))).toBe(0);
  });

  it('matches the hand-computed value for one perturbed pixel', () => {
    // 3×3 ramp, centre raised by 10: the ramp cancels, the centre weight 4 gives |4·10| = 40;
    // σ = √(π/2) · 40 / (6·1·1).
    const image = luma(3, 3, (x, y) => 10 * x + 20 * y + (x === 1 && y === 1 ? 10 : 0));
    expect(noiseSigma(image)).toBeCloseTo((SQRT_PI_2 * 40) / 6, 10);
  });

  it('is √(π/2)·340 for the checkerboard (texture reads as noise)', () => {
    // Each interior pixel: corners equal to it, edges opposite: |±(4·255 + 4·255)| = 2040;
    // σ = √(π/2) · 4·2040 / (6·2·2).
    expect(noiseSigma(luma(4, 4, checker))).toBeCloseTo(SQRT_PI_2 * 340, 10);
  });

  it('recovers the σ of Gaussian noise added to a smooth image, and grows with it', () => {
    const base = (x: number, y: number) => 60 + x + 0.5 * y;
    const noisy = (sigma: number) => {
      const r = gaussian(sigma);
      return luma(128, 128, (x, y) => base(x, y) + sigma * r());
    };
    const clean = noiseSigma(luma(128, 128, base));
    const s5 = noiseSigma(noisy(5));
    const s10 = noiseSigma(noisy(10));
    expect(clean).toBe(0);
    // Immerkær's estimator is unbiased for Gaussian noise: E|X∗N| = 6σ·√(2/π).
    expect(s5).toBeGreaterThan(4.5);
    expect(s5).toBeLessThan(5.5);
    expect(s10).toBeGreaterThan(9);
    expect(s10).toBeLessThan(11);
  });
});

describe('assessQuality', () => {
  it('scores a flat image 0 (no sharpness, no noise)', () => {
    expect(assessQuality(luma(8, 8, () => 200))).toEqual({
      score: 0,
      sharpness: 0,
      noise: 0,
      laplacianVariance: 0,
      noiseSigma: 0,
      width: 8,
      height: 8,
    });
  });

  it('maps the raw measures with the documented saturating functions', () => {
    const q = assessQuality(luma(4, 4, checker));
    const v = 1020 * 1020;
    const sigma = SQRT_PI_2 * 340;
    expect(q.sharpness).toBeCloseTo(v / (v + SHARPNESS_HALF_POINT), 12);
    expect(q.sharpness).toBeGreaterThan(0.999);
    expect(q.noise).toBeCloseTo(sigma / (sigma + NOISE_HALF_POINT), 12);
    expect(q.score).toBeCloseTo(q.sharpness * (1 - q.noise), 12);
  });

  it('reads PNG bytes (RGB, 8 bit) through luma', () => {
    const data = new Uint8Array(4 * 4 * 3);
    for (let i = 0; i < 16; i++) data.fill(checker(i % 4, Math.floor(i / 4)), i * 3, i * 3 + 3);
    const png = encode({ width: 4, height: 4, data, channels: 3, depth: 8 });
    const q = assessQuality(png);
    expect(q.width).toBe(4);
    expect(q.laplacianVariance).toBeCloseTo(1020 * 1020, 6);
    expect(q.noiseSigma).toBeCloseTo(SQRT_PI_2 * 340, 6);
  });

  it('penalises noise: the same sharp image scores lower once noise is added', () => {
    const edge = (x: number) => (x < 16 ? 40 : 210);
    const r = gaussian(3);
    const clean = assessQuality(luma(32, 32, (x) => edge(x)));
    const noisy = assessQuality(luma(32, 32, (x) => edge(x) + 12 * r()));
    expect(noisy.noise).toBeGreaterThan(clean.noise);
    expect(noisy.score).toBeLessThan(clean.score);
  });
});

describe('lumaImage', () => {
  it('uses Rec. 601 weights and scales 16-bit data to 0..255 (alpha ignored)', () => {
    const rgb = lumaImage({ width: 1, height: 1, data: new Uint8Array([255, 0, 0]), depth: 8, channels: 3 });
    expect(rgb.data[0]).toBeCloseTo(0.299 * 255, 10);
    const grey16 = lumaImage({ width: 2, height: 1, data: new Uint16Array([65535, 65535, 0, 65535]), depth: 16, channels: 2 });
    expect(Array.from(grey16.data)).toEqual([255, 0]);
  });
});

describe('imageQuality', () => {
  it('downloads the image and scores it', async () => {
    const png = encode({ width: 3, height: 3, data: new Uint8Array(9).fill(90), channels: 1, depth: 8 });
    const client = fakeClient({ images: { download: () => of(png) } });
    const q = await lastValueFrom(imageQuality(client, 'flat.png'));
    expect(q.score).toBe(0);
    expect(client.callsTo('images.download')).toEqual([['flat.png']]);
  });
});
