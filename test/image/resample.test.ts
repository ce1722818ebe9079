import { describe, expect, it } from 'vitest';
import { resizeNearest, resizeRaster, type Raster } from '../../src/image/index.js';

const L = (width: number, height: number, values: number[]): Raster => ({ width, height, channels: 1, data: Uint8Array.from(values) });
const RGB = (width: number, height: number, values: number[]): Raster => ({ width, height, channels: 3, data: Uint8Array.from(values) });
const grey = (v: number) => [v, v, v];

describe('resizeRaster (PIL filters)', () => {
  it('nearest 2×2 → 4×4 repeats each pixel in a 2×2 block', () => {
    const out = resizeRaster(L(2, 2, [10, 20, 30, 40]), 4, 4, 'nearest');
    expect(Array.from(out.data)).toEqual([10, 10, 20, 20, 10, 10, 20, 20, 30, 30, 40, 40, 30, 30, 40, 40]);
  });

  it('bilinear 2 → 4 matches PIL (0, 64, 191, 255)', () => {
    expect(Array.from(resizeRaster(L(2, 1, [0, 255]), 4, 1, 'bilinear').data)).toEqual([0, 64, 191, 255]);
  });

  it('bilinear 2×2 → 4×4: outer rows and columns copy the source, inner ones mix 3:1 and 1:3', () => {
    // Rows [0, 100] and [200, 255] widen to [0, 25, 75, 100] and [200, 213.75, 241.25, 255];
    // the middle rows are ¾·top + ¼·bottom and ¼·top + ¾·bottom, rounded.
    const out = resizeRaster(L(2, 2, [0, 100, 200, 255]), 4, 4, 'bilinear');
    expect(Array.from(out.data)).toEqual([0, 25, 75, 100, 50, 72, 117, 139, 150, 167, 200, 216, 200, 214, 241, 255]);
  });

  it('box and bilinear 2×2 → 1×1 average the four pixels (555 / 4 = 138.75)', () => {
    for (const mode of ['box', 'bilinear'] as const) expect(Array.from(resizeRaster(L(2, 2, [0, 100, 200, 255]), 1, 1, mode).data)).toEqual([139]);
  });

  it('box downscale averages blocks', () => {
    expect(Array.from(resizeRaster(L(4, 1, [0, 100, 200, 250]), 2, 1, 'box').data)).toEqual([50, 225]);
  });

  it('box averages RGB blocks when shrinking (227.5 rounds up) and repeats pixels when enlarging', () => {
    const row = RGB(4, 1, [...grey(0), ...grey(100), ...grey(200), ...grey(255)]);
    expect(Array.from(resizeRaster(row, 2, 1, 'box').data)).toEqual([...grey(50), ...grey(228)]);
    const two = RGB(2, 1, [...grey(10), ...grey(90)]);
    const wide = [...grey(10), ...grey(10), ...grey(90), ...grey(90)];
    expect(Array.from(resizeRaster(two, 4, 2, 'box').data)).toEqual([...wide, ...wide]);
  });

  it('resamples RGBA premultiplied: a transparent neighbour does not bleed its colour', () => {
    const src: Raster = { width: 2, height: 1, channels: 4, data: Uint8Array.of(200, 100, 0, 255, 0, 0, 255, 0) };
    expect(Array.from(resizeRaster(src, 1, 1, 'box').data)).toEqual([200, 100, 0, 128]);
  });

  it('bicubic and lanczos keep a constant image constant and produce the requested size', () => {
    for (const mode of ['bicubic', 'lanczos', 'hamming'] as const) {
      const out = resizeRaster(L(3, 3, Array(9).fill(90)), 7, 5, mode);
      expect([out.width, out.height]).toEqual([7, 5]);
      expect(new Set(out.data)).toEqual(new Set([90]));
    }
  });

  it('returns a copy at the same size and rejects an empty target', () => {
    const src = L(1, 1, [7]);
    const out = resizeRaster(src, 1, 1, 'lanczos');
    expect(out).toEqual(src);
    expect(out.data).not.toBe(src.data);
    expect(() => resizeRaster(src, 0, 1)).toThrow('Invalid resize target 0x1');
  });
});

describe('resizeNearest', () => {
  it('samples under the target pixel centre (PIL) or its top-left corner (OpenCV)', () => {
    const row = L(3, 1, [10, 20, 30]);
    // 3 → 2: centres at 0.75 and 2.25, corners at 0 and 1.5.
    expect(Array.from(resizeNearest(row, 2, 1).data)).toEqual([10, 30]);
    expect(Array.from(resizeNearest(row, 2, 1, 'corner').data)).toEqual([10, 20]);
  });

  it('keeps the channel count', () => {
    const out = resizeNearest(RGB(1, 1, [1, 2, 3]), 2, 1, 'corner');
    expect(out).toEqual({ width: 2, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3, 1, 2, 3) });
  });
});
