import type { EmulatorModel } from './executor/types.js';
import { stableModelHash, stableUuid } from './stableUuid.js';

/**
 * A model record with a key and hash derived from its name. `extra` holds the fields that pick
 * the record's config class (`format`, `variant`, `prediction_type`, …).
 */
export function emulatorModel(name: string, base: string, type: string, format: string, extra: Record<string, unknown> = {}): EmulatorModel {
  return { key: stableUuid(`model:${name}`), hash: stableModelHash(name), name, base, type, format, ...extra };
}

const main = { trigger_phrases: null, default_settings: null };
const sdMain = { ...main, prediction_type: 'epsilon', variant: 'normal' };

/**
 * The emulator's model list when none is given: a small but complete installation. The records the
 * CodeGandee/invokeai-py-client example workflows reference carry THEIR recorded keys and hashes, so
 * those exported workflows run unmodified.
 */
export const DEFAULT_MODELS: readonly EmulatorModel[] = [
  // Recorded in the example workflows (keys and hashes as exported).
  {
    key: '914b2e5a-b8d3-4da1-965f-b3775bbc5745',
    hash: 'blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74',
    name: 'juggernautXL_v9Rundiffusionphoto2',
    base: 'sdxl',
    type: 'main',
    format: 'checkpoint',
    ...sdMain,
    config_path: null,
  },
  {
    key: 'fb57e50d-e8b1-43d3-a988-e33721c2be3e',
    hash: 'blake3:00f0d88d0b5ff2f1661751fa7cea7f0820f3f5928699efe9f9eb9b3363f6fb25',
    name: 'sdxlUnstableDiffusers_v9DIVINITYMACHINE',
    base: 'sdxl',
    type: 'main',
    format: 'checkpoint',
    ...sdMain,
    config_path: null,
  },
  {
    key: 'b5f70e1b-17fd-403c-8f57-818bb20f0d77',
    hash: 'blake3:a7656bb5114035b907c48f5f50cd5d006e1384f94fbd4ed55398b57b52727bac',
    name: 'sdxlUnstableDiffusers_v11Rundiffusion',
    base: 'sdxl',
    type: 'main',
    format: 'checkpoint',
    ...sdMain,
    config_path: null,
  },
  {
    key: '4ea8c1b5-e56c-47c0-949e-3805d06c1301',
    hash: 'blake3:202d1d57667fdc0b5b088a46dce7c801ffcf2e0933d4c521e272399ece17aa7b',
    name: 'flux1-schnell',
    base: 'flux',
    type: 'main',
    format: 'checkpoint',
    ...main,
    config_path: null,
    variant: 'schnell',
  },
  {
    key: 'bcc9c810-5cfd-418a-b7c1-42facca130b5',
    hash: 'blake3:40ace2cf5d03a95ec710054ec5e4c8e864341a7ebfefe188ed750c41a0463795',
    name: 'flux1-dev',
    base: 'flux',
    type: 'main',
    format: 'checkpoint',
    ...main,
    config_path: null,
    variant: 'dev',
  },
  {
    key: 'cc644930-283a-464f-b48f-831e6add8ed5',
    hash: 'blake3:38aafa42899cf4fe8b1055d17de6e7fe15af104d193da4a320e34ca24db32754',
    name: 't5_bnb_int8_quantized_encoder',
    base: 'any',
    type: 't5_encoder',
    format: 'bnb_quantized_int8b',
    cpu_only: null,
  },
  {
    key: '6fca3865-ce3f-45cd-a4d4-1086ea40504e',
    hash: 'blake3:17c19f0ef941c3b7609a9c94a659ca5364de0be364a91d4179f0e39ba17c3b70',
    name: 'clip-vit-large-patch14',
    base: 'any',
    type: 'clip_embed',
    format: 'diffusers',
    repo_variant: '',
    cpu_only: null,
    variant: 'large',
  },
  {
    key: '53fdb8d0-6376-44b4-a02f-d25fdb375451',
    hash: 'blake3:ce21cb76364aa6e2421311cf4a4b5eb052a76c4f1cd207b50703d8978198a068',
    name: 'FLUX.1-schnell_ae',
    base: 'flux',
    type: 'vae',
    format: 'checkpoint',
    config_path: null,
    cpu_only: null,
  },
  {
    key: '6acd79db-272e-42f7-8e70-875fd1e0aa6e',
    hash: 'blake3:daa3d564791ad41ffca2425ebabe9dcac6a665ac29c78f3590073b3b69ed8d54',
    name: 'FLUX.1-dev-Controlnet-Union',
    base: 'flux',
    type: 'controlnet',
    format: 'diffusers',
    repo_variant: '',
    default_settings: null,
  },
  // Further common models, keys derived from their names.
  emulatorModel('stable-diffusion-xl-base-1.0', 'sdxl', 'main', 'diffusers', { ...sdMain, repo_variant: 'fp16' }),
  emulatorModel('stable-diffusion-xl-refiner-1.0', 'sdxl-refiner', 'main', 'diffusers', { ...sdMain, repo_variant: 'fp16' }),
  emulatorModel('stable-diffusion-v1-5', 'sd-1', 'main', 'diffusers', { ...sdMain, repo_variant: '' }),
  emulatorModel('sdxl-vae-fp16-fix', 'sdxl', 'vae', 'checkpoint', { config_path: null, cpu_only: null }),
  emulatorModel('RealESRGAN_x4plus', 'any', 'spandrel_image_to_image', 'checkpoint', { scale: 4 }),
  emulatorModel('RealESRGAN_x2plus', 'any', 'spandrel_image_to_image', 'checkpoint', { scale: 2 }),
];

/** Emulator-only record fields that are not part of any `AnyModelConfig`. */
const PRIVATE_FIELDS = new Set(['scale']);

/**
 * The `AnyModelConfig` the model routes answer for a record: the fields every config class
 * requires (derived when the record lacks them), then the record's own fields.
 */
export function toModelConfig(m: EmulatorModel): Record<string, unknown> {
  const out: Record<string, unknown> = {
    key: m.key,
    hash: m.hash,
    path: `${m.base}/${m.type}/${m.name}${m.format === 'checkpoint' ? '.safetensors' : ''}`,
    file_size: 1_000_000 + (parseInt(m.hash.replace(/^[^:]*:/, '').slice(0, 6), 16) || 0) * 97,
    name: m.name,
    description: `${m.base} ${m.type} model`,
    source: `${m.name}`,
    source_type: 'path',
    source_api_response: null,
    source_url: null,
    cover_image: null,
  };
  // A record copied from a real server (`serve --models`) keeps its own path, size, description…
  for (const [k, v] of Object.entries(m)) if (!PRIVATE_FIELDS.has(k)) out[k] = v;
  return out;
}
