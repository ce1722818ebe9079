/**
 * Authors the workflows in `data/workflows/`: InvokeAI editor exports (workflow schema 4.0.0, with
 * builder forms) made only of InvokeAI 6.14 node types, so they load in the editor and run on a
 * real server that has the named models installed.
 *
 *   npx tsx scripts/authorWorkflows.ts          # rewrite data/workflows/*.json
 *   npx tsx scripts/authorWorkflows.ts --check  # exit 1 when a committed file differs
 *
 * Node versions, input lists (in schema order) and defaults come from the bundled field table, so a
 * regenerated table keeps the exports current. Ids come from a PRNG seeded with the file name: the
 * output is byte-for-byte reproducible, and ids still look like the editor's (uuid v4 node ids,
 * `<type>-<10 chars>` form element ids).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_FIELD_TABLE, type FieldTableData } from '../src/workflow/fieldTable.js';
import { createRng } from '../src/emulator/executor/hash.js';

// ---------------------------------------------------------------------------------------------
// Models (ModelIdentifierField). Keys and hashes are install-specific, so these are illustrative
// values of the real shape (the Juggernaut record is the one in the recorded py-client export); the
// library re-syncs models by name/base/type against the target server before running.

export interface ModelIdentifier {
  key: string;
  hash: string;
  name: string;
  base: string;
  type: string;
}

export const MODELS = {
  juggernautXL: {
    key: '914b2e5a-b8d3-4da1-965f-b3775bbc5745',
    hash: 'blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74',
    name: 'juggernautXL_v9Rundiffusionphoto2',
    base: 'sdxl',
    type: 'main',
  },
  sdxlRefiner: {
    key: '3c7c4a2e-58f1-4d0b-9a47-1e2f6b8d90a3',
    hash: 'blake3:5f0d8e2b9c4a7163e8d2f0b1a9c6e4d3b2a1908f7e6d5c4b3a29180f7e6d5c4b',
    name: 'stable-diffusion-xl-refiner-1.0',
    base: 'sdxl-refiner',
    type: 'main',
  },
  sd15: {
    key: '6b9e1f04-2d7a-4c38-b5e1-8f3a0c2d7e69',
    hash: 'blake3:a3e1c7f9b2d4068e5c1a9f3b7d2e6c0a4f8b1d5e9c3a7f2b6d0e4c8a1f5b9d3e',
    name: 'stable-diffusion-v1-5',
    base: 'sd-1',
    type: 'main',
  },
  realEsrganX4: {
    key: 'e2a48c1d-7f35-4b96-8d0e-3c5b7a9f1e24',
    hash: 'blake3:8d4f2a6c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f',
    name: 'RealESRGAN_x4plus',
    base: 'any',
    type: 'spandrel_image_to_image',
  },
} as const satisfies Record<string, ModelIdentifier>;

// ---------------------------------------------------------------------------------------------
// A small description language for one workflow.

interface NodeDef {
  type: string;
  /** Node title in the editor (`""` = the invocation's title). */
  label?: string;
  at: [x: number, y: number];
  values?: Record<string, unknown>;
  /** Input labels: what the form (and `invokeai-rx inputs`) shows for that field. */
  labels?: Record<string, string>;
  /** The image the workflow delivers: saved to the gallery, never cached. */
  output?: boolean;
}

type Edge = [source: string, sourceHandle: string, target: string, targetHandle: string];

type Settings =
  | { type: 'string-field-config'; component: 'input' | 'textarea' }
  | {
      type: 'integer-field-config' | 'float-field-config';
      showShuffle: boolean;
      component: 'number-input' | 'slider' | 'number-input-and-slider';
      min?: number;
      max?: number;
    };

type FormItem =
  | { field: [node: string, fieldName: string]; settings?: Settings }
  | { heading: string }
  | { text: string }
  | { divider: true }
  | { row: FormItem[] }
  | { column: FormItem[] };

interface WorkflowDef {
  file: string;
  name: string;
  description: string;
  tags: string;
  notes: string;
  nodes: Record<string, NodeDef>;
  edges: Edge[];
  form: FormItem[];
}

const textarea: Settings = { type: 'string-field-config', component: 'textarea' };
const int = (extra: { showShuffle?: boolean; min?: number; max?: number } = {}): Settings => ({
  type: 'integer-field-config',
  showShuffle: extra.showShuffle ?? false,
  component: 'number-input',
  ...(extra.min !== undefined ? { min: extra.min } : {}),
  ...(extra.max !== undefined ? { max: extra.max } : {}),
});
const float = (extra: { min?: number; max?: number; slider?: boolean } = {}): Settings => ({
  type: 'float-field-config',
  showShuffle: false,
  component: extra.slider ? 'number-input-and-slider' : 'number-input',
  ...(extra.min !== undefined ? { min: extra.min } : {}),
  ...(extra.max !== undefined ? { max: extra.max } : {}),
});
const field = (node: string, fieldName: string, settings?: Settings): FormItem =>
  settings ? { field: [node, fieldName], settings } : { field: [node, fieldName] };

