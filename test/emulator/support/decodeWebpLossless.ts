/**
 * A lossless WebP (VP8L, RFC 9649) decoder for tests, written from the format specification
 * rather than from the encoder it checks. It reads any prefix codes (simple or normal, with
 * repeat codes and `max_symbol`) but only literal pixels: images that use transforms, a colour
 * cache, meta prefix codes or backward references are rejected, not misread.
 */
export interface DecodedWebp {
  width: number;
  height: number;
  /** The header's `alpha_is_used` hint. */
  alphaHint: boolean;
  /** RGBA, row-major. */
  rgba: Uint8Array;
}

class BitReader {
  private bit = 0;
  constructor(private readonly bytes: Uint8Array) {}
  /** `n` bits, least significant first. */
  read(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.bit >>> 3;
      if (byte >= this.bytes.length) throw new RangeError('VP8L bitstream ends early');
      v |= ((this.bytes[byte]! >>> (this.bit & 7)) & 1) << i;
      this.bit++;
    }
    return v >>> 0;
  }
}

interface PrefixCode {
  decode(r: BitReader): number;
}

/** A canonical prefix code from code lengths (shorter codes first, then lower symbols). */
function canonicalCode(lengths: readonly number[]): PrefixCode {
  const used = lengths.map((len, symbol) => ({ len, symbol })).filter((s) => s.len > 0);
  if (used.length === 0) throw new Error('prefix code without symbols');
  // A code with one symbol takes no bits.
  if (used.length === 1) return { decode: () => used[0]!.symbol };
  used.sort((a, b) => a.len - b.len || a.symbol - b.symbol);
  const table = new Map<string, number>();
  let code = 0;
  let len = used[0]!.len;
  for (const s of used) {
    code <<= s.len - len;
    len = s.len;
    table.set(`${len}:${code}`, s.symbol);
    code++;
  }
  if (code > 1 << len) throw new Error('over-subscribed prefix code');
  const maxLen = len;
  return {
    decode(r) {
      let c = 0;
      for (let l = 1; l <= maxLen; l++) {
        // Codes are packed most significant bit first.
        c = (c << 1) | r.read(1);
        const symbol = table.get(`${l}:${c}`);
        if (symbol !== undefined) return symbol;
      }
      throw new Error('invalid prefix code');
    },
  };
}

const CODE_LENGTH_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

function readPrefixCode(r: BitReader, alphabetSize: number): PrefixCode {
  const lengths = new Array<number>(alphabetSize).fill(0);
  if (r.read(1) === 1) {
    const count = r.read(1) + 1;
    const firstIs8Bits = r.read(1);
    lengths[r.read(firstIs8Bits ? 8 : 1)] = 1;
    if (count === 2) lengths[r.read(8)] = 1;
    return canonicalCode(lengths);
  }
  const codeLengthLengths = new Array<number>(19).fill(0);
  const n = r.read(4) + 4;
  for (let i = 0; i < n; i++) codeLengthLengths[CODE_LENGTH_ORDER[i]!] = r.read(3);
  const codeLengthCode = canonicalCode(codeLengthLengths);
  let maxSymbol = alphabetSize;
  if (r.read(1) === 1) maxSymbol = 2 + r.read(2 + 2 * r.read(3));
  let previous = 8;
  for (let i = 0; i < alphabetSize && maxSymbol-- > 0; ) {
    const sym = codeLengthCode.decode(r);
    if (sym < 16) {
      lengths[i++] = sym;
      if (sym !== 0) previous = sym;
      continue;
    }
    const [value, repeat] = sym === 16 ? [previous, 3 + r.read(2)] : sym === 17 ? [0, 3 + r.read(3)] : [0, 11 + r.read(7)];
    if (i + repeat > alphabetSize) throw new Error('code length repeat past the alphabet');
    for (let k = 0; k < repeat; k++) lengths[i++] = value;
  }
  return canonicalCode(lengths);
}

const ascii = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));

export function decodeWebpLossless(file: Uint8Array): DecodedWebp {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (ascii(file, 0) !== 'RIFF' || ascii(file, 8) !== 'WEBP') throw new Error('not a RIFF/WEBP file');
  if (dv.getUint32(4, true) !== file.length - 8) throw new Error('RIFF size does not match the file');
  if (ascii(file, 12) !== 'VP8L') throw new Error(`unsupported chunk ${ascii(file, 12)}`);
  const chunkSize = dv.getUint32(16, true);
  if (20 + chunkSize + (chunkSize & 1) !== file.length) throw new Error('VP8L chunk size does not match the file');

  const r = new BitReader(file.subarray(20, 20 + chunkSize));
  if (r.read(8) !== 0x2f) throw new Error('bad VP8L signature');
  const width = r.read(14) + 1;
  const height = r.read(14) + 1;
  const alphaHint = r.read(1) === 1;
  if (r.read(3) !== 0) throw new Error('unknown VP8L version');
  if (r.read(1) === 1) throw new Error('transforms are not supported by this decoder');
  if (r.read(1) === 1) throw new Error('a colour cache is not supported by this decoder');
  if (r.read(1) === 1) throw new Error('meta prefix codes are not supported by this decoder');
  const green = readPrefixCode(r, 256 + 24);
  const red = readPrefixCode(r, 256);
  const blue = readPrefixCode(r, 256);
  const alpha = readPrefixCode(r, 256);
  readPrefixCode(r, 40); // distance

  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const g = green.decode(r);
    if (g >= 256) throw new Error('backward references are not supported by this decoder');
    rgba[p * 4 + 1] = g;
    rgba[p * 4] = red.decode(r);
    rgba[p * 4 + 2] = blue.decode(r);
    rgba[p * 4 + 3] = alpha.decode(r);
  }
  return { width, height, alphaHint, rgba };
}
