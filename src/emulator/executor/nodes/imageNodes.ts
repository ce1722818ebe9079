import { InvocationError, valueError } from '../../errors/InvocationError.js';
import { createRng } from '../hash.js';
import type { NodeContext, NodeImplementation } from '../nodeContext.js';
import { blurImage, blurRaster, unsharpMask } from '../raster/blur.js';
import { cannyEdges } from '../raster/canny.js';
import { adjustHue } from '../raster/hue.js';
import { infillColor, infillTile } from '../raster/infill.js';
import { inverseLerpRaster, lerpRaster } from '../raster/lerp.js';
import { combineMasks, invertRaster, maskFromAlpha } from '../raster/mask.js';
import { multiplyRasters } from '../raster/multiply.js';
import { cropRaster, padCropRaster, pasteImages, pasteInto } from '../raster/paste.js';
import { clampByte, convertRaster, createRaster, extractChannel, modeOf, type RasterMode } from '../raster/raster.js';
import { resizeRaster, type ResampleMode } from '../../../image/index.js';
import type { Raster } from '../types.js';

type Color = { r: number; g: number; b: number; a: number };

const img = (ctx: NodeContext, field = 'image') => ctx.loadImage(ctx.input(field));

/** Loads, transforms and saves: the shape of most image nodes. */
const transform =
  (fn: (ctx: NodeContext, image: Raster) => Raster, category: 'general' | 'mask' = 'general'): NodeImplementation =>
  (ctx) =>
    ctx.saveImage(fn(ctx, img(ctx)), category);

/** Passes the input through unchanged (no new image), as the infill nodes do for non-RGBA input. */
const passThrough = (ctx: NodeContext, image: Raster) => ({ image: ctx.input('image'), width: image.width, height: image.height });

const CHANNEL_INDEX: Record<string, number> = { R: 0, G: 1, B: 2, A: 3 };

function channelOp(ctx: NodeContext, image: Raster, op: (v: number) => number): Raster {
  const channel = ctx.input<string>('channel');
  const rgba = convertRaster(image, 'RGBA');
  const idx = ['Red (RGBA)', 'Green (RGBA)', 'Blue (RGBA)', 'Alpha (RGBA)'].indexOf(channel);
  const out = rgba.data.slice();
  const n = rgba.width * rgba.height;
  if (idx >= 0) {
    for (let i = 0; i < n; i++) out[i * 4 + idx] = clampByte(op(out[i * 4 + idx]!));
  } else {
    // Non-RGBA colour spaces are approximated on luminosity: every colour channel moves together.
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[i * 4 + c] = clampByte(op(out[i * 4 + c]!));
  }
  return { ...rgba, data: out };
}

function bboxOf(mask: Raster, test: (v: number) => boolean): { x_min: number; y_min: number; x_max: number; y_max: number } | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++)
    for (let x = 0; x < mask.width; x++)
      if (test(mask.data[(y * mask.width + x) * mask.channels]!)) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
  return x1 < 0 ? null : { x_min: x0, y_min: y0, x_max: x1 + 1, y_max: y1 + 1 };
}

function applyMask(image: Raster, mask: Raster, invert: boolean): Raster {
  const rgba = convertRaster(image, 'RGBA');
  const m = convertRaster(mask, 'L');
  if (m.width !== rgba.width || m.height !== rgba.height) throw valueError('Mask and image must have the same size');
  const out = rgba.data.slice();
  for (let i = 0; i < rgba.width * rgba.height; i++) {
    const k = invert ? 255 - m.data[i]! : m.data[i]!;
    out[i * 4 + 3] = Math.floor((out[i * 4 + 3]! * k) / 255);
  }
  return { ...rgba, data: out };
}

function dilateMask(mask: Raster, radius: number): Raster {
  if (radius <= 0) return mask;
  const { width: w, height: h } = mask;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let dy = -radius; dy <= radius && v < 255; dy++)
        for (let dx = -radius; dx <= radius; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h) v = Math.max(v, mask.data[yy * w + xx]!);
        }
      out[y * w + x] = v;
    }
  return { width: w, height: h, channels: 1, data: out };
}

