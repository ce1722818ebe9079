import { describe, expect, it } from 'vitest';
import type { Raster } from '../../src/emulator/executor/types.js';
import { encodeWebpLossless } from '../../src/emulator/webpLossless.js';
import { decodeWebpLossless } from './support/decodeWebpLossless.js';

/** Reads the VP8L header fields the WebP container spec defines (RFC 9649 §3.7.2.1 / §2.5). */
function header(b: Uint8Array) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const bits = dv.getUint32(21, true);
  return {
    riff: new TextDecoder().decode(b.subarray(0, 4)),
    riffSize: dv.getUint32(4, true),
    fourcc: new TextDecoder().decode(b.subarray(8, 16)),
    chunkSize: dv.getUint32(16, true),
    signature: b[20],
    width: (bits & 0x3fff) + 1,
    height: ((bits >>> 14) & 0x3fff) + 1,
    alpha: (bits >>> 28) & 1,
    version: bits >>> 29,
  };
}

describe('encodeWebpLossless', () => {
  it('writes a RIFF/WEBP/VP8L container with the image size', () => {
    const rgb = encodeWebpLossless({ width: 300, height: 7, channels: 3, data: new Uint8Array(300 * 7 * 3).fill(9) });
    const h = header(rgb);
    expect(h).toMatchObject({ riff: 'RIFF', fourcc: 'WEBPVP8L', signature: 0x2f, width: 300, height: 7, alpha: 0, version: 0 });
    expect(h.riffSize).toBe(rgb.length - 8);
    expect(h.chunkSize + 20 + (h.chunkSize & 1)).toBe(rgb.length);
  });

  it('flags alpha only when a pixel is not opaque', () => {
    const opaque = new Uint8Array(4 * 4).fill(255);
    expect(header(encodeWebpLossless({ width: 2, height: 2, channels: 4, data: opaque })).alpha).toBe(0);
    const clear = opaque.slice();
    clear[3] = 0;
    expect(header(encodeWebpLossless({ width: 2, height: 2, channels: 4, data: clear })).alpha).toBe(1);
    expect(() => encodeWebpLossless({ width: 0, height: 1, channels: 1, data: new Uint8Array() })).toThrow(RangeError);
  });

  describe('pixels decode back to the source', () => {
    // Deterministic noise: every byte value occurs, neighbours differ.
    const noise = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 13) & 255);
    const expectedRgba = (r: Raster) =>
      Uint8Array.from({ length: r.width * r.height * 4 }, (_, j) => {
        const [p, c] = [Math.floor(j / 4), j % 4];
        if (r.channels === 1) return c === 3 ? 255 : r.data[p]!;
        return c === 3 && r.channels === 3 ? 255 : r.data[p * r.channels + c]!;
      });

    it.each([
      { name: 'RGB', width: 300, height: 7, channels: 3 },
      { name: 'RGBA with transparency', width: 17, height: 13, channels: 4 },
      { name: 'grey', width: 31, height: 5, channels: 1 },
      { name: 'one pixel', width: 1, height: 1, channels: 3 },
    ] as const)('$name', ({ width, height, channels }) => {
      const raster: Raster = { width, height, channels, data: noise(width * height * channels, width) };
      const decoded = decodeWebpLossless(encodeWebpLossless(raster));
      expect({ width: decoded.width, height: decoded.height }).toEqual({ width, height });
      expect(decoded.rgba).toEqual(expectedRgba(raster));
      expect(decoded.alphaHint).toBe(channels === 4);
    });

    it('keeps an opaque RGBA image exact while dropping its alpha plane', () => {
      const data = noise(9 * 4 * 4, 3);
      for (let i = 3; i < data.length; i += 4) data[i] = 255;
      const raster: Raster = { width: 9, height: 4, channels: 4, data };
      const decoded = decodeWebpLossless(encodeWebpLossless(raster));
      expect(decoded.alphaHint).toBe(false);
      expect(decoded.rgba).toEqual(data);
    });

    it('the decoder is not vacuous: a changed pixel byte changes the decoded image', () => {
      const raster: Raster = { width: 4, height: 4, channels: 3, data: noise(48, 1) };
      const bytes = encodeWebpLossless(raster);
      bytes[bytes.length - 3]! ^= 0x10;
      expect(decodeWebpLossless(bytes).rgba).not.toEqual(expectedRgba(raster));
    });
  });
});
