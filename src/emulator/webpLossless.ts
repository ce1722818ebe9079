import type { Raster } from './executor/types.js';

/** LSB-first bit writer, as the VP8L bitstream is packed. */
class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let i = 0; i < bits; i++) {
      this.acc |= ((value >>> i) & 1) << this.n;
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  /** A prefix code: its bits go out most significant first. */
  writeCode(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.write((code >>> i) & 1, 1);
  }
  finish(): Uint8Array {
    if (this.n > 0) this.bytes.push(this.acc);
    return Uint8Array.from(this.bytes);
  }
}

/** Code lengths 0 and 8 only: the code-length code gives each one a 1-bit code. */
function writeFlatCode(w: BitWriter, alphabetSize: number): void {
  w.write(0, 1); // normal (not simple) prefix code
  // kCodeLengthCodeOrder = 17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, …: entries up to symbol 8 are 12.
  const order = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8];
  w.write(order.length - 4, 4);
  for (const sym of order) w.write(sym === 0 || sym === 8 ? 1 : 0, 3);
  w.write(0, 1); // max_symbol = alphabet size
  // Canonical code of the code-length code: symbol 0 → '0', symbol 8 → '1'.
  for (let s = 0; s < alphabetSize; s++) w.write(s < 256 ? 1 : 0, 1);
}

/** A single-symbol simple code: the symbol costs no bits per pixel. */
function writeSingleSymbol(w: BitWriter, symbol: number): void {
  w.write(1, 1); // simple code
  w.write(0, 1); // one symbol
  if (symbol < 2) {
    w.write(0, 1);
    w.write(symbol, 1);
  } else {
    w.write(1, 1);
    w.write(symbol, 8);
  }
}

/**
 * Encodes a raster as a lossless WebP (VP8L) without compression tricks: no transforms, no colour
 * cache, no backward references, 8-bit flat prefix codes. Large, but valid and exact, which is all
 * a thumbnail endpoint of a test server needs.
 */
export function encodeWebpLossless(r: Raster): Uint8Array {
  if (r.width < 1 || r.height < 1 || r.width > 16384 || r.height > 16384) throw new RangeError('WebP dimensions are 1..16384');
  const n = r.width * r.height;
  const c = r.channels;
  let opaque = true;
  if (c === 4) for (let i = 0; i < n && opaque; i++) opaque = r.data[i * 4 + 3] === 255;

  const w = new BitWriter();
  w.write(0x2f, 8);
  w.write(r.width - 1, 14);
  w.write(r.height - 1, 14);
  w.write(opaque ? 0 : 1, 1);
  w.write(0, 3); // version
  w.write(0, 1); // no transform
  w.write(0, 1); // no colour cache
  w.write(0, 1); // no meta prefix codes
  writeFlatCode(w, 256 + 24); // green + length prefixes
  writeFlatCode(w, 256); // red
  writeFlatCode(w, 256); // blue
  if (opaque) writeSingleSymbol(w, 255);
  else writeFlatCode(w, 256); // alpha
  writeSingleSymbol(w, 0); // distance (unused)

  for (let i = 0; i < n; i++) {
    let red: number, green: number, blue: number, alpha: number;
    if (c === 1) {
      red = green = blue = r.data[i]!;
      alpha = 255;
    } else {
      red = r.data[i * c]!;
      green = r.data[i * c + 1]!;
      blue = r.data[i * c + 2]!;
      alpha = c === 4 ? r.data[i * 4 + 3]! : 255;
    }
    w.writeCode(green, 8);
    w.writeCode(red, 8);
    w.writeCode(blue, 8);
    if (!opaque) w.writeCode(alpha, 8);
  }
  const vp8l = w.finish();
  const pad = vp8l.length & 1;
  const out = new Uint8Array(20 + vp8l.length + pad);
  const dv = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  dv.setUint32(4, 12 + vp8l.length + pad, true);
  out.set([0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c], 8); // WEBPVP8L
  dv.setUint32(16, vp8l.length, true);
  out.set(vp8l, 20);
  return out;
}