const SCHEDULER = 'dpmpp_2m_sde_k';

// ---------------------------------------------------------------------------------------------
// The workflows.

const sdxlBase: WorkflowDef = {
  file: 'sdxl_base.json',
  name: 'SDXL Text to Image',
  description:
    'Text to image with an SDXL main model, modelled on the InvokeAI default workflow "Text to Image - SDXL". ' +
    'The positive and negative prompts also drive the SDXL style prompts; the seed is set on the noise node.',
  tags: 'SDXL, text to image',
  notes: `Required model: ${MODELS.juggernautXL.name} (SDXL main). Any SDXL main model can be chosen in the form.`,
  nodes: {
    positive: {
      type: 'string',
      label: 'Positive Prompt',
      at: [0, -400],
      values: {
        value:
          'a red fox standing in a snowy birch forest at golden hour, soft rim light, highly detailed fur, 85mm photograph',
      },
      labels: { value: 'Positive Prompt' },
    },
    negative: {
      type: 'string',
      label: 'Negative Prompt',
      at: [0, -100],
      values: { value: 'blurry, lowres, jpeg artifacts, watermark, text, deformed' },
      labels: { value: 'Negative Prompt' },
    },
    model: { type: 'sdxl_model_loader', at: [375, -650], values: { model: MODELS.juggernautXL }, labels: { model: 'Model' } },
    noise: {
      type: 'noise',
      at: [375, 100],
      values: { seed: 1234567890, width: 1024, height: 1024, use_cpu: true },
      labels: { seed: 'Seed', width: 'Width', height: 'Height' },
    },
    posCond: { type: 'sdxl_compel_prompt', label: 'SDXL Positive Compel Prompt', at: [750, -650] },
    negCond: { type: 'sdxl_compel_prompt', label: 'SDXL Negative Compel Prompt', at: [750, -150] },
    denoise: {
      type: 'denoise_latents',
      at: [1125, -650],
      values: { steps: 30, cfg_scale: 7.5, denoising_start: 0, denoising_end: 1, scheduler: SCHEDULER },
      labels: { steps: 'Steps', cfg_scale: 'CFG Scale' },
    },
    output: {
      type: 'l2i',
      at: [1500, -650],
      values: { board: 'auto', fp32: true },
      labels: { board: 'Board' },
      output: true,
    },
  },
  edges: [
    ['model', 'unet', 'denoise', 'unet'],
    ['model', 'clip', 'posCond', 'clip'],
    ['model', 'clip2', 'posCond', 'clip2'],
    ['model', 'clip', 'negCond', 'clip'],
    ['model', 'clip2', 'negCond', 'clip2'],
    ['model', 'vae', 'output', 'vae'],
    ['positive', 'value', 'posCond', 'prompt'],
    ['positive', 'value', 'posCond', 'style'],
    ['negative', 'value', 'negCond', 'prompt'],
    ['negative', 'value', 'negCond', 'style'],
    ['noise', 'width', 'posCond', 'original_width'],
    ['noise', 'height', 'posCond', 'original_height'],
    ['noise', 'width', 'posCond', 'target_width'],
    ['noise', 'height', 'posCond', 'target_height'],
    ['noise', 'width', 'negCond', 'original_width'],
    ['noise', 'height', 'negCond', 'original_height'],
    ['noise', 'width', 'negCond', 'target_width'],
    ['noise', 'height', 'negCond', 'target_height'],
    ['posCond', 'conditioning', 'denoise', 'positive_conditioning'],
    ['negCond', 'conditioning', 'denoise', 'negative_conditioning'],
    ['noise', 'noise', 'denoise', 'noise'],
    ['denoise', 'latents', 'output', 'latents'],
  ],
  form: [
    { heading: 'Prompts' },
    field('positive', 'value', textarea),
    field('negative', 'value', textarea),
    { divider: true },
    { heading: 'Generation' },
    { row: [field('noise', 'seed', int({ showShuffle: true })), field('denoise', 'steps', int()), field('denoise', 'cfg_scale', float())] },
    { row: [field('noise', 'width', int()), field('noise', 'height', int())] },
    { divider: true },
    field('output', 'board'),
    field('model', 'model'),
  ],
};

