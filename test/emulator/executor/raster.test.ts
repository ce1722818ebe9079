import { describe, expect, it } from 'vitest';
import { blurImage, blurRaster, unsharpMask } from '../../../src/emulator/executor/raster/blur.js';
import { cannyEdges } from '../../../src/emulator/executor/raster/canny.js';
import { adjustHue } from '../../../src/emulator/executor/raster/hue.js';
import { infillColor, infillTile } from '../../../src/emulator/executor/raster/infill.js';
import { inverseLerpRaster, lerpRaster } from '../../../src/emulator/executor/raster/lerp.js';
import { combineMasks, maskFromAlpha } from '../../../src/emulator/executor/raster/mask.js';
import { multiplyRasters } from '../../../src/emulator/executor/raster/multiply.js';
import { cropRaster, padCropRaster, pasteImages } from '../../../src/emulator/executor/raster/paste.js';
import { convertRaster, createRaster } from '../../../src/emulator/executor/raster/raster.js';
import type { Raster } from '../../../src/emulator/executor/types.js';

const L = (width: number, height: number, values: number[]): Raster => ({ width, height, channels: 1, data: Uint8Array.from(values) });
const RGBA = (width: number, height: number, pixels: number[][]): Raster => ({ width, height, channels: 4, data: Uint8Array.from(pixels.flat()) });
const pixel = (r: Raster, x: number, y: number) => Array.from(r.data.subarray((y * r.width + x) * r.channels, (y * r.width + x + 1) * r.channels));

describe('blur', () => {
  it('box-blurs a single white pixel into its 3×3 neighbourhood (255/9 each)', () => {
    const src = L(5, 5, Array.from({ length: 25 }, (_, i) => (i === 12 ? 255 : 0)));
    const out = blurRaster(src, 1, 'box');
    const expected = Array.from({ length: 25 }, (_, i) => {
      const x = i % 5;
      const y = Math.floor(i / 5);
      return Math.abs(x - 2) <= 1 && Math.abs(y - 2) <= 1 ? 28 : 0;
    });
    expect(Array.from(out.data)).toEqual(expected);
  });

  it('gaussian blur keeps a flat image flat and spreads a point symmetrically', () => {
    const flat = blurRaster(L(4, 4, Array(16).fill(77)), 2, 'gaussian');
    expect(new Set(flat.data)).toEqual(new Set([77]));
    const point = blurRaster(L(7, 7, Array.from({ length: 49 }, (_, i) => (i === 24 ? 255 : 0))), 1, 'gaussian');
    expect(pixel(point, 2, 3)).toEqual(pixel(point, 4, 3));
    expect(pixel(point, 3, 2)).toEqual(pixel(point, 3, 4));
    expect(point.data[24]!).toBeGreaterThan(point.data[23]!);
  });

  it('img_blur outputs RGBA and does not bleed the colour of transparent pixels', () => {
    const src = RGBA(3, 1, [
      [255, 0, 0, 255],
      [0, 255, 0, 0],
      [255, 0, 0, 255],
    ]);
    const out = blurImage(src, 1, 'box');
    expect(out.channels).toBe(4);
    const [r, g] = pixel(out, 1, 0);
    expect(g).toBe(0);
    expect(r).toBe(255);
  });

  it('unsharp mask leaves flat areas alone and steepens an edge', () => {
    // σ = 1 reaches 3 pixels: pixel 0 and 9 are flat, 4 and 5 sit on the edge.
    const src = L(10, 1, [50, 50, 50, 50, 50, 200, 200, 200, 200, 200]);
    const out = unsharpMask(src, 1, 100);
    expect(out.channels).toBe(1);
    expect(out.data[0]).toBe(50);
    expect(out.data[9]).toBe(200);
    expect(out.data[4]!).toBeLessThan(50);
    expect(out.data[5]!).toBeGreaterThan(200);
  });
});

