import type { CompareOutcome } from '../../src/protocol.js';
import type { OutOfFold } from './cross-validation.js';

/** Bins of the calibration error, as the classifier's calibration figures use. */
const BINS = 10;

/** Share of held-out comparisons with a winner whose winner the model scored higher (its P(a) vs P(b)). */
export function agreement({ predictions, pairs }: OutOfFold): { agreement: number | null; count: number } {
  let right = 0;
  let count = 0;
  pairs.forEach((pair, i) => {
    if (pair.y === 0) return;
    const p = predictions[i]!;
    count += 1;
    if ((p.a > p.b ? 1 : -1) === pair.y) right += 1;
  });
  return { agreement: count > 0 ? right / count : null, count };
}

/**
 * Expected calibration error of the probability that a person prefers `a` (what `probability()` returns), against
 * what happened (a tie counts as not preferring a): |mean probability − share preferred| per bin, weighted by size.
 */
export function calibrationError({ predictions, pairs }: OutOfFold): number | null {
  if (predictions.length === 0) return null;
  const sums = Array.from({ length: BINS }, () => ({ count: 0, p: 0, hit: 0 }));
  pairs.forEach((pair, i) => {
    // Each comparison counts from both sides, so the figure does not depend on which item was shown first.
    for (const [p, hit] of [
      [predictions[i]!.a, pair.y > 0 ? 1 : 0],
      [predictions[i]!.b, pair.y < 0 ? 1 : 0],
    ] as const) {
      const bin = sums[Math.min(BINS - 1, Math.floor(p * BINS))]!;
      bin.count += 1;
      bin.p += p;
      bin.hit += hit;
    }
  });
  const total = predictions.length * 2;
  return sums.reduce((ece, bin) => (bin.count === 0 ? ece : ece + (bin.count / total) * Math.abs(bin.p / bin.count - bin.hit / bin.count)), 0);
}

/**
 * Of the item triples whose three pairs were all compared (each pair by its majority outcome, ties and even splits
 * left out), how many go round in a cycle.
 */
export function intransitivity(comparisons: readonly { a: string; b: string; outcome: CompareOutcome }[]): { share: number | null; triples: number } {
  const margin = new Map<string, number>();
  const key = (x: string, y: string) => (x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`);
  for (const { a, b, outcome } of comparisons) {
    if (outcome === 'tie' || a === b) continue;
    const [winner, loser] = outcome === 'a' ? [a, b] : [b, a];
    margin.set(key(winner, loser), (margin.get(key(winner, loser)) ?? 0) + (winner < loser ? 1 : -1));
  }
  // beats.get(x) holds every y that x beats by majority.
  const beats = new Map<string, Set<string>>();
  const neighbours = new Map<string, Set<string>>();
  for (const [pair, m] of margin) {
    if (m === 0) continue;
    const [x, y] = pair.split('\u0000') as [string, string];
    const [winner, loser] = m > 0 ? [x, y] : [y, x];
    if (!beats.has(winner)) beats.set(winner, new Set());
    beats.get(winner)!.add(loser);
    for (const [u, v] of [
      [x, y],
      [y, x],
    ] as const) {
      if (!neighbours.has(u)) neighbours.set(u, new Set());
      neighbours.get(u)!.add(v);
    }
  }
  let triples = 0;
  let cycles = 0;
  const beat = (x: string, y: string) => beats.get(x)?.has(y) === true;
  for (const [u, around] of neighbours) {
    for (const v of around) {
      if (v <= u) continue;
      for (const w of around) {
        if (w <= v || !neighbours.get(v)?.has(w)) continue;
        triples += 1;
        if ((beat(u, v) && beat(v, w) && beat(w, u)) || (beat(v, u) && beat(w, v) && beat(u, w))) cycles += 1;
      }
    }
  }
  return { share: triples > 0 ? cycles / triples : null, triples };
}
