import { encodePng, shrinkToFit } from '../../image/index.js';
import type { Raster } from './types.js';

/** Fits `raster` into `maxSize`×`maxSize` keeping its aspect ratio (never upscales). */
export function fitRaster(raster: Raster, maxSize: number): Raster {
  return shrinkToFit(raster, maxSize, 'bilinear');
}

/**
 * Thumbnail bytes. InvokeAI serves WEBP thumbnails (max side 256); no WEBP encoder is available
 * here, so this is a PNG of the same size — serve it with `content-type: image/png`.
 */
export function encodeThumbnail(raster: Raster, maxSize = 256): Uint8Array {
  return encodePng(fitRaster(raster, maxSize));
}

/** A progress preview (`ProgressImage`): a small downscale as a PNG data URL (the real server sends JPEG). */
export function progressImage(raster: Raster, maxSize = 64): { width: number; height: number; dataURL: string } {
  const small = fitRaster(raster, maxSize);
  return {
    width: small.width,
    height: small.height,
    dataURL: `data:image/png;base64,${Buffer.from(encodePng(small)).toString('base64')}`,
  };
}
