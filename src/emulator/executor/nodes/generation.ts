import type { NodeSpec } from '../../../workflow/fieldTable.js';
import { InvocationError } from '../../errors/InvocationError.js';
import { digest } from '../hash.js';
import type { NodeContext, NodeImplementation, NodeOutputFields } from '../nodeContext.js';
import { proceduralImage } from '../procedural.js';
import { blurRaster } from '../raster/blur.js';
import { convertRaster } from '../raster/raster.js';
import { resizeRaster } from '../../../image/index.js';
import { tensorName, type LatentsEntry } from '../tensorStore.js';
import type { Raster } from '../types.js';

const list = <T>(v: T | T[] | null | undefined): T[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

// ---------------------------------------------------------------------------------------------
// Latents and conditioning references

/** Stores a latents entry and returns its `LatentsField`. */
export function putLatents(ctx: NodeContext, entry: Omit<LatentsEntry, 'digest'> & { digest?: string }, seed?: number) {
  const d = entry.digest ?? digest(entry.kind, entry.width, entry.height, entry.seed ?? null, entry.raster ? digest(Array.from(entry.raster.data.subarray(0, 4096)), entry.raster.data.length) : null);
  const full: LatentsEntry = { ...entry, digest: d };
  const name = tensorName('Tensor', d);
  ctx.tensors.latents.set(name, full);
  return { field: seed === undefined ? { latents_name: name } : { latents_name: name, seed }, entry: full };
}

/** The entry a `LatentsField` names; `FileNotFoundError` as `context.tensors.load` raises for unknown names. */
export function getLatents(ctx: NodeContext, field: unknown): LatentsEntry {
  const name = (field as { latents_name?: string } | null)?.latents_name;
  const entry = name ? ctx.tensors.latents.get(name) : undefined;
  if (!entry) throw new InvocationError('FileNotFoundError', `Tensor ${String(name)} not found`);
  return entry;
}

/** The picture a latents entry stands for, at its own size (noise decodes to grey-ish grain). */
export function latentsRaster(entry: LatentsEntry): Raster {
  if (entry.raster) {
    return entry.raster.width === entry.width && entry.raster.height === entry.height
      ? entry.raster
      : resizeRaster(entry.raster, entry.width, entry.height, 'bilinear');
  }
  const proc = proceduralImage(`noise:${entry.digest}`, entry.width, entry.height);
  const data = Uint8Array.from(proc.data, (v, i) => 128 + ((v - 128) >> 2) + ((i * 2654435761) >>> 28) - 8);
  return { ...proc, data };
}

function conditioningDigests(ctx: NodeContext, value: unknown): string[] {
  return list(value as unknown[]).map((c) => {
    const name = (c as { conditioning_name?: string } | null)?.conditioning_name ?? '';
    return ctx.tensors.conditioning.get(name)?.digest ?? name;
  });
}

/** What makes a conditioning: every non-model input value plus the model keys it was encoded with. */
function encodeConditioning(ctx: NodeContext): NodeOutputFields {
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx.node)) if (k !== 'id' && k !== 'is_intermediate' && k !== 'use_cache') inputs[k] = v;
  const d = digest('conditioning', inputs);
  const name = tensorName('ConditioningFieldData', d);
  const prompt = [ctx.input('prompt'), ctx.input('style')].filter((p) => typeof p === 'string' && p).join(' | ');
  ctx.tensors.conditioning.set(name, { digest: d, prompt });
  const mask = ctx.input('mask');
  return { conditioning: mask ? { conditioning_name: name, mask } : { conditioning_name: name } };
}

// ---------------------------------------------------------------------------------------------
// Denoising

function modelKeyOf(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, { key?: string } | undefined>;
  return v.unet?.key ?? v.transformer?.key ?? (v as { key?: string }).key ?? null;
}

