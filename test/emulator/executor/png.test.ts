import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, encodeThumbnail, progressImage } from '../../../src/emulator/executor/index.js';

describe('png', () => {
  it('round-trips L, RGB and RGBA rasters', () => {
    for (const channels of [1, 3, 4] as const) {
      const data = Uint8Array.from({ length: 3 * 2 * channels }, (_, i) => (i * 37) % 256);
      const out = decodePng(encodePng({ width: 3, height: 2, channels, data }));
      expect(out).toEqual({ width: 3, height: 2, channels, data });
    }
  });

  it('reduces 16-bit samples to 8 bits', () => {
    const bytes = encode({ width: 2, height: 1, channels: 3, depth: 16, data: Uint16Array.of(65535, 0, 32768, 256, 512, 1024) });
    expect(decodePng(bytes)).toEqual({ width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 128, 1, 2, 4) });
  });

  it('expands grey+alpha to RGBA and palettes to RGB', () => {
    const ga = decodePng(encode({ width: 1, height: 1, channels: 2, depth: 8, data: Uint8Array.of(90, 200) }));
    expect(ga).toEqual({ width: 1, height: 1, channels: 4, data: Uint8Array.of(90, 90, 90, 200) });
    const pal = decodePng(encode({ width: 2, height: 1, channels: 1, depth: 8, data: Uint8Array.of(1, 0), palette: [[10, 20, 30], [40, 50, 60]] }));
    expect(pal).toEqual({ width: 2, height: 1, channels: 3, data: Uint8Array.of(40, 50, 60, 10, 20, 30) });
  });

  it('unpacks 1-bit grey', () => {
    const out = decodePng(encode({ width: 3, height: 1, channels: 1, depth: 1, data: Uint8Array.of(0b10100000) }));
    expect(Array.from(out.data)).toEqual([255, 0, 255]);
  });

  it('thumbnails fit 256 and previews are small PNG data URLs', () => {
    const big = { width: 1000, height: 500, channels: 3 as const, data: new Uint8Array(1000 * 500 * 3) };
    const thumb = decodePng(encodeThumbnail(big));
    expect([thumb.width, thumb.height]).toEqual([256, 128]);
    const preview = progressImage(big);
    expect(preview.width).toBe(64);
    expect(preview.dataURL.startsWith('data:image/png;base64,')).toBe(true);
  });
});
