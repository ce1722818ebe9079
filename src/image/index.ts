export { decodePng, rasterFromPng, type PngSamples } from './decodePng.js';
export { encodePng } from './encodePng.js';
export { fitInBox, shrinkToFit } from './fit.js';
export { flattenToRgb } from './flattenToRgb.js';
export type { ResampleMode } from './pilFilters.js';
export type { Raster, Rgb } from './Raster.js';
export { resizeRaster } from './resample.js';
export { resizeNearest, type NearestSampling } from './resizeNearest.js';
export { toLuma, type LumaImage } from './toLuma.js';
