import type { Raster } from '../types.js';
import { convertRaster } from './raster.js';

// PIL's RGB<->HSV with every component in 0..255.
function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max;
  if (max === min) return [0, 0, v];
  const cr = max - min;
  const s = (cr * 255) / max;
  let h: number;
  const rc = (max - r) / cr;
  const gc = (max - g) / cr;
  const bc = (max - b) / cr;
  if (r === max) h = bc - gc;
  else if (g === max) h = 2 + rc - bc;
  else h = 4 + gc - rc;
  h = (h / 6 + 1) % 1;
  return [Math.floor(h * 255), Math.floor(s), v];
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  if (s === 0) return [v, v, v];
  const hf = h / 255;
  const sf = s / 255;
  const i = Math.floor(hf * 6) % 6;
  const f = hf * 6 - Math.floor(hf * 6);
  const p = Math.round(v * (1 - sf));
  const q = Math.round(v * (1 - sf * f));
  const t = Math.round(v * (1 - sf * (1 - f)));
  switch (i) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}

/** `img_hue_adjust`: shift HSV hue by `degrees` (`int(256·(deg mod 360)/360)` steps mod 256); output RGBA, opaque. */
export function adjustHue(src: Raster, degrees: number): Raster {
  const rgb = convertRaster(src, 'RGB');
  const shift = Math.trunc((256 * (((degrees % 360) + 360) % 360)) / 360);
  const n = rgb.width * rgb.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const [h, s, v] = rgbToHsv(rgb.data[i * 3]!, rgb.data[i * 3 + 1]!, rgb.data[i * 3 + 2]!);
    const [r, g, b] = hsvToRgb((h + shift) % 256, s, v);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = 255;
  }
  return { width: rgb.width, height: rgb.height, channels: 4, data: out };
}
