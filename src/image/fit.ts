import type { ResampleMode } from './pilFilters.js';
import type { Raster } from './Raster.js';
import { resizeRaster } from './resample.js';

/** The largest size of the same aspect ratio that fits in `box`×`box` (at least 1×1; may enlarge). */
export function fitInBox(width: number, height: number, box: number): { width: number; height: number } {
  const scale = box / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Shrinks `raster` so its longer side is at most `maxSide`, keeping the aspect ratio; never enlarges. */
export function shrinkToFit(raster: Raster, maxSide: number, mode: ResampleMode): Raster {
  if (Math.max(raster.width, raster.height) <= maxSide) return raster;
  const size = fitInBox(raster.width, raster.height, maxSide);
  return resizeRaster(raster, size.width, size.height, mode);
}
