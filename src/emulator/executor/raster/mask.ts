import type { Raster } from '../types.js';
import { convertRaster, extractChannel } from './raster.js';

export function invertRaster(src: Raster): Raster {
  const out = new Uint8Array(src.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - src.data[i]!;
  return { ...src, data: out };
}

/** `tomask`: the last band (alpha of RGBA, the grey of L, blue of RGB), optionally inverted. */
export function maskFromAlpha(src: Raster, invert = false): Raster {
  const mask = extractChannel(src, src.channels - 1);
  return invert ? invertRaster(mask) : mask;
}

/** `mask_combine`: multiply two L masks. */
export function combineMasks(a: Raster, b: Raster): Raster {
  const la = convertRaster(a, 'L');
  const lb = convertRaster(b, 'L');
  if (la.width !== lb.width || la.height !== lb.height) throw new Error('images do not match');
  const out = new Uint8Array(la.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor((la.data[i]! * lb.data[i]!) / 255);
  return { ...la, data: out };
}
