import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { CELL_WIDTH, drawText, FONT_CHARACTERS, glyph, GLYPH_HEIGHT, GLYPH_WIDTH, textWidth, type RgbCanvas } from '../../../src/cli/output/bitmapFont.js';
import { contactSheetPng, renderContactSheet } from '../../../src/cli/output/contactSheet.js';

const REQUIRED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .:_-%()';

function solid(width: number, height: number, rgb: [number, number, number]): RgbCanvas {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

function pixel(img: RgbCanvas, x: number, y: number): number[] {
  const o = (y * img.width + x) * 3;
  return [...img.data.subarray(o, o + 3)];
}

/** A width×height image whose every pixel differs from its neighbours: red = x, green = y, blue = `tag`. */
function gradient(width: number, height: number, tag: number): RgbCanvas {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x * 6, y * 6, tag], (y * width + x) * 3);
  return { width, height, data };
}

function blank(width: number, height: number): RgbCanvas {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

/** The canvas as rows of '#' (any non-black pixel) and '.'. */
function ink(canvas: RgbCanvas): string[] {
  return Array.from({ length: canvas.height }, (_, y) =>
    Array.from({ length: canvas.width }, (_, x) => (pixel(canvas, x, y).some((v) => v > 0) ? '#' : '.')).join(''),
  );
}

describe('5x7 bitmap font', () => {
  it('has a 7x5 glyph for every caption character, and no two printable glyphs alike', () => {
    const seen = new Map<string, string>();
    for (const ch of REQUIRED) {
      expect(FONT_CHARACTERS).toContain(ch);
      const rows = glyph(ch);
      expect(rows).toHaveLength(GLYPH_HEIGHT);
      for (const row of rows) expect(row).toHaveLength(GLYPH_WIDTH);
      const key = rows.map((r) => r.map((b) => (b ? '#' : '.')).join('')).join('/');
      if (ch !== ' ') {
        expect(key, `glyph ${ch} is empty`).toContain('#');
        expect(seen.get(key), `${ch} looks like ${seen.get(key)}`).toBeUndefined();
      }
      seen.set(key, ch);
    }
  });

  it('draws glyphs pixel for pixel at scale 1 and as squares at scale 2', () => {
    const one = blank(8, 9);
    drawText(one, 'L', 1, 1, [255, 255, 255]);
    expect(ink(one)).toEqual([
      '........',
      '.#......',
      '.#......',
      '.#......',
      '.#......',
      '.#......',
      '.#......',
      '.#####..',
      '........',
    ]);
    const two = blank(12, 16);
    drawText(two, '-', 0, 0, [255, 0, 0], 2);
    const rows = ink(two);
    expect(rows[6]).toBe('##########..');
    expect(rows[7]).toBe('##########..');
    expect(rows.filter((r) => r.includes('#'))).toHaveLength(2);
    expect(pixel(two, 0, 6)).toEqual([255, 0, 0]);
  });

  it('advances 6 pixels per character and draws unknown characters as ?', () => {
    expect(textWidth('ab')).toBe(11);
    expect(textWidth('ab', 2)).toBe(22);
    expect(textWidth('')).toBe(0);
    const a = blank(6, 8);
    const b = blank(6, 8);
    drawText(a, '€', 0, 0, [255, 255, 255]);
    drawText(b, '?', 0, 0, [255, 255, 255]);
    expect(ink(a)).toEqual(ink(b));
  });

  it('clips at the canvas edges without wrapping into other rows', () => {
    const c = blank(10, 10);
    drawText(c, 'WM', -4, -5, [1, 1, 1], 3);
    // Where each glyph cell lands, worked out from the glyphs themselves; pixels off the canvas are dropped.
    const expected = Array.from({ length: 10 }, (_, y) =>
      Array.from({ length: 10 }, (_, x) => {
        const gy = Math.floor((y + 5) / 3);
        const column = x + 4;
        const char = Math.floor(column / (CELL_WIDTH * 3));
        const gx = Math.floor((column - char * CELL_WIDTH * 3) / 3);
        return gy < GLYPH_HEIGHT && gx < GLYPH_WIDTH && glyph('WM'[char]!)[gy]![gx] ? '#' : '.';
      }).join(''),
    );
    expect(expected.join('')).toContain('#');
    expect(expected.join('')).toContain('.');
    expect(ink(c)).toEqual(expected);
  });
});

describe('contact sheet', () => {
  const background: [number, number, number] = [32, 32, 36];
  const text: [number, number, number] = [236, 236, 236];
  const cells = [
    { image: solid(100, 50, [255, 0, 0]), caption: ['base', '1.2s'] },
    { image: solid(20, 20, [0, 0, 255]), caption: ['refined'] },
  ];

  it('places fitted thumbnails side by side with captions underneath', () => {
    const sheet = renderContactSheet([cells], { thumbnail: 40, padding: 4, background, textColor: text });
    // 4 + 2 × (40 + 4) wide; 4 + (40 + 2 + 2 caption lines × 16) + 4 high.
    expect(sheet.width).toBe(92);
    expect(sheet.height).toBe(4 + 40 + 2 + 32 + 4);
    // The 100×50 image becomes 40×20, centred vertically in its 40×40 box at (4, 4).
    expect(pixel(sheet, 4, 14)).toEqual([255, 0, 0]);
    expect(pixel(sheet, 43, 33)).toEqual([255, 0, 0]);
    expect(pixel(sheet, 20, 10)).toEqual(background);
    expect(pixel(sheet, 20, 38)).toEqual(background);
    // The 20×20 image is enlarged to fill its box at (48, 4).
    expect(pixel(sheet, 48, 4)).toEqual([0, 0, 255]);
    expect(pixel(sheet, 87, 43)).toEqual([0, 0, 255]);
    // Captions: text pixels under the first thumbnail on both lines, under the second on the first only.
    const hasText = (x0: number, y0: number, y1: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x0 + 40; x++) if (pixel(sheet, x, y).join() === text.join()) return true;
      return false;
    };
    expect(hasText(4, 46, 62)).toBe(true);
    expect(hasText(4, 62, 78)).toBe(true);
    expect(hasText(48, 46, 62)).toBe(true);
    expect(hasText(48, 62, 78)).toBe(false);
  });

  it('shrinks or cuts captions that do not fit under the thumbnail', () => {
    const long = [{ image: solid(8, 8, [0, 255, 0]), caption: ['face_enhanced-12'] }];
    const sheet = renderContactSheet([long], { thumbnail: 40, padding: 4, background, textColor: text });
    for (let y = 0; y < sheet.height; y++) for (let x = 44; x < sheet.width; x++) expect(pixel(sheet, x, y)).toEqual(background);
  });

  it('encodes one row per chain as an RGB PNG whose tiles are the source pixels', () => {
    // Sources as large as the thumbnail box are not resampled: every tile pixel is a source pixel.
    const a = gradient(40, 40, 10);
    const b = gradient(40, 40, 20);
    const c = gradient(40, 40, 30);
    const rows = [
      [
        { image: a, caption: ['base', '1.2s'] },
        { image: b, caption: ['refined'] },
      ],
      [{ image: c, caption: ['base-2'] }],
    ];
    const png = decode(contactSheetPng(rows, { thumbnail: 40, padding: 4 }));
    expect(png.channels).toBe(3);
    expect(png.depth).toBe(8);
    expect(png.width).toBe(92);
    const rowHeight = 40 + 2 + 32 + 4;
    expect(png.height).toBe(4 + 2 * rowHeight);
    const sheet: RgbCanvas = { width: png.width, height: png.height, data: png.data as Uint8Array };
    const tiles = [
      { image: a, left: 4, top: 4 },
      { image: b, left: 48, top: 4 },
      { image: c, left: 4, top: 4 + rowHeight },
    ];
    const places = [[0, 0], [39, 0], [0, 39], [39, 39], [17, 23], [5, 31]] as const;
    for (const { image, left, top } of tiles) {
      for (const [x, y] of places) expect(pixel(sheet, left + x, top + y), `${left + x},${top + y}`).toEqual(pixel(image, x, y));
    }
    // The second row has no second tile: background there.
    expect(pixel(sheet, 48 + 20, 4 + rowHeight + 20)).toEqual([32, 32, 36]);
  });
});
