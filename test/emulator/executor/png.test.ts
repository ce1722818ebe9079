import { describe, expect, it } from 'vitest';
import { encodeThumbnail, progressImage } from '../../../src/emulator/executor/index.js';
import { decodePng } from '../../../src/image/index.js';

describe('png', () => {
  it('thumbnails fit 256 and previews are small PNG data URLs', () => {
    const big = { width: 1000, height: 500, channels: 3 as const, data: new Uint8Array(1000 * 500 * 3) };
    const thumb = decodePng(encodeThumbnail(big));
    expect([thumb.width, thumb.height]).toEqual([256, 128]);
    const preview = progressImage(big);
    expect(preview.width).toBe(64);
    expect(preview.dataURL.startsWith('data:image/png;base64,')).toBe(true);
  });
});
