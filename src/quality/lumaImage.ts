import { rasterFromPng, toLuma, type LumaImage, type PngSamples } from '../image/index.js';

export type { LumaImage };

/**
 * Rec. 601 luma (`0.299 R + 0.587 G + 0.114 B`) of a decoded PNG, 0..255 whatever the bit depth.
 * Grey images are taken as is; alpha is ignored (InvokeAI outputs are opaque); palette images
 * are expanded first.
 */
export function lumaImage(png: PngSamples): LumaImage {
  return toLuma(rasterFromPng(png));
}
