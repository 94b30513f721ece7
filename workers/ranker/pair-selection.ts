import type { PairStrategy } from '../../src/protocol.js';
import type { BradleyTerry } from './bt-model.js';
import { moderated } from './davidson.js';
import { covariance, variance, type Row } from './sparse.js';

/** Pools up to this many pairs are scored whole; larger pools score each item against its neighbours in score. */
const ALL_PAIRS_LIMIT = 60_000;
const SCORE_NEIGHBOURS = 12;
const RANDOM_PARTNERS = 6;

/** A small seeded generator (mulberry32): the same seed draws the same pairs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k distinct unordered pairs of distinct items, uniformly (the baseline). */
function randomPairs(n: number, k: number, random: () => number): [number, number][] {
  const seen = new Set<number>();
  const out: [number, number][] = [];
  const possible = (n * (n - 1)) / 2;
  while (out.length < Math.min(k, possible)) {
    const i = Math.floor(random() * n);
    const j = Math.floor(random() * n);
    if (i === j || seen.has(Math.min(i, j) * n + Math.max(i, j))) continue;
    seen.add(Math.min(i, j) * n + Math.max(i, j));
    out.push([i, j]);
  }
  return out;
}

/** The candidate pairs of a pool: all of them when few, else each item with its neighbours in score and a few others. */
function candidates(scores: readonly number[], random: () => number): [number, number][] {
  const n = scores.length;
  if ((n * (n - 1)) / 2 <= ALL_PAIRS_LIMIT) {
    const all: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) all.push([i, j]);
    return all;
  }
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const seen = new Set<number>();
  const out: [number, number][] = [];
  const add = (i: number, j: number) => {
    const key = Math.min(i, j) * n + Math.max(i, j);
    if (i !== j && !seen.has(key)) {
      seen.add(key);
      out.push([Math.min(i, j), Math.max(i, j)]);
    }
  };
  order.forEach((item, rank) => {
    for (let r = rank + 1; r <= Math.min(n - 1, rank + SCORE_NEIGHBOURS); r++) add(item, order[r]!);
    for (let t = 0; t < RANDOM_PARTNERS; t++) add(item, Math.floor(random() * n));
  });
  return out;
}

/**
 * The k pairs to ask a person about next. 'informative': the expected information a comparison gives about the
 * weights under the model's Laplace posterior, ½·log(1 + p(1−p)·var(d)) — large when the model cannot tell the two
 * apart (p near ½: close in score) and its difference is uncertain (var(d): items unlike what was compared). The
 * batch is kept diverse: an item already in a chosen pair counts at half its value for each use, so k pairs are not
 * k variations on one item. Identical items (a zero difference) are never paired.
 */
export function selectPairs(model: BradleyTerry, rows: readonly Row[], k: number, strategy: PairStrategy, seed: number): [number, number][] {
  const random = seededRandom(seed);
  if (rows.length < 2 || k === 0) return [];
  if (strategy === 'random') return randomPairs(rows.length, k, random);
  const scores = rows.map((row) => model.score(row));
  const variances = rows.map((row) => variance(model.precision, row));
  const scored: { i: number; j: number; value: number }[] = [];
  for (const [i, j] of candidates(scores, random)) {
    // var(s_i − s_j) = var_i + var_j − 2·cov_ij under the diagonal posterior; the covariance needs only the columns
    // both rows use, so no difference row is built.
    const v = variances[i]! + variances[j]! - 2 * covariance(model.precision, rows[i]!, rows[j]!);
    if (v <= 1e-12 && scores[i] === scores[j]) continue;
    const p = moderated(scores[i]! - scores[j]!, Math.max(0, v), model.theta);
    const pa = p.a / (p.a + p.b);
    const value = 0.5 * Math.log1p(pa * (1 - pa) * Math.max(0, v));
    // A pair the model cannot score (it should not happen) still counts, last, rather than ending the batch early.
    scored.push({ i, j, value: Number.isFinite(value) ? value : 0 });
  }
  const uses = new Int32Array(rows.length);
  const chosen: [number, number][] = [];
  const taken = new Set<number>();
  while (chosen.length < k && taken.size < scored.length) {
    let best = -1;
    let bestValue = -Infinity;
    scored.forEach((pair, index) => {
      if (taken.has(index)) return;
      const value = pair.value * 0.5 ** (uses[pair.i]! + uses[pair.j]!);
      if (value > bestValue) {
        bestValue = value;
        best = index;
      }
    });
    if (best < 0) break;
    taken.add(best);
    const pair = scored[best]!;
    uses[pair.i]! += 1;
    uses[pair.j]! += 1;
    chosen.push(random() < 0.5 ? [pair.i, pair.j] : [pair.j, pair.i]);
  }
  return chosen;
}
