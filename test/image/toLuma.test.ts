import { describe, expect, it } from 'vitest';
import { rasterFromPng, toLuma, type Raster } from '../../src/image/index.js';

describe('toLuma', () => {
  it('weights RGB with Rec. 601 and ignores alpha', () => {
    const rgb: Raster = { width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0, 0, 0, 255) };
    const luma = toLuma(rgb);
    expect(luma.data[0]).toBeCloseTo(76.245, 10);
    expect(luma.data[1]).toBeCloseTo(29.07, 10);
    const rgba: Raster = { width: 1, height: 1, channels: 4, data: Uint8Array.of(0, 255, 0, 0) };
    expect(toLuma(rgba).data[0]).toBeCloseTo(149.685, 10);
  });

  it('takes grey as it is', () => {
    const grey: Raster = { width: 2, height: 1, channels: 1, data: Uint8Array.of(7, 200) };
    expect(toLuma(grey)).toEqual({ width: 2, height: 1, data: Float64Array.of(7, 200) });
  });

  it('reads packed 4-bit grey as its scaled levels', () => {
    const png = { width: 3, height: 1, channels: 1, depth: 4 as const, data: Uint8Array.of(0x5f, 0x10) };
    expect(Array.from(toLuma(rasterFromPng(png)).data)).toEqual([85, 255, 17]);
  });
});
