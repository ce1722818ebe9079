import type { Raster } from './types.js';

/** What a latents tensor stands for: its pixel-space size and, once denoised or encoded, its picture. */
export interface LatentsEntry {
  /** Content digest: equal digests mean equal tensors. */
  digest: string;
  /** Pixel size (latent size × 8). */
  width: number;
  height: number;
  /** `noise`: only a seed; `image`: a picture (encoded input or denoise result). */
  kind: 'noise' | 'image';
  seed?: number;
  raster?: Raster;
}

/** A conditioning tensor: the prompt text (and whatever else went in), summarized by a digest. */
export interface ConditioningEntry {
  digest: string;
  prompt: string;
}

/** A mask tensor (denoise masks, tensor masks): L raster, 255 = region to change. */
export interface MaskEntry {
  digest: string;
  raster: Raster;
}

class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}

/**
 * The executor's stand-in for the server's tensor/conditioning storage. Names are derived from
 * content digests, so the same inputs give the same names; the oldest entries are evicted past
 * `capacity` (tensors only need to live for the session that made them).
 */
export class TensorStore {
  readonly latents: BoundedMap<LatentsEntry>;
  readonly conditioning: BoundedMap<ConditioningEntry>;
  readonly masks: BoundedMap<MaskEntry>;

  constructor(capacity = 256) {
    this.latents = new BoundedMap(capacity);
    this.conditioning = new BoundedMap(capacity * 4);
    this.masks = new BoundedMap(capacity);
  }
}

/** A uuid-shaped name from a digest (`Tensor_xxxxxxxx-xxxx-…`), stable for equal content. */
export function tensorName(prefix: string, digest: string): string {
  const hex = (digest + digest + digest).slice(0, 32);
  return `${prefix}_${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