const sdxlRefiner: WorkflowDef = {
  file: 'sdxl_refiner.json',
  name: 'SDXL Refiner Image to Image',
  description:
    'Refines an existing image with the SDXL refiner (image to image). Strength is the share of the schedule that is ' +
    're-denoised: denoising_start = 1 - strength.',
  tags: 'SDXL, refiner, image to image',
  notes: `Required model: ${MODELS.sdxlRefiner.name} (SDXL refiner main). The refiner's own VAE encodes and decodes the image.`,
  nodes: {
    image: { type: 'image', label: 'Image', at: [0, 0], labels: { image: 'Image' } },
    positive: {
      type: 'string',
      label: 'Positive Prompt',
      at: [0, -450],
      values: { value: 'highly detailed, sharp focus, intricate texture, professional photograph' },
      labels: { value: 'Positive Prompt' },
    },
    negative: {
      type: 'string',
      label: 'Negative Prompt',
      at: [0, -200],
      values: { value: 'blurry, lowres, noise, jpeg artifacts, oversaturated' },
      labels: { value: 'Negative Prompt' },
    },
    model: { type: 'sdxl_refiner_model_loader', at: [375, -650], values: { model: MODELS.sdxlRefiner } },
    posCond: {
      type: 'sdxl_refiner_compel_prompt',
      label: 'Refiner Positive Prompt',
      at: [750, -650],
      values: { aesthetic_score: 6 },
    },
    negCond: {
      type: 'sdxl_refiner_compel_prompt',
      label: 'Refiner Negative Prompt',
      at: [750, -300],
      values: { aesthetic_score: 2.5 },
    },
    i2l: { type: 'i2l', at: [375, 50], values: { fp32: true } },
    seed: { type: 'rand_int', label: 'Random Seed', at: [375, 300] },
    noise: { type: 'noise', at: [750, 100], values: { use_cpu: true } },
    strength: {
      type: 'float_math',
      label: 'Strength',
      at: [750, 350],
      values: { operation: 'SUB', a: 1, b: 0.3 },
      labels: { b: 'Strength' },
    },
    denoise: {
      type: 'denoise_latents',
      at: [1125, -650],
      values: { steps: 30, cfg_scale: 5, denoising_end: 1, scheduler: SCHEDULER },
      labels: { steps: 'Steps', cfg_scale: 'CFG Scale' },
    },
    output: { type: 'l2i', at: [1500, -650], values: { board: 'auto', fp32: true }, labels: { board: 'Board' }, output: true },
  },
  edges: [
    ['model', 'unet', 'denoise', 'unet'],
    ['model', 'clip2', 'posCond', 'clip2'],
    ['model', 'clip2', 'negCond', 'clip2'],
    ['model', 'vae', 'i2l', 'vae'],
    ['model', 'vae', 'output', 'vae'],
    ['positive', 'value', 'posCond', 'style'],
    ['negative', 'value', 'negCond', 'style'],
    ['image', 'width', 'posCond', 'original_width'],
    ['image', 'height', 'posCond', 'original_height'],
    ['image', 'width', 'negCond', 'original_width'],
    ['image', 'height', 'negCond', 'original_height'],
    ['image', 'image', 'i2l', 'image'],
    ['i2l', 'width', 'noise', 'width'],
    ['i2l', 'height', 'noise', 'height'],
    ['seed', 'value', 'noise', 'seed'],
    ['posCond', 'conditioning', 'denoise', 'positive_conditioning'],
    ['negCond', 'conditioning', 'denoise', 'negative_conditioning'],
    ['noise', 'noise', 'denoise', 'noise'],
    ['i2l', 'latents', 'denoise', 'latents'],
    ['strength', 'value', 'denoise', 'denoising_start'],
    ['denoise', 'latents', 'output', 'latents'],
  ],
  form: [
    field('image', 'image'),
    { heading: 'Prompts' },
    field('positive', 'value', textarea),
    field('negative', 'value', textarea),
    { divider: true },
    {
      row: [
        field('denoise', 'steps', int()),
        field('strength', 'b', float({ min: 0, max: 1, slider: true })),
        field('denoise', 'cfg_scale', float()),
      ],
    },
    field('output', 'board'),
  ],
};

const esrganUpscale: WorkflowDef = {
  file: 'esrgan_upscale.json',
  name: 'ESRGAN Upscale',
  description:
    'Upscales an image with a Spandrel image-to-image model (Real-ESRGAN x4 by default) to an arbitrary scale factor.',
  tags: 'upscaling, esrgan, spandrel',
  notes: `Required model: ${MODELS.realEsrganX4.name} (Spandrel image-to-image). Any Spandrel upscaler can be chosen in the form.`,
  nodes: {
    image: { type: 'image', label: 'Image', at: [0, 0], labels: { image: 'Image' } },
    upscale: {
      type: 'spandrel_image_to_image_autoscale',
      at: [375, 0],
      values: { board: 'auto', image_to_image_model: MODELS.realEsrganX4, tile_size: 512, scale: 2, fit_to_multiple_of_8: false },
      labels: { board: 'Board', image_to_image_model: 'Upscaler Model', scale: 'Scale' },
      output: true,
    },
  },
  edges: [['image', 'image', 'upscale', 'image']],
  form: [
    field('image', 'image'),
    { row: [field('upscale', 'scale', float({ min: 1, max: 16 })), field('upscale', 'image_to_image_model')] },
    {
      text:
        "The model runs as often as its native factor needs to reach the scale, then the result is resized to exactly the requested scale.",
    },
    { divider: true },
    field('upscale', 'board'),
  ],
};

