/** Python's `round(x, ndigits)`: round-half-to-even on the decimal value. */
export function pyRound(value: number, decimals = 0): number {
  const m = 10 ** decimals;
  const x = value * m;
  const r = Math.round(x);
  const isHalf = Math.abs(x % 1) === 0.5;
  const even = isHalf ? (r % 2 === 0 ? r : r - 1) : r;
  return even / m;
}

/** Python's `%` (result takes the divisor's sign). */
export function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
