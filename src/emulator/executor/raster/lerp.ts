import type { Raster } from '../types.js';

/** `img_lerp`: `uint8(v/255·(max−min)+min)` on every channel. */
export function lerpRaster(src: Raster, min: number, max: number): Raster {
  const out = new Uint8Array(src.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.trunc((src.data[i]! / 255) * (max - min) + min) & 0xff;
  return { ...src, data: out };
}

/** `img_ilerp`: `uint8(clip((v−min)/(max−min), 0, 1)·255)` on every channel. */
export function inverseLerpRaster(src: Raster, min: number, max: number): Raster {
  const out = new Uint8Array(src.data.length);
  const span = max - min;
  for (let i = 0; i < out.length; i++) {
    const t = Math.min(Math.max(src.data[i]! - min, 0) / span, 1);
    out[i] = Number.isNaN(t) ? 0 : Math.trunc(t * 255);
  }
  return { ...src, data: out };
}