const faceRestore: WorkflowDef = {
  file: 'face_restore.json',
  name: 'Face Restore - SD1.5',
  description:
    'Finds the first face with FaceOff, re-denoises the face crop with an SD1.5 model and pastes it back through a ' +
    'softened face mask. Modelled on the InvokeAI default "Face Detailer" workflow without its IP-Adapter and ControlNet branches.',
  tags: 'sd1.5, face, detail',
  notes:
    `Required model: ${MODELS.sd15.name} (SD1.5 main); a realistic SD1.5 checkpoint gives the best faces. ` +
    'Only face 0 (the most confident detection) is restored.',
  nodes: {
    image: { type: 'image', label: 'Image', at: [0, 0], labels: { image: 'Image' } },
    model: { type: 'main_model_loader', at: [0, -500], values: { model: MODELS.sd15 }, labels: { model: 'Face Model' } },
    posCond: {
      type: 'compel',
      label: 'Positive Prompt',
      at: [500, -550],
      values: { prompt: 'close-up portrait, detailed face, natural skin texture, sharp eyes, high quality photograph' },
    },
    negCond: {
      type: 'compel',
      label: 'Negative Prompt',
      at: [500, -300],
      values: { prompt: 'blurry, deformed, disfigured, lowres, bad anatomy, extra eyes, watermark' },
    },
    faceOff: {
      type: 'face_off',
      at: [375, 100],
      values: { face_id: 0, minimum_confidence: 0.5, x_offset: 0, y_offset: 0, padding: 64, chunk: false },
    },
    resizeFace: { type: 'img_resize', label: 'Face to 512', at: [750, 0], values: { width: 512, height: 512, resample_mode: 'lanczos' } },
    i2l: { type: 'i2l', at: [1125, -100], values: { fp32: true } },
    lscale: {
      type: 'lscale',
      label: 'Face Detail Scale',
      at: [1125, 50],
      values: { scale_factor: 1.5, mode: 'bilinear', antialias: true },
    },
    seed: { type: 'rand_int', label: 'Random Seed', at: [1125, 250] },
    noise: { type: 'noise', at: [1500, 100], values: { use_cpu: true } },
    strength: {
      type: 'float_math',
      label: 'Strength',
      at: [1500, 350],
      values: { operation: 'SUB', a: 1, b: 0.5 },
      labels: { b: 'Strength' },
    },
    denoise: {
      type: 'denoise_latents',
      at: [1875, -400],
      values: { steps: 30, cfg_scale: 6, denoising_end: 1, scheduler: SCHEDULER },
    },
    l2i: { type: 'l2i', at: [2250, -400], values: { fp32: true } },
    resizeBack: { type: 'img_resize', label: 'Face to Original Size', at: [2625, -300], values: { resample_mode: 'lanczos' } },
    maskBlur: { type: 'img_blur', label: 'Soften Face Mask', at: [2625, 100], values: { radius: 16, blur_type: 'gaussian' } },
    output: {
      type: 'img_paste',
      at: [3000, -200],
      values: { board: 'auto', crop: false },
      labels: { board: 'Board' },
      output: true,
    },
  },
  edges: [
    ['image', 'image', 'faceOff', 'image'],
    ['image', 'image', 'output', 'base_image'],
    ['faceOff', 'image', 'resizeFace', 'image'],
    ['resizeFace', 'image', 'i2l', 'image'],
    ['model', 'vae', 'i2l', 'vae'],
    ['i2l', 'latents', 'lscale', 'latents'],
    ['lscale', 'latents', 'denoise', 'latents'],
    ['lscale', 'width', 'noise', 'width'],
    ['lscale', 'height', 'noise', 'height'],
    ['seed', 'value', 'noise', 'seed'],
    ['noise', 'noise', 'denoise', 'noise'],
    ['model', 'clip', 'posCond', 'clip'],
    ['model', 'clip', 'negCond', 'clip'],
    ['model', 'unet', 'denoise', 'unet'],
    ['posCond', 'conditioning', 'denoise', 'positive_conditioning'],
    ['negCond', 'conditioning', 'denoise', 'negative_conditioning'],
    ['strength', 'value', 'denoise', 'denoising_start'],
    ['denoise', 'latents', 'l2i', 'latents'],
    ['model', 'vae', 'l2i', 'vae'],
    ['l2i', 'image', 'resizeBack', 'image'],
    ['faceOff', 'width', 'resizeBack', 'width'],
    ['faceOff', 'height', 'resizeBack', 'height'],
    ['faceOff', 'mask', 'maskBlur', 'image'],
    ['resizeBack', 'image', 'output', 'image'],
    ['maskBlur', 'image', 'output', 'mask'],
    ['faceOff', 'x', 'output', 'x'],
    ['faceOff', 'y', 'output', 'y'],
  ],
  form: [
    field('image', 'image'),
    { row: [field('strength', 'b', float({ min: 0, max: 1, slider: true })), field('model', 'model')] },
    { text: 'The face crop is rendered at 512 px scaled by 1.5 in latent space, then pasted back at its original size.' },
    { divider: true },
    field('output', 'board'),
  ],
};