/** Image nodes of §10.2 (Image, Infill, CV, Masks): real pixel work on the stored images. */
export const IMAGE_NODES: Record<string, NodeImplementation> = {
  image: (ctx) => {
    const image = img(ctx);
    return { image: { image_name: ctx.input<{ image_name: string }>('image').image_name }, width: image.width, height: image.height };
  },
  show_image: (ctx) => passThrough(ctx, img(ctx)),
  save_image: transform((_, image) => image),
  canvas_output: transform((_, image) => image),
  img_watermark: transform((_, image) => image),
  decode_watermark: (ctx) => {
    img(ctx);
    return { value: '' };
  },
  blank_image: (ctx) => {
    const c = ctx.input<Color>('color');
    const mode = ctx.input<RasterMode>('mode');
    return ctx.saveImage(createRaster(ctx.input('width'), ctx.input('height'), mode, [c.r, c.g, c.b, c.a]));
  },
  img_crop: transform((ctx, image) => cropRaster(image, ctx.input('x'), ctx.input('y'), ctx.input('width'), ctx.input('height'))),
  img_pad_crop: transform((ctx, image) => padCropRaster(image, ctx.input('left'), ctx.input('right'), ctx.input('top'), ctx.input('bottom'))),
  img_paste: (ctx) => {
    const base = img(ctx, 'base_image');
    const image = img(ctx, 'image');
    const maskField = ctx.input('mask');
    const mask = maskField ? ctx.loadImage(maskField) : undefined;
    return ctx.saveImage(pasteImages(base, image, { x: ctx.input('x'), y: ctx.input('y'), mask, crop: ctx.input('crop') }));
  },
  tomask: transform((ctx, image) => maskFromAlpha(image, ctx.input('invert')), 'mask'),
  img_mul: (ctx) => ctx.saveImage(multiplyRasters(img(ctx, 'image1'), img(ctx, 'image2'))),
  img_chan: transform((ctx, image) => {
    const channel = ctx.input<string>('channel');
    const idx = CHANNEL_INDEX[channel]!;
    if (image.channels === 1 ? channel !== 'R' && channel !== 'G' && channel !== 'B' : idx >= image.channels)
      throw valueError(`The image has no channel "${channel}"`);
    return image.channels === 1 ? image : extractChannel(image, idx);
  }),
  img_conv: transform((ctx, image) => {
    const mode = ctx.input<string>('mode');
    if (mode === 'L' || mode === 'RGB' || mode === 'RGBA') return convertRaster(image, mode);
    if (mode === 'I') return convertRaster(image, 'L');
    throw new InvocationError('OSError', `cannot write mode ${mode} as PNG`);
  }),
  img_blur: transform((ctx, image) => blurImage(image, ctx.input('radius'), ctx.input('blur_type'))),
  unsharp_mask: transform((ctx, image) => unsharpMask(image, ctx.input('radius'), ctx.input('strength'))),
  unsharp_mask_oklab: transform((ctx, image) => unsharpMask(image, ctx.input('radius'), ctx.input('strength'))),
  img_resize: transform((ctx, image) => resizeRaster(image, ctx.input('width'), ctx.input('height'), ctx.input<ResampleMode>('resample_mode'))),
  img_scale: transform((ctx, image) => {
    const f = ctx.input<number>('scale_factor');
    return resizeRaster(image, Math.trunc(image.width * f), Math.trunc(image.height * f), ctx.input<ResampleMode>('resample_mode'));
  }),
  img_lerp: transform((ctx, image) => lerpRaster(image, ctx.input('min'), ctx.input('max'))),
  img_ilerp: transform((ctx, image) => inverseLerpRaster(image, ctx.input('min'), ctx.input('max'))),
  img_hue_adjust: transform((ctx, image) => adjustHue(image, ctx.input('hue'))),
  img_hue_adjust_oklch: transform((ctx, image) => adjustHue(image, ctx.input('hue'))),
  invokeai_img_hue_adjust_plus: transform((ctx, image) => adjustHue(image, ctx.input('degrees'))),
  img_channel_offset: transform((ctx, image) => channelOp(ctx, image, (v) => v + ctx.input<number>('offset'))),
  img_channel_multiply: transform((ctx, image) =>
    channelOp(ctx, image, (v) => (ctx.input<boolean>('invert_channel') ? 255 - v : v) * ctx.input<number>('scale')),
  ),
  img_noise: transform((ctx, image) => {
    const rgb = convertRaster(image, image.channels === 4 ? 'RGBA' : 'RGB');
    const rng = createRng(ctx.input('seed'));
    const amount = ctx.input<number>('amount');
    const out = rgb.data.slice();
    for (let i = 0; i < rgb.width * rgb.height; i++) {
      const shared = (rng() - 0.5) * 2;
      for (let c = 0; c < 3; c++) {
        const n = ctx.input<boolean>('noise_color') ? (rng() - 0.5) * 2 : shared;
        out[i * rgb.channels + c] = clampByte(out[i * rgb.channels + c]! + n * amount * 255);
      }
    }
    return { ...rgb, data: out };
  }),
  mask_combine: (ctx) => ctx.saveImage(combineMasks(img(ctx, 'mask1'), img(ctx, 'mask2')), 'mask'),
  mask_edge: transform((ctx, image) => {
    const edges = cannyEdges(image, ctx.input('low_threshold'), ctx.input('high_threshold'));
    const grown = dilateMask(edges, ctx.input('edge_size'));
    return invertRaster(blurRaster(grown, ctx.input('edge_blur')));
  }, 'mask'),
  expand_mask_with_fade: transform((ctx, image) => {
    const m = convertRaster(image, 'L');
    const threshold = ctx.input<number>('threshold');
    const bin: Raster = { ...m, data: Uint8Array.from(m.data, (v) => (v > threshold ? 255 : 0)) };
    const fade = ctx.input<number>('fade_size_px');
    return fade > 0 ? blurRaster(dilateMask(bin, Math.ceil(fade / 2)), fade / 4) : bin;
  }, 'mask'),
  apply_mask_to_image: (ctx) => ctx.saveImage(applyMask(img(ctx), img(ctx, 'mask'), ctx.input('invert_mask'))),
  mask_from_id: transform((ctx, image) => {
    const c = ctx.input<Color>('color');
    const rgb = convertRaster(image, 'RGB');
    const t = ctx.input<number>('threshold');
    const data = new Uint8Array(rgb.width * rgb.height);
    for (let i = 0; i < data.length; i++) {
      const d = Math.hypot(rgb.data[i * 3]! - c.r, rgb.data[i * 3 + 1]! - c.g, rgb.data[i * 3 + 2]! - c.b);
      const hit = d < t;
      data[i] = hit !== ctx.input<boolean>('invert') ? 255 : 0;
    }
    return { width: rgb.width, height: rgb.height, channels: 1, data };
  }, 'mask'),
  canvas_paste_back: (ctx) => {
    const source = convertRaster(img(ctx, 'source_image'), 'RGBA');
    const target = img(ctx, 'target_image');
    let mask = convertRaster(img(ctx, 'mask'), 'L');
    const blur = ctx.input<number>('mask_blur');
    if (blur > 0) mask = blurRaster(mask, blur);
    const out = { ...source, data: source.data.slice() };
    pasteInto(out, target, 0, 0, invertRaster(mask));
    return ctx.saveImage(out);
  },
  canvas_v2_mask_and_crop: (ctx) => {
    const generated = img(ctx, 'generated_image');
    let mask = convertRaster(img(ctx, 'mask'), 'L');
    const blur = ctx.input<number>('mask_blur');
    if (blur > 0) mask = blurRaster(mask, blur);
    const src = ctx.input('source_image');
    if (src) {
      const out = convertRaster(ctx.loadImage(src), 'RGBA');
      const copy = { ...out, data: out.data.slice() };
      pasteInto(copy, generated, 0, 0, invertRaster(mask));
      return ctx.saveImage(copy);
    }
    return ctx.saveImage(applyMask(generated, mask, true));
  },
  crop_image_to_bounding_box: transform((ctx, image) => {
    const b = ctx.input<{ x_min: number; y_min: number; x_max: number; y_max: number } | null>('bounding_box');
    if (!b) return image;
    return cropRaster(image, b.x_min, b.y_min, b.x_max - b.x_min, b.y_max - b.y_min);
  }),
  paste_image_into_bounding_box: (ctx) => {
    const source = img(ctx, 'source_image');
    const target = convertRaster(img(ctx, 'target_image'), 'RGBA');
    const b = ctx.input<{ x_min: number; y_min: number; x_max: number; y_max: number }>('bounding_box');
    const w = b.x_max - b.x_min;
    const h = b.y_max - b.y_min;
    if (source.width !== w || source.height !== h) throw valueError('Source image size must match the bounding box size');
    const out = { ...target, data: target.data.slice() };
    pasteInto(out, source, b.x_min, b.y_min);
    return ctx.saveImage(out);
  },
  get_image_mask_bounding_box: (ctx) => {
    const mask = convertRaster(img(ctx, 'mask'), 'L');
    const margin = ctx.input<number>('margin');
    const c = ctx.input<Color>('mask_color');
    const target = Math.round((c.r * 299 + c.g * 587 + c.b * 114) / 1000);
    const b = bboxOf(mask, (v) => v === target) ?? { x_min: 0, y_min: 0, x_max: 0, y_max: 0 };
    return {
      bounding_box: {
        x_min: Math.max(0, b.x_min - margin),
        y_min: Math.max(0, b.y_min - margin),
        x_max: Math.min(mask.width, b.x_max + margin),
        y_max: Math.min(mask.height, b.y_max + margin),
        score: null,
      },
    };
  },
  infill_rgba: (ctx) => {
    const image = img(ctx);
    if (image.channels !== 4) return passThrough(ctx, image);
    return ctx.saveImage(infillColor(image, ctx.input('color')));
  },
  infill_tile: (ctx) => {
    const image = img(ctx);
    if (image.channels !== 4) return passThrough(ctx, image);
    return ctx.saveImage(infillTile(image, ctx.input('tile_size'), ctx.input('seed')));
  },
  // OpenCV / PatchMatch inpainting are approximated by tile infill with a fixed seed.
  infill_cv2: (ctx) => {
    const image = img(ctx);
    if (image.channels !== 4) return passThrough(ctx, image);
    return ctx.saveImage(infillTile(image, 8, 0));
  },
  infill_patchmatch: (ctx) => {
    const image = img(ctx);
    if (image.channels !== 4) return passThrough(ctx, image);
    return ctx.saveImage(infillTile(image, 16, 0));
  },
  cv_inpaint: (ctx) => {
    const image = convertRaster(img(ctx), 'RGBA');
    const mask = convertRaster(img(ctx, 'mask'), 'L');
    const holed = { ...image, data: image.data.slice() };
    for (let i = 0; i < mask.data.length; i++) if (mask.data[i]! > 127) holed.data[i * 4 + 3] = 0;
    return ctx.saveImage(convertRaster(infillTile(holed, 8, 0), 'RGB'));
  },
  canny_edge_detection: transform((ctx, image) =>
    convertRaster(cannyEdges(image, ctx.input('low_threshold'), ctx.input('high_threshold')), 'RGB'),
  ),
  color_map: transform((ctx, image) => {
    const rgb = convertRaster(image, 'RGB');
    const t = ctx.input<number>('tile_size');
    const w = Math.max(1, Math.floor(rgb.width / t));
    const h = Math.max(1, Math.floor(rgb.height / t));
    return resizeRaster(resizeRaster(rgb, w, h, 'box'), rgb.width, rgb.height, 'nearest');
  }),
  content_shuffle: transform((ctx, image) => {
    const rgb = convertRaster(image, 'RGB');
    const rng = createRng(ctx.input<number>('scale_factor') + rgb.width * 31 + rgb.height);
    const block = Math.max(1, Math.round(Math.min(rgb.width, rgb.height) / 8));
    const out = createRaster(rgb.width, rgb.height, 'RGBA');
    for (let y = 0; y < rgb.height; y += block)
      for (let x = 0; x < rgb.width; x += block) {
        const sx = Math.floor(rng() * Math.max(1, rgb.width - block));
        const sy = Math.floor(rng() * Math.max(1, rgb.height - block));
        pasteInto(out, cropRaster(rgb, sx, sy, block, block), x, y);
      }
    return convertRaster(out, 'RGB');
  }),
  image_panel_layout: (ctx) => {
    const w = Math.floor(ctx.input<number>('width') / ctx.input<number>('num_cols'));
    const h = Math.floor(ctx.input<number>('height') / ctx.input<number>('num_rows'));
    return { x_left: ctx.input<number>('panel_col_idx') * w, y_top: ctx.input<number>('panel_row_idx') * h, width: w, height: h };
  },
  color_correct: (ctx) => {
    const base = convertRaster(img(ctx, 'base_image'), 'RGBA');
    const ref = convertRaster(img(ctx, 'color_reference'), 'RGB');
    const stats = (r: Raster, ch: number, stride: number) => {
      let s = 0;
      let s2 = 0;
      const n = r.width * r.height;
      for (let i = 0; i < n; i++) {
        const v = r.data[i * stride + ch]!;
        s += v;
        s2 += v * v;
      }
      const mean = s / n;
      return { mean, std: Math.sqrt(Math.max(1e-6, s2 / n - mean * mean)) };
    };
    const out = base.data.slice();
    for (let c = 0; c < 3; c++) {
      const a = stats(base, c, 4);
      const b = stats(ref, c, 3);
      for (let i = 0; i < base.width * base.height; i++) out[i * 4 + c] = clampByte(((out[i * 4 + c]! - a.mean) / a.std) * b.std + b.mean);
    }
    const maskField = ctx.input('mask');
    if (maskField) {
      const mask = convertRaster(ctx.loadImage(maskField), 'L');
      const result = { ...base, data: out };
      const merged = { ...base, data: base.data.slice() };
      pasteInto(merged, result, 0, 0, invertRaster(mask));
      return ctx.saveImage(modeOf(img(ctx, 'base_image')) === 'RGBA' ? merged : convertRaster(merged, 'RGB'));
    }
    return ctx.saveImage({ ...base, data: out });
  },
};
