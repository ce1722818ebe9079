/**
 * Bindings: which form input (by index) holds each semantic parameter of a stage. Indices are the
 * stable handle of form inputs (depth-first pre-order over the workflow's Form), so a binding is
 * written once per exported workflow; `workflow.inputs` lists them.
 *
 * The constants match the workflows shipped in `data/workflows/`.
 */

/** `generateBase`: `prompt` is required, everything else optional. */
export interface BaseBinding {
  prompt: number;
  negative?: number;
  seed?: number;
  steps?: number;
  cfg?: number;
  width?: number;
  height?: number;
  /** A `board` input of the output node: enables the `board` option. */
  board?: number;
}

/** `refine`: `image` is required. */
export interface RefineBinding {
  image: number;
  prompt?: number;
  negative?: number;
  steps?: number;
  strength?: number;
  cfg?: number;
  board?: number;
}

/** `upscale`: `image` is required. */
export interface UpscaleBinding {
  image: number;
  scale?: number;
  /** Model choice: a model input, an enum (ESRGAN's `model_name`) or a dropdown string. */
  model?: number;
  board?: number;
}

/** `enhanceFaces`: `image` is required. */
export interface FacesBinding {
  image: number;
  strength?: number;
  /** Model / method choice (CodeFormer, GFPGAN, …). */
  model?: number;
  board?: number;
}

/** `enhanceRegion`: `image` and `mask` are required. */
export interface RegionBinding {
  image: number;
  mask: number;
  prompt?: number;
  negative?: number;
  steps?: number;
  strength?: number;
  cfg?: number;
  board?: number;
}

/** `data/workflows/sdxl_base.json`. */
export const SDXL_BASE_BINDING: Readonly<Required<BaseBinding>> = Object.freeze({
  prompt: 0,
  negative: 1,
  seed: 2,
  steps: 3,
  cfg: 4,
  width: 5,
  height: 6,
  board: 7,
});

/** `data/workflows/sdxl_refiner.json`. */
export const SDXL_REFINER_BINDING: Readonly<Omit<Required<RefineBinding>, never>> = Object.freeze({
  image: 0,
  prompt: 1,
  negative: 2,
  steps: 3,
  strength: 4,
  cfg: 5,
  board: 6,
});

/** `data/workflows/esrgan_upscale.json`. */
export const ESRGAN_UPSCALE_BINDING: Readonly<Required<UpscaleBinding>> = Object.freeze({
  image: 0,
  scale: 1,
  model: 2,
  board: 3,
});

/** `data/workflows/face_restore.json`. */
export const FACE_RESTORE_BINDING: Readonly<Required<FacesBinding>> = Object.freeze({
  image: 0,
  strength: 1,
  model: 2,
  board: 3,
});

/** `data/workflows/masked_refine.json` (no board input). */
export const MASKED_REFINE_BINDING: Readonly<Omit<RegionBinding, 'negative' | 'board'>> = Object.freeze({
  image: 0,
  mask: 1,
  prompt: 2,
  steps: 3,
  strength: 4,
  cfg: 5,
});