const maskedRefine: WorkflowDef = {
  file: 'masked_refine.json',
  name: 'SDXL Masked Refine',
  description:
    'Inpaint-style detail pass: re-denoises only the masked region of an image with an SDXL model, using a gradient ' +
    'denoise mask and pasting the result back over the original, as the InvokeAI canvas does for inpainting.',
  tags: 'SDXL, inpaint, mask, detail',
  notes:
    `Required model: ${MODELS.juggernautXL.name} (SDXL main). Mask convention (InvokeAI's): black = regenerate, ` +
    'white = keep; the mask must have the same size as the image.',
  nodes: {
    image: { type: 'image', label: 'Image', at: [0, 0], labels: { image: 'Image' } },
    mask: { type: 'image', label: 'Mask', at: [0, 300], labels: { image: 'Mask' } },
    positive: {
      type: 'string',
      label: 'Prompt',
      at: [0, -400],
      values: { value: 'intricate detail, sharp focus, natural lighting, high quality photograph' },
      labels: { value: 'Prompt' },
    },
    model: { type: 'sdxl_model_loader', at: [375, -650], values: { model: MODELS.juggernautXL } },
    posCond: { type: 'sdxl_compel_prompt', label: 'SDXL Positive Compel Prompt', at: [750, -650] },
    negCond: {
      type: 'sdxl_compel_prompt',
      label: 'SDXL Negative Compel Prompt',
      at: [750, -250],
      values: { prompt: 'blurry, lowres, artifacts, seams, deformed', style: 'blurry, lowres, artifacts, seams, deformed' },
    },
    i2l: { type: 'i2l', at: [375, 50], values: { fp32: true } },
    gradientMask: {
      type: 'create_gradient_mask',
      at: [375, 300],
      values: { edge_radius: 16, coherence_mode: 'Gaussian Blur', minimum_denoise: 0, fp32: true },
    },
    seed: { type: 'rand_int', label: 'Random Seed', at: [750, 150] },
    noise: { type: 'noise', at: [750, 350], values: { use_cpu: true } },
    strength: {
      type: 'float_math',
      label: 'Strength',
      at: [750, 600],
      values: { operation: 'SUB', a: 1, b: 0.6 },
      labels: { b: 'Strength' },
    },
    denoise: {
      type: 'denoise_latents',
      at: [1125, -650],
      values: { steps: 30, cfg_scale: 7.5, denoising_end: 1, scheduler: SCHEDULER },
      labels: { steps: 'Steps', cfg_scale: 'CFG Scale' },
    },
    l2i: { type: 'l2i', at: [1500, -650], values: { fp32: true } },
    output: { type: 'canvas_paste_back', at: [1875, -500], values: { board: 'auto', mask_blur: 16 }, output: true },
  },
  edges: [
    ['model', 'unet', 'denoise', 'unet'],
    ['model', 'clip', 'posCond', 'clip'],
    ['model', 'clip2', 'posCond', 'clip2'],
    ['model', 'clip', 'negCond', 'clip'],
    ['model', 'clip2', 'negCond', 'clip2'],
    ['positive', 'value', 'posCond', 'prompt'],
    ['positive', 'value', 'posCond', 'style'],
    ['image', 'width', 'posCond', 'original_width'],
    ['image', 'height', 'posCond', 'original_height'],
    ['image', 'width', 'posCond', 'target_width'],
    ['image', 'height', 'posCond', 'target_height'],
    ['image', 'width', 'negCond', 'original_width'],
    ['image', 'height', 'negCond', 'original_height'],
    ['image', 'width', 'negCond', 'target_width'],
    ['image', 'height', 'negCond', 'target_height'],
    ['image', 'image', 'i2l', 'image'],
    ['model', 'vae', 'i2l', 'vae'],
    ['mask', 'image', 'gradientMask', 'mask'],
    ['image', 'image', 'gradientMask', 'image'],
    ['model', 'unet', 'gradientMask', 'unet'],
    ['model', 'vae', 'gradientMask', 'vae'],
    ['i2l', 'width', 'noise', 'width'],
    ['i2l', 'height', 'noise', 'height'],
    ['seed', 'value', 'noise', 'seed'],
    ['posCond', 'conditioning', 'denoise', 'positive_conditioning'],
    ['negCond', 'conditioning', 'denoise', 'negative_conditioning'],
    ['noise', 'noise', 'denoise', 'noise'],
    ['i2l', 'latents', 'denoise', 'latents'],
    ['gradientMask', 'denoise_mask', 'denoise', 'denoise_mask'],
    ['strength', 'value', 'denoise', 'denoising_start'],
    ['denoise', 'latents', 'l2i', 'latents'],
    ['model', 'vae', 'l2i', 'vae'],
    ['image', 'image', 'output', 'source_image'],
    ['l2i', 'image', 'output', 'target_image'],
    ['gradientMask', 'expanded_mask_area', 'output', 'mask'],
  ],
  form: [
    { row: [field('image', 'image'), field('mask', 'image')] },
    field('positive', 'value', textarea),
    { divider: true },
    {
      row: [
        field('denoise', 'steps', int()),
        field('strength', 'b', float({ min: 0, max: 1, slider: true })),
        field('denoise', 'cfg_scale', float()),
      ],
    },
    { text: 'Mask: black marks the region to regenerate, white the region to keep.' },
  ],
};

