import { describe, expect, test } from 'vitest';
import { channelPrecision, channelTable } from '../workers/ranker/answer-information.js';
import { BradleyTerry, type Pair } from '../workers/ranker/bt-model.js';
import { davidson, terms } from '../workers/ranker/davidson.js';
import { selectPairs, seededRandom } from '../workers/ranker/pair-selection.js';
import { curvature, PoolPosterior } from '../workers/ranker/posterior.js';
import { difference, type Row } from '../workers/ranker/sparse.js';

// The pool posterior that informative pair selection reads: its Woodbury covariances against the dense inverse of the
// Laplace precision, and the batches drawn from it.

const DIM = 5;
const random = seededRandom(11);
const dense = (values: number[]): Row => ({ idx: Int32Array.from(values.map((_, i) => i)), val: Float64Array.from(values) });
const items = Array.from({ length: 12 }, () => dense(Array.from({ length: DIM }, () => random() * 2 - 1)));
const utility = (row: Row) => 2 * row.val[0]! - row.val[1]! + 0.5 * row.val[3]!;

function comparisons(count: number): Pair[] {
  return Array.from({ length: count }, (_, k) => {
    const [a, b] = [items[k % 12]!, items[(k * 5 + 1) % 12]!];
    return { diff: difference(a, b), y: utility(a) > utility(b) ? 1 : -1 };
  });
}

/** The inverse of a small symmetric positive definite matrix, by Gauss–Jordan. */
function inverse(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const pivot = a[c]![c]!;
    for (let j = 0; j < 2 * n; j++) a[c]![j]! /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row) => row.slice(n));
}

describe('PoolPosterior', () => {
  test('gives xᵢᵀ(L2·I + Σ h·d·dᵀ)⁻¹xⱼ, the Laplace covariance with its correlations', () => {
    const pairs = comparisons(30).filter((p) => p.diff.idx.length > 0);
    const model = new BradleyTerry(DIM, 0.5);
    model.fit(pairs);
    const precision = Array.from({ length: DIM }, (_, i) => Array.from({ length: DIM }, (_, j) => (i === j ? 0.5 : 0)));
    for (const pair of pairs) {
      const h = curvature(model, pair.diff);
      pair.diff.idx.forEach((p, s) => pair.diff.idx.forEach((q, t) => (precision[p]![q]! += h * pair.diff.val[s]! * pair.diff.val[t]!)));
    }
    const sigma = inverse(precision);
    const posterior = new PoolPosterior(model, pairs, items);
    for (const [i, j] of [
      [0, 0],
      [0, 3],
      [5, 7],
      [11, 11],
    ] as const) {
      let expected = 0;
      for (let p = 0; p < DIM; p++) for (let q = 0; q < DIM; q++) expected += items[i]!.val[p]! * sigma[p]![q]! * items[j]!.val[q]!;
      expect(posterior.cov(i, j)).toBeCloseTo(expected, 8);
    }
    // Not the diagonal approximation (which errs both ways: it ignores what a comparison says about columns jointly).
    expect(Math.abs(model.uncertainty(items[0]!) ** 2 - posterior.cov(0, 0))).toBeGreaterThan(0.05);
  });

  test('before any comparison it is the prior: xᵢᵀxⱼ / L2', () => {
    const model = new BradleyTerry(DIM, 2);
    const posterior = new PoolPosterior(model, [], items);
    const prior = items[1]!.val.reduce((sum, v, k) => sum + v * items[4]!.val[k]!, 0) / 2;
    expect(posterior.cov(1, 4)).toBeCloseTo(prior, 12);
  });
});

describe('informative pair selection', () => {
  test('k distinct pairs of distinct items, the same for the same seed, none of two identical items', () => {
    const model = new BradleyTerry(DIM, 1);
    model.fit(comparisons(20));
    const pool = [...items, items[2]!];
    const chosen = selectPairs(model, comparisons(20), pool, 8, 'informative', 5);
    expect(chosen).toHaveLength(8);
    const keys = chosen.map(([i, j]) => `${Math.min(i, j)}:${Math.max(i, j)}`);
    expect(new Set(keys).size).toBe(8);
    expect(keys).not.toContain(`2:${items.length}`);
    for (const [i, j] of chosen) expect(i).not.toBe(j);
    expect(selectPairs(model, comparisons(20), pool, 8, 'informative', 5)).toEqual(chosen);
  });
});

describe('the channel a comparison stands for', () => {
  /** The answer's mutual information with δ ~ N(d, v), by a fine brute-force sum over ±10 standard deviations. */
  function bald(d: number, v: number, theta: number): number {
    const h = (p: number[]) => -p.reduce((sum, q) => sum + (q > 0 ? q * Math.log(q) : 0), 0);
    const sd = Math.sqrt(v);
    const mean = [0, 0, 0];
    let expected = 0;
    let total = 0;
    for (let z = -10; z <= 10; z += 0.001) {
      const w = Math.exp((-z * z) / 2);
      const p = davidson(d + sd * z, theta);
      const q = [p.a, p.b, p.tie];
      q.forEach((x, k) => (mean[k]! += w * x));
      expected += w * h(q);
      total += w;
    }
    return h(mean.map((x) => x / total)) - expected / total;
  }

  test('tells what the answer tells: its mutual information with the difference, never more than log 3', () => {
    for (const theta of [-30, -1, 0.5])
      for (const d of [0, 1.5, 6])
        for (const v of [0.05, 1, 20, 400]) {
          const information = Math.log1p(channelPrecision(d, v, theta) * v) / 2;
          expect(information).toBeCloseTo(bald(d, v, theta), 2);
          expect(information).toBeLessThanOrEqual(theta < -20 ? Math.log(2) : Math.log(3));
        }
  });

  test('is the curvature when the difference is nearly known, and far below it for an uncertain pair with an obvious answer', () => {
    for (const d of [0, 2, 5]) expect(channelPrecision(d, 1e-4, -1) / terms(d, -1, 0).hd).toBeCloseTo(1, 2);
    // Two items the prior knows little about, far apart in score: the curvature at the moderated difference called
    // this comparison worth 2 nats, more than any answer of three outcomes can tell.
    const v = 200;
    const moderated = terms(6 / Math.sqrt(1 + (Math.PI * v) / 8), -1, 0).hd;
    expect(Math.log1p(moderated * v) / 2).toBeGreaterThan(Math.log(3));
    expect(channelPrecision(6, v, -1)).toBeLessThan(moderated / 5);
  });

  test('its table, read once per selection, tells within a tenth of the quadrature', () => {
    for (const theta of [-3, 0.5]) {
      const channel = channelTable(theta);
      for (let d = -10; d <= 10; d += 0.37)
        for (let logV = -6; logV <= 9; logV += 0.61) {
          const v = Math.exp(logV);
          const exact = Math.log1p(channelPrecision(d, v, theta) * v) / 2;
          const read = Math.log1p(channel(d, v) * v) / 2;
          expect(Math.abs(read - exact)).toBeLessThanOrEqual(0.1 * Math.max(exact, 1e-3));
        }
    }
  });
});
