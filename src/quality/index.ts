export { assessQuality, NOISE_HALF_POINT, SHARPNESS_HALF_POINT, type QualityReport } from './assessQuality.js';
export { imageQuality } from './imageQuality.js';
export { laplacianVariance } from './laplacianVariance.js';
export { lumaImage, type LumaImage } from './lumaImage.js';
export { noiseSigma } from './noiseSigma.js';
