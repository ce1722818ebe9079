import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodePng, flattenToRgb, type Raster } from '../../src/image/index.js';

describe('flattenToRgb', () => {
  it('decodes RGBA over a background, 16-bit grey and palette PNGs to 8-bit RGB', () => {
    const rgba = encode({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 255, 0, 255, 0, 0]), channels: 4, depth: 8 });
    expect([...flattenToRgb(decodePng(rgba), [10, 20, 30]).data]).toEqual([255, 0, 0, 10, 20, 30]);
    const grey16 = encode({ width: 2, height: 1, data: new Uint16Array([65535, 0]), channels: 1, depth: 16 });
    expect([...flattenToRgb(decodePng(grey16)).data]).toEqual([255, 255, 255, 0, 0, 0]);
    const palette = encode({ width: 2, height: 1, data: new Uint8Array([1, 0]), channels: 1, depth: 8, palette: [[0, 0, 255], [9, 8, 7]] });
    expect([...flattenToRgb(decodePng(palette)).data]).toEqual([9, 8, 7, 0, 0, 255]);
  });

  it('blends half-transparent pixels: 200·128/255 ≈ 100, 100·128/255 ≈ 50, 255·127/255 = 127', () => {
    const px: Raster = { width: 1, height: 1, channels: 4, data: Uint8Array.of(200, 100, 0, 128) };
    expect(flattenToRgb(px, [0, 0, 255])).toEqual({ width: 1, height: 1, channels: 3, data: Uint8Array.of(100, 50, 127) });
  });

  it('repeats grey into the three channels', () => {
    const grey: Raster = { width: 2, height: 1, channels: 1, data: Uint8Array.of(3, 250) };
    expect(Array.from(flattenToRgb(grey).data)).toEqual([3, 3, 3, 250, 250, 250]);
  });
});
