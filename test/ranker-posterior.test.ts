import { describe, expect, test } from 'vitest';
import { BradleyTerry, type Pair } from '../workers/ranker/bt-model.js';
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