const sdxlWithRefiner: WorkflowDef = {
  file: 'sdxl_with_refiner.json',
  name: 'SDXL Text to Image with Refiner',
  description:
    'SDXL base model then SDXL refiner in one graph, as InvokeAI does with a refiner model selected: the base denoises ' +
    'the schedule up to the handoff point and the refiner finishes it from the same noise.',
  tags: 'SDXL, refiner, text to image',
  notes:
    `Required models: ${MODELS.juggernautXL.name} (SDXL main) and ${MODELS.sdxlRefiner.name} (SDXL refiner main). ` +
    'The base model VAE decodes the final latents.',
  nodes: {
    positive: {
      type: 'string',
      label: 'Positive Prompt',
      at: [0, -400],
      values: { value: 'an old lighthouse on a rocky coast at dusk, dramatic clouds, crashing waves, detailed, cinematic photograph' },
      labels: { value: 'Positive Prompt' },
    },
    negative: {
      type: 'string',
      label: 'Negative Prompt',
      at: [0, -100],
      values: { value: 'blurry, lowres, jpeg artifacts, watermark, text, deformed' },
      labels: { value: 'Negative Prompt' },
    },
    model: { type: 'sdxl_model_loader', at: [375, -900], values: { model: MODELS.juggernautXL } },
    refinerModel: { type: 'sdxl_refiner_model_loader', at: [375, 400], values: { model: MODELS.sdxlRefiner } },
    noise: {
      type: 'noise',
      at: [375, 100],
      values: { seed: 1234567890, width: 1024, height: 1024, use_cpu: true },
      labels: { seed: 'Seed' },
    },
    handoff: { type: 'float', label: 'Handoff', at: [375, -150], values: { value: 0.8 }, labels: { value: 'Handoff' } },
    posCond: { type: 'sdxl_compel_prompt', label: 'SDXL Positive Compel Prompt', at: [750, -900] },
    negCond: { type: 'sdxl_compel_prompt', label: 'SDXL Negative Compel Prompt', at: [750, -450] },
    refinerPosCond: {
      type: 'sdxl_refiner_compel_prompt',
      label: 'Refiner Positive Prompt',
      at: [750, 50],
      values: { aesthetic_score: 6 },
    },
    refinerNegCond: {
      type: 'sdxl_refiner_compel_prompt',
      label: 'Refiner Negative Prompt',
      at: [750, 400],
      values: { aesthetic_score: 2.5 },
    },
    denoise: {
      type: 'denoise_latents',
      label: 'Base Denoise',
      at: [1125, -900],
      values: { steps: 30, cfg_scale: 7.5, denoising_start: 0, scheduler: SCHEDULER },
      labels: { steps: 'Base Steps' },
    },
    refinerDenoise: {
      type: 'denoise_latents',
      label: 'Refiner Denoise',
      at: [1500, -300],
      values: { steps: 20, cfg_scale: 5, denoising_end: 1, scheduler: SCHEDULER },
      labels: { steps: 'Refiner Steps' },
    },
    output: { type: 'l2i', at: [1875, -300], values: { board: 'auto', fp32: true }, output: true },
  },
  edges: [
    ['model', 'unet', 'denoise', 'unet'],
    ['model', 'clip', 'posCond', 'clip'],
    ['model', 'clip2', 'posCond', 'clip2'],
    ['model', 'clip', 'negCond', 'clip'],
    ['model', 'clip2', 'negCond', 'clip2'],
    ['refinerModel', 'unet', 'refinerDenoise', 'unet'],
    ['refinerModel', 'clip2', 'refinerPosCond', 'clip2'],
    ['refinerModel', 'clip2', 'refinerNegCond', 'clip2'],
    ['positive', 'value', 'posCond', 'prompt'],
    ['positive', 'value', 'posCond', 'style'],
    ['negative', 'value', 'negCond', 'prompt'],
    ['negative', 'value', 'negCond', 'style'],
    ['positive', 'value', 'refinerPosCond', 'style'],
    ['negative', 'value', 'refinerNegCond', 'style'],
    ['noise', 'width', 'posCond', 'original_width'],
    ['noise', 'height', 'posCond', 'original_height'],
    ['noise', 'width', 'posCond', 'target_width'],
    ['noise', 'height', 'posCond', 'target_height'],
    ['noise', 'width', 'negCond', 'original_width'],
    ['noise', 'height', 'negCond', 'original_height'],
    ['noise', 'width', 'negCond', 'target_width'],
    ['noise', 'height', 'negCond', 'target_height'],
    ['noise', 'width', 'refinerPosCond', 'original_width'],
    ['noise', 'height', 'refinerPosCond', 'original_height'],
    ['noise', 'width', 'refinerNegCond', 'original_width'],
    ['noise', 'height', 'refinerNegCond', 'original_height'],
    ['posCond', 'conditioning', 'denoise', 'positive_conditioning'],
    ['negCond', 'conditioning', 'denoise', 'negative_conditioning'],
    ['noise', 'noise', 'denoise', 'noise'],
    ['handoff', 'value', 'denoise', 'denoising_end'],
    ['refinerPosCond', 'conditioning', 'refinerDenoise', 'positive_conditioning'],
    ['refinerNegCond', 'conditioning', 'refinerDenoise', 'negative_conditioning'],
    ['noise', 'noise', 'refinerDenoise', 'noise'],
    ['denoise', 'latents', 'refinerDenoise', 'latents'],
    ['handoff', 'value', 'refinerDenoise', 'denoising_start'],
    ['refinerDenoise', 'latents', 'output', 'latents'],
    ['model', 'vae', 'output', 'vae'],
  ],
  form: [
    { heading: 'Prompts' },
    field('positive', 'value', textarea),
    field('negative', 'value', textarea),
    { divider: true },
    { heading: 'Sampling' },
    {
      row: [
        field('noise', 'seed', int({ showShuffle: true })),
        field('denoise', 'steps', int()),
        field('refinerDenoise', 'steps', int()),
      ],
    },
    field('handoff', 'value', float({ min: 0, max: 1, slider: true })),
    {
      text: 'Handoff is the fraction of the schedule the base model denoises before the refiner takes over (InvokeAI\'s "Refiner Start").',
    },
  ],
};

