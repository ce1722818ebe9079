import type { NodeContext, NodeImplementation } from '../nodeContext.js';
import { unsharpMask } from '../raster/blur.js';
import { cropRaster } from '../raster/paste.js';
import { convertRaster, createRaster } from '../raster/raster.js';
import { resizeRaster } from '../../../image/index.js';
import type { Raster } from '../types.js';

/** Native scale of an upscaler: the record's `scale`, else `x4`/`4x` in its name, else 4. */
export function upscalerScale(name: string, recordScale?: number): number {
  if (recordScale && recordScale > 0) return recordScale;
  const m = /(?:^|[^a-z0-9])x(\d)(?!\d)|(\d)x(?:[^a-z0-9]|$)|_x(\d)/i.exec(name) ?? /x(\d)/i.exec(name);
  const n = m ? Number(m[1] ?? m[2] ?? m[3]) : NaN;
  return n > 0 ? n : 4;
}

/** Real resampling by an integer factor plus a mild sharpen (what an SR model roughly adds). */
function upscaleBy(ctx: NodeContext, image: Raster, factor: number): Promise<Raster> {
  return upscaleTo(ctx, image, image.width * factor, image.height * factor);
}

async function upscaleTo(ctx: NodeContext, image: Raster, width: number, height: number): Promise<Raster> {
  const rgb = convertRaster(image, image.channels === 4 ? 'RGBA' : 'RGB');
  await ctx.work(1);
  return unsharpMask(resizeRaster(rgb, width, height, 'lanczos'), 1, 40);
}

/** The deterministic "face" every face node finds: an upright ellipse slightly above the centre. */
export function detectFace(width: number, height: number): { cx: number; cy: number; rx: number; ry: number } {
  return { cx: width * 0.5, cy: height * 0.45, rx: Math.max(1, width * 0.18), ry: Math.max(1, height * 0.24) };
}

function insideFace(face: ReturnType<typeof detectFace>, x: number, y: number): boolean {
  const dx = (x + 0.5 - face.cx) / face.rx;
  const dy = (y + 0.5 - face.cy) / face.ry;
  return dx * dx + dy * dy <= 1;
}

/** L mask of `width×height` whose pixel (x, y) maps to image pixel (x+ox, y+oy): 0 on the face, 255 elsewhere. */
function faceMask(face: ReturnType<typeof detectFace>, width: number, height: number, ox = 0, oy = 0, invert = false): Raster {
  const mask = createRaster(width, height, 'L');
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) mask.data[y * width + x] = insideFace(face, x + ox, y + oy) !== invert ? 0 : 255;
  return mask;
}

export const UPSCALE_AND_FACE_NODES: Record<string, NodeImplementation> = {
  esrgan: async (ctx) => {
    const image = ctx.loadImage(ctx.input('image'));
    return ctx.saveImage(await upscaleBy(ctx, image, upscalerScale(ctx.input<string>('model_name'))));
  },
  spandrel_image_to_image: async (ctx) => {
    const record = ctx.model(ctx.input('image_to_image_model'));
    const image = ctx.loadImage(ctx.input('image'));
    return ctx.saveImage(await upscaleBy(ctx, image, upscalerScale(record.name, record.scale)));
  },
  spandrel_image_to_image_autoscale: async (ctx) => {
    const record = ctx.model(ctx.input('image_to_image_model'));
    const image = ctx.loadImage(ctx.input('image'));
    const native = upscalerScale(record.name, record.scale);
    const scale = ctx.input<number>('scale');
    let width = Math.trunc(image.width * scale);
    let height = Math.trunc(image.height * scale);
    if (ctx.input<boolean>('fit_to_multiple_of_8')) {
      width -= width % 8;
      height -= height % 8;
    }
    let current = image;
    // The real node runs the model until the image is at least the target size, then resizes
    // down. The model passes are simulated, so the last one goes straight to the target size:
    // same work units, same output size, and no ×native overshoot to resample (16× the pixels
    // for a ×4 model asked for ×2, which stalled the in-process server for many seconds).
    while (native > 1 && (current.width < width || current.height < height)) {
      const fits = current.width * native >= width && current.height * native >= height;
      current = fits ? await upscaleTo(ctx, current, width, height) : await upscaleBy(ctx, current, native);
    }
    if (current.width !== width || current.height !== height) current = resizeRaster(current, width, height, 'lanczos');
    return ctx.saveImage(current);
  },
  face_off: (ctx) => {
    const image = convertRaster(ctx.loadImage(ctx.input('image')), 'RGB');
    if (ctx.input<number>('face_id') > 0) {
      const saved = ctx.saveImage(image);
      const mask = ctx.saveImage(createRaster(image.width, image.height, 'L', [255]), 'mask');
      return { ...saved, mask: mask.image, x: 0, y: 0 };
    }
    const face = detectFace(image.width, image.height);
    face.cx += ctx.input<number>('x_offset');
    face.cy += ctx.input<number>('y_offset');
    const pad = ctx.input<number>('padding');
    const x0 = Math.max(0, Math.floor(face.cx - face.rx) - pad);
    const y0 = Math.max(0, Math.floor(face.cy - face.ry) - pad);
    const x1 = Math.min(image.width, Math.ceil(face.cx + face.rx) + pad);
    const y1 = Math.min(image.height, Math.ceil(face.cy + face.ry) + pad);
    const crop = convertRaster(cropRaster(image, x0, y0, x1 - x0, y1 - y0), 'RGB');
    const saved = ctx.saveImage(crop);
    const mask = ctx.saveImage(faceMask(face, crop.width, crop.height, x0, y0), 'mask');
    return { ...saved, mask: mask.image, x: x0, y: y0 };
  },
  face_mask_detection: (ctx) => {
    const image = ctx.loadImage(ctx.input('image'));
    const face = detectFace(image.width, image.height);
    face.cx += ctx.input<number>('x_offset');
    face.cy += ctx.input<number>('y_offset');
    const ids = (ctx.input<string>('face_ids') ?? '').trim();
    const wanted = ids === '' || ids.split(',').some((s) => Number(s.trim()) === 0);
    const mask = wanted ? faceMask(face, image.width, image.height, 0, 0, ctx.input('invert_mask')) : createRaster(image.width, image.height, 'L', [ctx.input('invert_mask') ? 0 : 255]);
    const saved = ctx.saveImage(image);
    const savedMask = ctx.saveImage(mask, 'mask');
    return { ...saved, mask: savedMask.image };
  },
  face_identifier: (ctx) => {
    const image = convertRaster(ctx.loadImage(ctx.input('image')), 'RGB');
    const face = detectFace(image.width, image.height);
    // Writes the face id ("0") as an inverted label box at the face centre: only face pixels change.
    const out = image.data.slice();
    const bw = Math.max(1, Math.round(face.rx * 0.5));
    const bh = Math.max(1, Math.round(face.ry * 0.35));
    for (let y = Math.floor(face.cy - bh); y < face.cy + bh; y++)
      for (let x = Math.floor(face.cx - bw); x < face.cx + bw; x++) {
        if (x < 0 || y < 0 || x >= image.width || y >= image.height || !insideFace(face, x, y)) continue;
        const ring = Math.abs(((x + 0.5 - face.cx) / bw) ** 2 + ((y + 0.5 - face.cy) / bh) ** 2 - 0.6) < 0.25;
        if (!ring) continue;
        for (let c = 0; c < 3; c++) out[(y * image.width + x) * 3 + c] = 255 - out[(y * image.width + x) * 3 + c]!;
      }
    return ctx.saveImage({ ...image, data: out });
  },
};