describe('crop / paste', () => {
  it('crop outside the source is transparent', () => {
    const src = convertRaster(L(2, 2, [10, 20, 30, 40]), 'RGB');
    const out = cropRaster(src, 1, 1, 2, 2);
    expect(pixel(out, 0, 0)).toEqual([40, 40, 40, 255]);
    expect(pixel(out, 1, 1)).toEqual([0, 0, 0, 0]);
  });

  it('pad/crop grows the canvas with transparency', () => {
    const out = padCropRaster(L(1, 1, [9]), 1, 0, 0, 1);
    expect([out.width, out.height]).toEqual([2, 2]);
    expect(pixel(out, 1, 0)).toEqual([9, 9, 9, 255]);
    expect(pixel(out, 0, 0)).toEqual([0, 0, 0, 0]);
  });

  it('pastes through the inverted mask: mask 0 takes the image, 255 keeps the base', () => {
    const base = RGBA(2, 2, Array(4).fill([255, 0, 0, 255]));
    const image = RGBA(2, 2, Array(4).fill([0, 0, 255, 255]));
    const out = pasteImages(base, image, { x: 0, y: 0, mask: L(2, 2, [0, 255, 128, 0]) });
    expect(pixel(out, 0, 0)).toEqual([0, 0, 255, 255]);
    expect(pixel(out, 1, 0)).toEqual([255, 0, 0, 255]);
    // inverted 128 → 127: (0·127 + 255·128)/255 ≈ 128 red, 127 blue
    expect(pixel(out, 0, 1)).toEqual([128, 0, 127, 255]);
  });

  it('negative offsets grow the canvas; crop cuts back to the base', () => {
    const base = RGBA(2, 2, Array(4).fill([255, 0, 0, 255]));
    const image = RGBA(1, 1, [[0, 255, 0, 255]]);
    const grown = pasteImages(base, image, { x: -1, y: -1 });
    expect([grown.width, grown.height]).toEqual([3, 3]);
    expect(pixel(grown, 0, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(grown, 1, 1)).toEqual([255, 0, 0, 255]);
    expect(pixel(grown, 2, 0)).toEqual([0, 0, 0, 0]);
    const cropped = pasteImages(base, image, { x: -1, y: -1, crop: true });
    expect([cropped.width, cropped.height]).toEqual([2, 2]);
    expect(pixel(cropped, 0, 0)).toEqual([255, 0, 0, 255]);
  });
});

describe('pixel ops', () => {
  it('converts to L with ITU-R 601 luma', () => {
    const out = convertRaster({ width: 1, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0) }, 'L');
    expect(out.data[0]).toBe(76);
  });

  it('multiply, lerp and inverse lerp', () => {
    expect(Array.from(multiplyRasters(L(2, 1, [255, 128]), L(2, 1, [128, 128])).data)).toEqual([128, 64]);
    expect(Array.from(lerpRaster(L(2, 1, [0, 255]), 100, 200).data)).toEqual([100, 200]);
    expect(Array.from(inverseLerpRaster(L(3, 1, [50, 100, 200]), 100, 200).data)).toEqual([0, 0, 255]);
  });

  it('mask from alpha (optionally inverted) and mask combine', () => {
    const src = RGBA(2, 1, [
      [1, 2, 3, 0],
      [1, 2, 3, 200],
    ]);
    expect(Array.from(maskFromAlpha(src).data)).toEqual([0, 200]);
    expect(Array.from(maskFromAlpha(src, true).data)).toEqual([255, 55]);
    expect(Array.from(combineMasks(L(2, 1, [255, 100]), L(2, 1, [255, 51])).data)).toEqual([255, 20]);
  });

  it('hue shift by 120° turns red into green', () => {
    const out = adjustHue({ width: 1, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0) }, 120);
    const [r, g, b, a] = pixel(out, 0, 0);
    expect(g).toBeGreaterThan(240);
    expect(r).toBeLessThan(20);
    expect(b).toBeLessThan(20);
    expect(a).toBe(255);
  });

  it('solid infill fills only transparent pixels', () => {
    const src = RGBA(2, 1, [
      [10, 20, 30, 255],
      [0, 0, 0, 0],
    ]);
    const out = infillColor(src, { r: 127, g: 127, b: 127, a: 255 });
    expect(pixel(out, 0, 0)).toEqual([10, 20, 30, 255]);
    expect(pixel(out, 1, 0)).toEqual([127, 127, 127, 255]);
  });

  it('tile infill is deterministic per seed and keeps opaque pixels', () => {
    const src = createRaster(8, 8, 'RGBA', [0, 0, 0, 0]);
    for (let i = 0; i < 32; i++) src.data.set([i * 8, 255 - i * 8, 40, 255], i * 4);
    const a = infillTile(src, 2, 1);
    expect(Array.from(infillTile(src, 2, 1).data)).toEqual(Array.from(a.data));
    expect(pixel(a, 3, 1)).toEqual(pixel(src, 3, 1));
    expect(pixel(a, 5, 7)[3]).toBe(255);
  });

  it('canny finds a vertical step edge and nothing in flat areas', () => {
    const src = L(8, 6, Array.from({ length: 48 }, (_, i) => (i % 8 < 4 ? 0 : 255)));
    const out = cannyEdges(src, 100, 200);
    for (let y = 0; y < 6; y++) {
      expect(out.data[y * 8 + 0]).toBe(0);
      expect(out.data[y * 8 + 7]).toBe(0);
      expect(out.data[y * 8 + 3]! + out.data[y * 8 + 4]!).toBeGreaterThan(0);
    }
  });
});
