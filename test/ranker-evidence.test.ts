import { describe, expect, test } from 'vitest';
import { BradleyTerry, type Pair } from '../workers/ranker/bt-model.js';
import { chooseL2, L2_GRID } from '../workers/ranker/cross-validation.js';
import { terms } from '../workers/ranker/davidson.js';
import { logEvidence } from '../workers/ranker/evidence.js';
import { seededRandom, selectPairs } from '../workers/ranker/pair-selection.js';
import { difference, dot, type Row } from '../workers/ranker/sparse.js';

// The Laplace evidence that chooses a ranker's L2 strength: its value against the dense formula, and the choice it
// makes on comparisons a ranker picked itself, where the out-of-fold loss chose another strength.

const DIM = 6;
const random = seededRandom(23);
const dense = (values: number[]): Row => ({ idx: Int32Array.from(values.map((_, i) => i)), val: Float64Array.from(values) });
const items = Array.from({ length: 40 }, () => dense(Array.from({ length: DIM }, () => random() * 2 - 1)));
const truth = [2, -1.5, 1, 0, 0.5, -0.5];
const utility = (row: Row) => row.val.reduce((sum, v, k) => sum + v * truth[k]!, 0);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** log det of a small symmetric positive definite matrix, by Gaussian elimination. */
function logDet(m: number[][]): number {
  const a = m.map((row) => [...row]);
  let sum = 0;
  for (let c = 0; c < a.length; c++) {
    sum += Math.log(a[c]![c]!);
    for (let r = c + 1; r < a.length; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j < a.length; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return sum;
}

/** Comparisons of random pairs with Bradley–Terry noise. */
function noisyPairs(count: number, draw: () => number): Pair[] {
  const pairs: Pair[] = [];
  while (pairs.length < count) {
    const a = items[Math.floor(draw() * items.length)]!;
    const b = items[Math.floor(draw() * items.length)]!;
    const gap = utility(a) - utility(b);
    if (a === b) continue;
    pairs.push({ diff: difference(a, b), y: draw() < sigmoid(gap) ? 1 : -1 });
  }
  return pairs;
}

describe('logEvidence', () => {
  test('is −NLL(w*) − λ/2‖w*‖² + (m/2)·log λ − ½·log det(λI + DᵀHD) at the fitted weights', () => {
    const pairs = noisyPairs(60, seededRandom(5));
    const model = new BradleyTerry(DIM, 0.3);
    model.fit(pairs);
    const precision = Array.from({ length: DIM }, (_, i) => Array.from({ length: DIM }, (_, j) => (i === j ? model.l2 : 0)));
    let value = (DIM / 2) * Math.log(model.l2) - (model.l2 / 2) * model.w.reduce((sum, w) => sum + w * w, 0);
    for (const pair of pairs) {
      const t = terms(dot(model.w, pair.diff), model.theta, pair.y);
      value -= t.loss;
      for (let i = 0; i < DIM; i++) for (let j = 0; j < DIM; j++) precision[i]![j]! += t.hd * pair.diff.val[i]! * pair.diff.val[j]!;
    }
    value -= logDet(precision) / 2;
    expect(logEvidence(model, pairs)).toBeCloseTo(value, 6);
  });

  test('chooses the strength with the highest evidence on pairs the ranker picked itself', async () => {
    // A ranker's loop: informative batches of 5 from what it has learnt, answered with Bradley–Terry noise.
    const draw = seededRandom(24);
    const pool = Array.from({ length: 60 }, () => dense(Array.from({ length: DIM }, () => draw() * 2 - 1)));
    const weights = Array.from({ length: DIM }, () => draw() * 4 - 2);
    const value = (row: Row) => row.val.reduce((sum, v, k) => sum + v * weights[k]!, 0);
    const person = seededRandom(7);
    const model = new BradleyTerry(DIM, 1);
    const pairs: Pair[] = [];
    while (pairs.length < 100) {
      for (const [i, j] of selectPairs(model, pairs, pool, 5, 'informative', pairs.length)) {
        pairs.push({ diff: difference(pool[i]!, pool[j]!), y: person() < sigmoid(value(pool[i]!) - value(pool[j]!)) ? 1 : -1 });
      }
      model.fit(pairs);
    }
    const evidence = L2_GRID.map((l2) => {
      const fitted = new BradleyTerry(DIM, l2);
      fitted.fit(pairs);
      return logEvidence(fitted, pairs);
    });
    const best = L2_GRID[evidence.indexOf(Math.max(...evidence))]!;
    const choice = await chooseL2(new BradleyTerry(DIM, 1), pairs);
    // The out-of-fold loss took 0.3 here; the evidence, 1.
    expect(choice?.l2).toBe(best);
    expect(choice?.evidence).toBeCloseTo(Math.max(...evidence), 1);
  });
});
