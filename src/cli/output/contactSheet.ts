import { CELL_HEIGHT, CELL_WIDTH, drawText, fillRect, textWidth, type RgbCanvas } from './bitmapFont.js';
import { encodePng, fitInBox, resizeRaster } from '../../image/index.js';

/** One image of a contact sheet with its caption lines (stage name, timing, …). */
export interface ContactSheetCell {
  image: RgbCanvas;
  caption: readonly string[];
}

export interface ContactSheetOptions {
  /** Side of the square box each thumbnail is fitted into, in pixels. @default 192 */
  thumbnail?: number;
  /** Space around and between cells, in pixels. @default 12 */
  padding?: number;
  /** Caption lines under each thumbnail. @default the most any cell has */
  captionLines?: number;
  /** @default [32, 32, 36] */
  background?: readonly [number, number, number];
  /** @default [236, 236, 236] */
  textColor?: readonly [number, number, number];
}

/** Font pixel size of captions; a line too long for it is drawn at size 1, then truncated. */
const CAPTION_SCALE = 2;

/**
 * Lays stage images out side by side, one row per chain (variation), each scaled into a square
 * thumbnail box with its caption drawn underneath in the built-in 5×7 font.
 *
 * ```
 * ┌──────┐ ┌──────┐ ┌──────┐
 * │ base │ │refine│ │upscal│   ← thumbnails fitted into thumbnail×thumbnail, centred
 * └──────┘ └──────┘ └──────┘
 *  base     refined  upscaled  ← caption lines
 *  1.2s     0.8s     3.4s
 * ```
 */
export function renderContactSheet(rows: readonly (readonly ContactSheetCell[])[], options: ContactSheetOptions = {}): RgbCanvas {
  const box = options.thumbnail ?? 192;
  const pad = options.padding ?? 12;
  const background = options.background ?? [32, 32, 36];
  const ink = options.textColor ?? [236, 236, 236];
  const lines = options.captionLines ?? Math.max(0, ...rows.flatMap((r) => r.map((c) => c.caption.length)));
  const columns = Math.max(1, ...rows.map((r) => r.length));
  const lineHeight = CELL_HEIGHT * CAPTION_SCALE;
  const cellHeight = box + (lines > 0 ? pad / 2 + lines * lineHeight : 0);
  const width = pad + columns * (box + pad);
  const height = pad + Math.max(1, rows.length) * (cellHeight + pad);
  const canvas: RgbCanvas = { width, height, data: new Uint8Array(width * height * 3) };
  fillRect(canvas, 0, 0, width, height, background);

  rows.forEach((row, r) => {
    row.forEach((cell, c) => {
      const left = pad + c * (box + pad);
      const top = pad + r * (cellHeight + pad);
      const size = fitInBox(cell.image.width, cell.image.height, box);
      const thumb = resizeRaster({ ...cell.image, channels: 3 }, size.width, size.height, 'box');
      blit(canvas, thumb, left + Math.floor((box - size.width) / 2), top + Math.floor((box - size.height) / 2));
      cell.caption.slice(0, lines).forEach((text, i) => {
        const { line, scale } = fitCaption(text, box);
        const y = top + box + pad / 2 + i * lineHeight + Math.floor((lineHeight - CELL_HEIGHT * scale) / 2);
        drawText(canvas, line, left, y, ink, scale);
      });
    });
  });
  return canvas;
}

/** {@link renderContactSheet} encoded as an 8-bit RGB PNG. */
export function contactSheetPng(rows: readonly (readonly ContactSheetCell[])[], options: ContactSheetOptions = {}): Uint8Array {
  const sheet = renderContactSheet(rows, options);
  return encodePng({ ...sheet, channels: 3 });
}

function fitCaption(text: string, width: number): { line: string; scale: number } {
  if (textWidth(text, CAPTION_SCALE) <= width) return { line: text, scale: CAPTION_SCALE };
  if (textWidth(text, 1) <= width) return { line: text, scale: 1 };
  const max = Math.floor((width + 1) / CELL_WIDTH);
  return { line: `${[...text].slice(0, Math.max(0, max - 2)).join('')}..`, scale: 1 };
}

function blit(canvas: RgbCanvas, image: RgbCanvas, x: number, y: number): void {
  for (let row = 0; row < image.height; row++) {
    const ty = y + row;
    if (ty < 0 || ty >= canvas.height) continue;
    const from = row * image.width * 3;
    const x0 = Math.max(0, -x);
    const x1 = Math.min(image.width, canvas.width - x);
    if (x1 <= x0) continue;
    canvas.data.set(image.data.subarray(from + x0 * 3, from + x1 * 3), (ty * canvas.width + x + x0) * 3);
  }
}
