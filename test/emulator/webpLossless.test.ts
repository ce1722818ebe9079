import { describe, expect, it } from 'vitest';
import { encodeWebpLossless } from '../../src/emulator/webpLossless.js';

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
});
