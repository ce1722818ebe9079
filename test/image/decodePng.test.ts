import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, rasterFromPng } from '../../src/image/index.js';

describe('decodePng / encodePng', () => {
  it('round-trips L, RGB and RGBA rasters', () => {
    for (const channels of [1, 3, 4] as const) {
      const data = Uint8Array.from({ length: 3 * 2 * channels }, (_, i) => (i * 37) % 256);
      const out = decodePng(encodePng({ width: 3, height: 2, channels, data }));
      expect(out).toEqual({ width: 3, height: 2, channels, data });
    }
  });

  it('accepts an ArrayBuffer', () => {
    const bytes = encodePng({ width: 1, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3) });
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect(decodePng(buffer).data).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('reduces 16-bit samples to their high byte', () => {
    const rgb = encode({ width: 2, height: 1, channels: 3, depth: 16, data: Uint16Array.of(65535, 0, 32768, 256, 512, 1024) });
    expect(decodePng(rgb)).toEqual({ width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 128, 1, 2, 4) });
    const rgba = encode({ width: 1, height: 1, channels: 4, depth: 16, data: Uint16Array.of(0x1234, 0xffff, 0x00ff, 0x8000) });
    expect(decodePng(rgba)).toEqual({ width: 1, height: 1, channels: 4, data: Uint8Array.of(0x12, 0xff, 0x00, 0x80) });
    const greyAlpha = encode({ width: 1, height: 1, channels: 2, depth: 16, data: Uint16Array.of(0xabcd, 0x0102) });
    expect(decodePng(greyAlpha).data).toEqual(Uint8Array.of(0xab, 0xab, 0xab, 0x01));
  });

  it('expands grey+alpha to RGBA and palettes to RGB', () => {
    const ga = decodePng(encode({ width: 1, height: 1, channels: 2, depth: 8, data: Uint8Array.of(90, 200) }));
    expect(ga).toEqual({ width: 1, height: 1, channels: 4, data: Uint8Array.of(90, 90, 90, 200) });
    const pal = decodePng(encode({ width: 2, height: 1, channels: 1, depth: 8, data: Uint8Array.of(1, 0), palette: [[10, 20, 30], [40, 50, 60]] }));
    expect(pal).toEqual({ width: 2, height: 1, channels: 3, data: Uint8Array.of(40, 50, 60, 10, 20, 30) });
  });

  it('expands a palette with transparency to RGBA', () => {
    const png = encode({ width: 2, height: 1, channels: 1, depth: 8, data: Uint8Array.of(1, 0), palette: [[10, 20, 30, 128], [40, 50, 60, 255]] });
    expect(decodePng(png)).toEqual({ width: 2, height: 1, channels: 4, data: Uint8Array.of(40, 50, 60, 255, 10, 20, 30, 128) });
  });

  it('unpacks 2-bit palette indices, rows padded to whole bytes', () => {
    // Row 0: indices 0, 1, 2 (0b00_01_10_00); row 1: 2, 2, 0 (0b10_10_00_00).
    const png = encode({ width: 3, height: 2, channels: 1, depth: 2, data: Uint8Array.of(0b00011000, 0b10100000), palette: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] });
    expect(Array.from(decodePng(png).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 8, 9, 7, 8, 9, 1, 2, 3]);
  });

  it('unpacks 1- and 4-bit grey, scaled to 0..255', () => {
    const one = decodePng(encode({ width: 3, height: 1, channels: 1, depth: 1, data: Uint8Array.of(0b10100000) }));
    expect(Array.from(one.data)).toEqual([255, 0, 255]);
    const four = decodePng(encode({ width: 3, height: 1, channels: 1, depth: 4, data: Uint8Array.of(0x5f, 0x10) }));
    expect(four).toEqual({ width: 3, height: 1, channels: 1, data: Uint8Array.of(85, 255, 17) });
  });

  it('reads an index past the palette as opaque black', () => {
    const raster = rasterFromPng({ width: 2, height: 1, channels: 1, depth: 8, data: Uint8Array.of(0, 5), palette: [[9, 9, 9]] });
    expect(Array.from(raster.data)).toEqual([9, 9, 9, 0, 0, 0]);
  });

  it('throws on bytes that are not a PNG', () => {
    expect(() => decodePng(Uint8Array.of(1, 2, 3, 4))).toThrow();
  });
});