export const WORKFLOW_DEFS: readonly WorkflowDef[] = [
  sdxlBase,
  sdxlRefiner,
  esrganUpscale,
  faceRestore,
  maskedRefine,
  sdxlWithRefiner,
];

// ---------------------------------------------------------------------------------------------
// Rendering to the editor's export format.

/** FNV-1a, to seed the id generator from the file name. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}


const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function idMaker(seed: string) {
  const random = createRng(hash32(seed));
  const byte = () => Math.floor(random() * 256);
  return {
    uuid(): string {
      const b = Array.from({ length: 16 }, byte);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    short(): string {
      return Array.from({ length: 10 }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
    },
    shuffle<T>(items: T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

type Json = Record<string, unknown>;

/** Renders one workflow as the editor's "Download Workflow" JSON (object; stringify with 2 spaces). */
export function renderWorkflow(def: WorkflowDef, table: FieldTableData = DEFAULT_FIELD_TABLE): Json {
  const ids = idMaker(def.file);
  const nodeIds = new Map<string, string>();
  for (const key of Object.keys(def.nodes)) nodeIds.set(key, ids.uuid());
  const idOf = (key: string): string => {
    const id = nodeIds.get(key);
    if (!id) throw new Error(`${def.file}: unknown node key ${JSON.stringify(key)}`);
    return id;
  };

  const connected = new Set(def.edges.map(([, , target, handle]) => `${target}.${handle}`));
  for (const [source, sourceHandle, target, targetHandle] of def.edges) {
    const sourceSpec = table.nodes[def.nodes[source]?.type ?? ''];
    const targetSpec = table.nodes[def.nodes[target]?.type ?? ''];
    if (!sourceSpec?.out || !(sourceHandle in (table.outputs[sourceSpec.out]?.f ?? {}))) {
      throw new Error(`${def.file}: ${source} has no output ${sourceHandle}`);
    }
    if (!targetSpec || !(targetHandle in targetSpec.f)) throw new Error(`${def.file}: ${target} has no input ${targetHandle}`);
  }

  const nodes = Object.entries(def.nodes).map(([key, node]) => {
    const spec = table.nodes[node.type];
    if (!spec) throw new Error(`${def.file}: unknown node type ${node.type}`);
    for (const name of [...Object.keys(node.values ?? {}), ...Object.keys(node.labels ?? {})]) {
      if (!(name in spec.f)) throw new Error(`${def.file}: ${node.type} has no input ${name}`);
    }
    const inputs: Json = {};
    for (const [name, fieldSpec] of Object.entries(spec.f)) {
      const input: Json = { name, label: node.labels?.[name] ?? '', description: '' };
      const explicit = node.values && name in node.values;
      if (connected.has(`${key}.${name}`)) {
        if (explicit) throw new Error(`${def.file}: ${key}.${name} has both a value and an edge`);
      } else if (explicit) {
        if (fieldSpec.in === 'connection') throw new Error(`${def.file}: ${key}.${name} is connection-only`);
        input.value = node.values![name];
      } else if (fieldSpec.in !== 'connection' && fieldSpec.k !== 'board' && fieldSpec.d !== undefined) {
        input.value = fieldSpec.d;
      }
      inputs[name] = input;
    }
    const id = idOf(key);
    return {
      id,
      type: 'invocation',
      data: {
        id,
        version: spec.v,
        nodePack: 'invokeai',
        label: node.label ?? '',
        notes: '',
        type: node.type,
        inputs,
        isOpen: true,
        isIntermediate: !node.output,
        useCache: node.output ? false : spec.cache !== false,
      },
      position: { x: node.at[0], y: node.at[1] },
    };
  });

  const edges = def.edges.map(([source, sourceHandle, target, targetHandle]) => ({
    id: `reactflow__edge-${idOf(source)}${sourceHandle}-${idOf(target)}${targetHandle}`,
    type: 'default',
    source: idOf(source),
    target: idOf(target),
    sourceHandle,
    targetHandle,
  }));

  // Form: elements are created depth-first, but the editor's map keeps insertion order of edits,
  // so the exported `elements` object is not in tree order; only `children` arrays carry order.
  const elements: Json[] = [];
  const exposedFields: { nodeId: string; fieldName: string }[] = [];
  const rootId = `container-${ids.short()}`;
  const build = (item: FormItem, parentId: string): string => {
    if ('row' in item || 'column' in item) {
      const id = `container-${ids.short()}`;
      const children = ('row' in item ? item.row : item.column).map((child) => build(child, id));
      elements.push({ id, parentId, data: { layout: 'row' in item ? 'row' : 'column', children }, type: 'container' });
      return id;
    }
    if ('field' in item) {
      const id = `node-field-${ids.short()}`;
      const [nodeKey, fieldName] = item.field;
      const nodeId = idOf(nodeKey);
      if (!(fieldName in (table.nodes[def.nodes[nodeKey]!.type]?.f ?? {}))) {
        throw new Error(`${def.file}: form field ${nodeKey}.${fieldName} does not exist`);
      }
      if (connected.has(`${nodeKey}.${fieldName}`)) throw new Error(`${def.file}: form field ${nodeKey}.${fieldName} is connected`);
      exposedFields.push({ nodeId, fieldName });
      elements.push({
        id,
        parentId,
        data: { fieldIdentifier: { nodeId, fieldName }, showDescription: false, ...(item.settings ? { settings: item.settings } : {}) },
        type: 'node-field',
      });
      return id;
    }
    if ('heading' in item) {
      const id = `heading-${ids.short()}`;
      elements.push({ id, parentId, data: { content: item.heading }, type: 'heading' });
      return id;
    }
    if ('text' in item) {
      const id = `text-${ids.short()}`;
      elements.push({ id, parentId, data: { content: item.text }, type: 'text' });
      return id;
    }
    const id = `divider-${ids.short()}`;
    elements.push({ id, parentId, type: 'divider' });
    return id;
  };
  const rootChildren = def.form.map((item) => build(item, rootId));
  const root = { id: rootId, data: { layout: 'column', children: rootChildren }, type: 'container' };
  const formElements: Json = { [rootId]: root };
  for (const element of ids.shuffle(elements)) formElements[element.id as string] = element;

  return {
    name: def.name,
    author: 'invokeai-rx',
    description: def.description,
    version: '1.0.0',
    contact: '',
    tags: def.tags,
    notes: def.notes,
    exposedFields,
    meta: { version: '4.0.0', category: 'user' },
    form: { elements: formElements, rootElementId: rootId },
    nodes,
    edges,
  };
}

/** File name → exact file contents, as the editor writes them (`JSON.stringify(workflow, null, 2)`). */
export function authorWorkflows(table: FieldTableData = DEFAULT_FIELD_TABLE): Record<string, string> {
  return Object.fromEntries(WORKFLOW_DEFS.map((def) => [def.file, JSON.stringify(renderWorkflow(def, table), null, 2)]));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = (name: string) => fileURLToPath(new URL(`../data/workflows/${name}`, import.meta.url));
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of Object.entries(authorWorkflows())) {
    if (check) {
      let current = '';
      try {
        current = readFileSync(dir(file), 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        stale++;
        console.log(`stale: data/workflows/${file}`);
      }
    } else {
      writeFileSync(dir(file), text);
      console.log(`wrote data/workflows/${file}`);
    }
  }
  if (stale) process.exitCode = 1;
}
