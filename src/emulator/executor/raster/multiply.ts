import { valueError } from '../../errors/InvocationError.js';
import type { Raster } from '../types.js';
import { convertRaster, modeOf } from './raster.js';

/** `ImageChops.multiply(a, b)`: `a·b/255` per channel (b converted to a's mode; sizes must match). */
export function multiplyRasters(a: Raster, b: Raster): Raster {
  if (a.width !== b.width || a.height !== b.height) throw valueError('images do not match');
  const bb = convertRaster(b, modeOf(a));
  const out = new Uint8Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor((a.data[i]! * bb.data[i]!) / 255);
  return { ...a, data: out };
}
