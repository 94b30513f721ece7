/** A seeded Fisher–Yates shuffle (xorshift32): the same labels always give the same split and the same model. */
export function shuffleInPlace(values: { length: number; [index: number]: number }, seed: number): void {
  let s = (seed * 0x9e3779b1) >>> 0 || 1;
  for (let i = values.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
}
