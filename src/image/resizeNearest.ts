import type { Raster } from './Raster.js';

/**
 * Where a target pixel samples the source: `centre` as PIL's NEAREST (the source pixel under the
 * target pixel's centre), `corner` as OpenCV's INTER_NEAREST (under its top-left corner).
 */
export type NearestSampling = 'centre' | 'corner';

/** Nearest-neighbour resize to exactly `width`×`height`. */
export function resizeNearest(src: Raster, width: number, height: number, sampling: NearestSampling = 'centre'): Raster {
  const { channels, data } = src;
  const xs = sourceIndices(src.width, width, sampling);
  const ys = sourceIndices(src.height, height, sampling);
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const yy = ys[y]!;
    for (let x = 0; x < width; x++) {
      const xx = xs[x]!;
      const s = (yy * src.width + xx) * channels;
      const d = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = data[s + c]!;
    }
  }
  return { width, height, channels, data: out };
}

function sourceIndices(inSize: number, outSize: number, sampling: NearestSampling): Int32Array {
  const scale = inSize / outSize;
  return Int32Array.from({ length: outSize }, (_, i) =>
    Math.min(inSize - 1, sampling === 'centre' ? Math.floor((i + 0.5) * scale) : Math.floor((i * inSize) / outSize)),
  );
}