function blendRasters(a: Raster, b: Raster, t: number, mask?: Raster): Raster {
  const out = new Uint8Array(a.data.length);
  for (let i = 0, p = 0; i < out.length; i++) {
    p = Math.floor(i / 3);
    // Denoise masks hold how much of each pixel is preserved (255 = keep, 0 = fully denoised).
    const k = mask ? (t * (255 - mask.data[p]!)) / 255 : t;
    out[i] = Math.round(a.data[i]! * (1 - k) + b.data[i]! * k);
  }
  return { ...a, data: out };
}

/**
 * Any denoiser (`denoise_latents`, `flux_denoise`, `*_meta`, SD3, CogView4, …): runs its steps
 * through `host.work`, then stores a picture determined by the whole upstream chain. With input
 * latents it blends the input picture with a new one by strength `1 − denoising_start`; with a
 * denoise mask only its dark region changes (InvokeAI: 0.0 is fully denoised, 1.0 preserved).
 */
async function denoise(ctx: NodeContext): Promise<NodeOutputFields> {
  const node = ctx.node;
  const modelField = Object.entries(node).find(([k]) => k === 'unet' || k === 'transformer')?.[1];
  const cond: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(node)) if (/conditioning/.test(k)) cond[k] = conditioningDigests(ctx, v);
  const noise = node.noise ? getLatents(ctx, node.noise) : undefined;
  const input = node.latents ? getLatents(ctx, node.latents) : undefined;
  const start = (node.denoising_start as number | undefined) ?? 0;
  const end = (node.denoising_end as number | undefined) ?? 1;
  const width = noise?.width ?? input?.width ?? (node.width as number | undefined) ?? 1024;
  const height = noise?.height ?? input?.height ?? (node.height as number | undefined) ?? 1024;
  const seed = noise?.seed ?? (node.seed as number | undefined) ?? 0;
  const steps = (node.steps as number | undefined) ?? (node.num_steps as number | undefined) ?? 10;
  const run = Math.max(1, Math.round(steps * Math.max(0, end - start)));
  const images = Object.entries(node)
    .filter(([k]) => /control|ip_adapter|t2i_adapter|kontext|redux|fill/.test(k))
    .map(([k, v]) => [k, v]);
  const key = digest(ctx.type, modelKeyOf(modelField), cond, noise?.digest ?? null, seed, width, height, steps, node.cfg_scale ?? null,
    node.scheduler ?? null, node.guidance ?? null, node.cfg_rescale_multiplier ?? null, start, end, input?.digest ?? null, images);
  const fresh = proceduralImage(key, width, height);
  let result = fresh;
  let mask: Raster | undefined;
  const denoiseMask = node.denoise_mask as { mask_name?: string } | undefined;
  if (denoiseMask?.mask_name) {
    const m = ctx.tensors.masks.get(denoiseMask.mask_name);
    if (!m) throw new InvocationError('FileNotFoundError', `Tensor ${denoiseMask.mask_name} not found`);
    mask = m.raster.width === width && m.raster.height === height ? m.raster : resizeRaster(m.raster, width, height, 'bilinear');
  }
  if (input) {
    const base = convertRaster(latentsRaster(input), 'RGB');
    const baseSized = base.width === width && base.height === height ? base : resizeRaster(base, width, height, 'bilinear');
    result = blendRasters(baseSized, fresh, Math.min(1, Math.max(0, 1 - start)), mask);
  } else if (mask && noise) {
    result = blendRasters(convertRaster(latentsRaster(noise), 'RGB'), fresh, 1, mask);
  }
  // Previews go from the start picture (or flat grey) to the result at a small size.
  let previewFrom: Raster | undefined;
  let previewTo: Raster | undefined;
  if (ctx.host.progressImages) {
    const pw = Math.max(1, Math.round(width / 8));
    const ph = Math.max(1, Math.round(height / 8));
    previewTo = resizeRaster(result, pw, ph, 'box');
    previewFrom = input
      ? resizeRaster(convertRaster(latentsRaster(input), 'RGB'), pw, ph, 'box')
      : { ...previewTo, data: new Uint8Array(previewTo.data.length).fill(128) };
  }
  for (let i = 1; i <= run; i++) {
    ctx.host.checkCanceled();
    await ctx.work(1);
    const preview = previewFrom && previewTo ? blendRasters(previewFrom, previewTo, i / run) : undefined;
    ctx.progress(`Denoising step ${i}/${run}`, i / run, preview);
  }
  const { field } = putLatents(ctx, { kind: 'image', width, height, raster: result, digest: digest('latents', key, mask ? digest(Array.from(mask.data)) : null) });
  const out: NodeOutputFields = { latents: field, width, height };
  if (ctx.spec?.out === 'LatentsMetaOutput') {
    const md = { ...((node.metadata as Record<string, unknown> | undefined) ?? {}) };
    Object.assign(md, { width, height, seed, cfg_scale: node.cfg_scale, steps });
    if (node.scheduler !== undefined) md.scheduler = node.scheduler;
    const model = (modelField as { unet?: unknown; transformer?: unknown } | undefined)?.unet ?? (modelField as { transformer?: unknown } | undefined)?.transformer;
    if (model) md.model = model;
    for (const k of ['guidance', 'denoising_start', 'denoising_end', 'cfg_scale_start_step', 'cfg_scale_end_step']) if (node[k] !== undefined) md[k] = node[k];
    out.metadata = md;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// VAE encode / decode

async function decode(ctx: NodeContext): Promise<NodeOutputFields> {
  const entry = getLatents(ctx, ctx.input('latents'));
  await ctx.work(1);
  return ctx.saveImage(convertRaster(latentsRaster(entry), 'RGB'));
}

async function encode(ctx: NodeContext): Promise<NodeOutputFields> {
  const image = convertRaster(ctx.loadImage(ctx.input('image')), 'RGB');
  await ctx.work(1);
  // The VAE works on an 8-pixel grid: the image is cut down to multiples of 8.
  const width = Math.max(8, image.width - (image.width % 8));
  const height = Math.max(8, image.height - (image.height % 8));
  const sized = width === image.width && height === image.height ? image : resizeRaster(image, width, height, 'bilinear');
  const { field } = putLatents(ctx, { kind: 'image', width, height, raster: sized });
  return { latents: field, width, height };
}

// ---------------------------------------------------------------------------------------------
// Masks for denoising

function putMask(ctx: NodeContext, raster: Raster, extra: unknown = null): string {
  const d = digest('mask', raster.width, raster.height, digest(Array.from(raster.data)), extra);
  const name = tensorName('Tensor', d);
  ctx.tensors.masks.set(name, { digest: d, raster });
  return name;
}

function maskTensor(ctx: NodeContext, field: unknown): Raster {
  const name = (field as { tensor_name?: string } | null)?.tensor_name ?? '';
  const m = ctx.tensors.masks.get(name);
  if (!m) throw new InvocationError('FileNotFoundError', `Tensor ${name} not found`);
  return m.raster;
}

/**
 * The mask image is used as is: InvokeAI's denoise masks are "preserve" maps, black (0) is
 * regenerated and white (255) kept (`GradientMaskOutput.denoise_mask`).
 */
const createDenoiseMask: NodeImplementation = (ctx) => {
  const mask = convertRaster(ctx.loadImage(ctx.input('mask')), 'L');
  return { denoise_mask: { mask_name: putMask(ctx, mask), masked_latents_name: null, gradient: false } };
};

/**
 * InvokeAI's gradient mask: the blurred mask is remapped so the original edge stays fully
 * denoised and the blur fades out to preserved; partly preserved values above `1 −
 * minimum_denoise` drop to it ("Staged": every partial value does). `expanded_mask_area` is 0
 * wherever anything is denoised, 255 where everything is kept (for paste-back).
 */
const createGradientMask: NodeImplementation = (ctx) => {
  const mask = convertRaster(ctx.loadImage(ctx.input('mask')), 'L');
  const radius = ctx.input<number>('edge_radius');
  const mode = ctx.input<string>('coherence_mode');
  const preserve = new Float64Array(mask.data.length);
  if (radius > 0) {
    const blurred = blurRaster(mask, mode === 'Box Blur' ? radius : radius / 2, mode === 'Box Blur' ? 'box' : 'gaussian');
    const threshold = 1 - ctx.input<number>('minimum_denoise');
    for (let i = 0; i < preserve.length; i++) {
      const t = Math.max(0, (blurred.data[i]! / 255 - 0.5) * 2);
      const partial = t > 0 && t < 1;
      preserve[i] = partial && (mode === 'Staged' || t > threshold) ? threshold : t;
    }
  } else {
    for (let i = 0; i < preserve.length; i++) preserve[i] = mask.data[i]! / 255;
  }
  const gradient: Raster = { ...mask, data: Uint8Array.from(preserve, (t) => Math.round(t * 255)) };
  const expandedArea: Raster = { ...mask, data: Uint8Array.from(preserve, (t) => (t < 1 ? 0 : 255)) };
  const expanded = ctx.saveImage(expandedArea, 'general');
  return { denoise_mask: { mask_name: putMask(ctx, gradient, 'gradient'), masked_latents_name: null, gradient: true }, expanded_mask_area: expanded.image };
};

// ---------------------------------------------------------------------------------------------
// Latents and tensor-mask utilities

const scaleLatents = (ctx: NodeContext, width: number, height: number) => {
  const entry = getLatents(ctx, ctx.input('latents'));
  const raster = resizeRaster(convertRaster(latentsRaster(entry), 'RGB'), width, height, 'bilinear');
  const { field } = putLatents(ctx, { kind: 'image', width, height, raster });
  return { latents: field, width, height };
};

export const LATENT_NODES: Record<string, NodeImplementation> = {
  noise: (ctx) => {
    const seed = ctx.input<number>('seed');
    const width = ctx.input<number>('width');
    const height = ctx.input<number>('height');
    const { field } = putLatents(ctx, { kind: 'noise', width, height, seed, digest: digest('noise', ctx.input('noise_type'), seed, width, height) }, seed);
    return { noise: field, width, height };
  },
  latents: (ctx) => {
    const entry = getLatents(ctx, ctx.input('latents'));
    return { latents: ctx.input('latents'), width: entry.width, height: entry.height };
  },
  lscale: (ctx) => {
    const entry = getLatents(ctx, ctx.input('latents'));
    const f = ctx.input<number>('scale_factor');
    return scaleLatents(ctx, Math.max(8, Math.trunc((entry.width / 8) * f) * 8), Math.max(8, Math.trunc((entry.height / 8) * f) * 8));
  },
  lresize: (ctx) => scaleLatents(ctx, ctx.input('width'), ctx.input('height')),
  crop_latents: (ctx) => {
    const entry = getLatents(ctx, ctx.input('latents'));
    const src = convertRaster(latentsRaster(entry), 'RGB');
    const x = ctx.input<number>('x');
    const y = ctx.input<number>('y');
    const width = Math.min(ctx.input<number>('width'), src.width - x);
    const height = Math.min(ctx.input<number>('height'), src.height - y);
    const data = new Uint8Array(width * height * 3);
    for (let yy = 0; yy < height; yy++) data.set(src.data.subarray(((y + yy) * src.width + x) * 3, ((y + yy) * src.width + x + width) * 3), yy * width * 3);
    const { field } = putLatents(ctx, { kind: 'image', width, height, raster: { width, height, channels: 3, data } });
    return { latents: field, width, height };
  },
  lblend: (ctx) => {
    const a = getLatents(ctx, ctx.input('latents_a'));
    const b = getLatents(ctx, ctx.input('latents_b'));
    if (a.width !== b.width || a.height !== b.height) throw new InvocationError('ValueError', 'Latents to blend must be the same size.');
    const alpha = ctx.input<number>('alpha');
    const raster = blendRasters(convertRaster(latentsRaster(a), 'RGB'), convertRaster(latentsRaster(b), 'RGB'), Math.min(1, alpha));
    const { field } = putLatents(ctx, { kind: 'image', width: a.width, height: a.height, raster });
    return { latents: field, width: a.width, height: a.height };
  },
  create_denoise_mask: createDenoiseMask,
  create_gradient_mask: createGradientMask,
  rectangle_mask: (ctx) => {
    const width = ctx.input<number>('width');
    const height = ctx.input<number>('height');
    const data = new Uint8Array(width * height);
    const x0 = ctx.input<number>('x_left');
    const y0 = ctx.input<number>('y_top');
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + ctx.input<number>('rectangle_height')); y++)
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + ctx.input<number>('rectangle_width')); x++) data[y * width + x] = 255;
    return { mask: { tensor_name: putMask(ctx, { width, height, channels: 1, data }) }, width, height };
  },
  alpha_mask_to_tensor: (ctx) => {
    const image = ctx.loadImage(ctx.input('image'));
    const alpha = convertRaster(image, 'RGBA');
    const inv = ctx.input<boolean>('invert');
    const data = Uint8Array.from({ length: alpha.width * alpha.height }, (_, i) => ((alpha.data[i * 4 + 3]! > 127) !== inv ? 255 : 0));
    return { mask: { tensor_name: putMask(ctx, { width: alpha.width, height: alpha.height, channels: 1, data }) }, width: alpha.width, height: alpha.height };
  },
  image_mask_to_tensor: (ctx) => {
    const m = convertRaster(ctx.loadImage(ctx.input('image')), 'L');
    const cutoff = ctx.input<number>('cutoff');
    const inv = ctx.input<boolean>('invert');
    const data = Uint8Array.from(m.data, (v) => ((v > cutoff) !== inv ? 255 : 0));
    return { mask: { tensor_name: putMask(ctx, { ...m, data }) }, width: m.width, height: m.height };
  },
  invert_tensor_mask: (ctx) => {
    const m = maskTensor(ctx, ctx.input('mask'));
    return { mask: { tensor_name: putMask(ctx, { ...m, data: Uint8Array.from(m.data, (v) => 255 - v) }) }, width: m.width, height: m.height };
  },
  tensor_mask_to_image: (ctx) => ctx.saveImage(maskTensor(ctx, ctx.input('mask'))),
  apply_tensor_mask_to_image: (ctx) => {
    const m = maskTensor(ctx, ctx.input('mask'));
    const image = convertRaster(ctx.loadImage(ctx.input('image')), 'RGBA');
    const inv = ctx.input<boolean>('invert');
    const out = image.data.slice();
    for (let i = 0; i < image.width * image.height; i++) {
      const keep = (m.data[i] ?? 0) > 127 !== inv;
      if (!keep) out[i * 4 + 3] = 0;
    }
    return ctx.saveImage({ ...image, data: out });
  },
};

// ---------------------------------------------------------------------------------------------
// Classification of weight nodes by their schema

const hasConditioningInput = (spec: NodeSpec) => Object.entries(spec.f).some(([k, f]) => /conditioning/.test(k) && f.k === 'json');

/** The simulated implementation for a weight node, judged from its schema; undefined when none fits. */
export function generationImplementation(type: string, spec: NodeSpec, outputFields: Record<string, string>): NodeImplementation | undefined {
  const out = spec.out ?? '';
  if ((out === 'LatentsOutput' || out === 'LatentsMetaOutput') && hasConditioningInput(spec)) return denoise;
  if (out === 'ImageOutput' && spec.f.latents?.ref === 'LatentsField' && !hasConditioningInput(spec)) return decode;
  if (out === 'LatentsOutput' && spec.f.image?.k === 'image' && !hasConditioningInput(spec) && !spec.f.latents) return encode;
  const condField = outputFields.conditioning;
  if (condField && /ConditioningField$/.test(condField) && Object.keys(outputFields).length === 1) return encodeConditioning;
  void type;
  return undefined;
}
