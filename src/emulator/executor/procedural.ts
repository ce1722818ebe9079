import { createRng, seedOf } from './hash.js';
import type { Raster } from './types.js';

/**
 * A smooth, picture-like RGB image that depends only on `key` and the size: a two-colour
 * gradient background, soft ellipses, low-frequency waves and a fine per-pixel grain. Stands in
 * for a diffusion model's output; different keys give visibly different pictures.
 */
export function proceduralImage(key: string, width: number, height: number): Raster {
  const rng = createRng(seedOf(key));
  const color = (): [number, number, number] => [rng() * 255, rng() * 255, rng() * 255];
  const top = color();
  const bottom = color();
  const angle = rng() * Math.PI * 2;
  const gx = Math.cos(angle);
  const gy = Math.sin(angle);
  const shapes = Array.from({ length: 3 + Math.floor(rng() * 5) }, () => ({
    cx: rng(),
    cy: rng(),
    rx: 0.08 + rng() * 0.3,
    ry: 0.08 + rng() * 0.3,
    color: color(),
    opacity: 0.35 + rng() * 0.55,
  }));
  const waves = Array.from({ length: 3 }, () => ({
    fx: (rng() - 0.5) * 12,
    fy: (rng() - 0.5) * 12,
    phase: rng() * Math.PI * 2,
    amp: 6 + rng() * 14,
    channel: Math.floor(rng() * 3),
  }));
  const grainSeed = seedOf(`${key}:grain`);
  const data = new Uint8Array(width * height * 3);
  const px: [number, number, number] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    const v = height > 1 ? y / (height - 1) : 0.5;
    for (let x = 0; x < width; x++) {
      const u = width > 1 ? x / (width - 1) : 0.5;
      const t = Math.min(1, Math.max(0, 0.5 + ((u - 0.5) * gx + (v - 0.5) * gy)));
      for (let c = 0; c < 3; c++) px[c] = top[c]! * (1 - t) + bottom[c]! * t;
      for (const s of shapes) {
        const dx = (u - s.cx) / s.rx;
        const dy = (v - s.cy) / s.ry;
        const d = dx * dx + dy * dy;
        if (d >= 1.44) continue;
        // Soft edge: full inside r=1, fading out to r=1.2.
        const k = s.opacity * (d <= 1 ? 1 : 1 - (Math.sqrt(d) - 1) / 0.2);
        for (let c = 0; c < 3; c++) px[c] = px[c]! * (1 - k) + s.color[c]! * k;
      }
      for (const w of waves) px[w.channel] = px[w.channel]! + w.amp * Math.sin(w.fx * u * Math.PI + w.fy * v * Math.PI + w.phase);
      const grain = ((Math.imul(x * 73856093 ^ y * 19349663, grainSeed | 1) >>> 24) / 255 - 0.5) * 10;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const val = px[c]! + grain;
        data[i + c] = val <= 0 ? 0 : val >= 255 ? 255 : Math.round(val);
      }
    }
  }
  return { width, height, channels: 3, data };
}
