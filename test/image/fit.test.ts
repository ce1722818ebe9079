import { describe, expect, it } from 'vitest';
import { fitInBox, shrinkToFit, type Raster } from '../../src/image/index.js';

describe('fitInBox', () => {
  it('scales the longer side to the box, enlarging when smaller', () => {
    expect(fitInBox(100, 50, 40)).toEqual({ width: 40, height: 20 });
    expect(fitInBox(20, 20, 40)).toEqual({ width: 40, height: 40 });
    expect(fitInBox(1000, 1, 10)).toEqual({ width: 10, height: 1 });
  });
});

describe('shrinkToFit', () => {
  it('shrinks to the longer side and returns a raster that already fits as it is', () => {
    const big: Raster = { width: 1000, height: 500, channels: 3, data: new Uint8Array(1000 * 500 * 3) };
    const out = shrinkToFit(big, 256, 'box');
    expect([out.width, out.height, out.channels]).toEqual([256, 128, 3]);
    const small: Raster = { width: 4, height: 2, channels: 1, data: new Uint8Array(8) };
    expect(shrinkToFit(small, 4, 'bilinear')).toBe(small);
  });
});
