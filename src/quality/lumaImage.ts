import { convertIndexedToRgb, type DecodedPng } from 'fast-png';

/** A single-channel image: `data[y * width + x]` is the luma of pixel (x, y), 0..255. */
export interface LumaImage {
  width: number;
  height: number;
  data: Float64Array;
}

/**
 * Rec. 601 luma (`0.299 R + 0.587 G + 0.114 B`) of a decoded PNG, scaled to 0..255 whatever the
 * bit depth. Grey images are taken as is; alpha is ignored (InvokeAI outputs are opaque);
 * palette images are expanded first.
 */
export function lumaImage(png: Pick<DecodedPng, 'width' | 'height' | 'data' | 'depth' | 'channels' | 'palette'>): LumaImage {
  const { width, height } = png;
  let data: ArrayLike<number> = png.data;
  let channels = png.channels;
  let max = 2 ** png.depth - 1;
  if (png.palette) {
    data = convertIndexedToRgb(png as DecodedPng);
    channels = png.palette[0]?.length ?? 3;
    max = 255;
  }
  const out = new Float64Array(width * height);
  const scale = 255 / max;
  for (let i = 0; i < width * height; i++) {
    const o = i * channels;
    out[i] =
      channels >= 3
        ? (0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!) * scale
        : data[o]! * scale;
  }
  return { width, height, data: out };
}
