import { encode } from 'fast-png';
import type { Raster } from './Raster.js';

/** An 8-bit PNG of the raster, in its own colour type (grey, RGB or RGBA). */
export function encodePng(raster: Raster): Uint8Array {
  return encode({ width: raster.width, height: raster.height, data: raster.data, channels: raster.channels, depth: 8 });
}
