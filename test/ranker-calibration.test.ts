import { describe, expect, test } from 'vitest';
import { fitCalibration } from '../workers/ranker/calibration.js';
import { davidson, type Outcomes } from '../workers/ranker/davidson.js';
import { seededRandom } from '../workers/ranker/pair-selection.js';
import { PreferenceModel } from '../workers/ranker/preference-model.js';
import type { SparseVector } from '../workers/storage/records.js';
import type { ComparisonRecord } from '../workers/storage/ranker-records.js';

// The calibration that train() fits to its out-of-fold predictions (a scale of the moderated score difference and the
// tie parameter), and the probabilities a ranker serves through it.

/** An outcome drawn from the three probabilities. */
function draw(p: Outcomes, random: () => number): -1 | 0 | 1 {
  const u = random();
  return u < p.a ? 1 : u < p.a + p.b ? -1 : 0;
}

/** Expected calibration error of P(a) and P(b) against what happened, both sides of each pair, 10 bins. */
function ece(predictions: readonly Outcomes[], ys: readonly number[]): number {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, hit: 0 }));
  predictions.forEach((p, i) => {
    for (const [q, hit] of [
      [p.a, ys[i] === 1 ? 1 : 0],
      [p.b, ys[i] === -1 ? 1 : 0],
    ] as const) {
      const bin = bins[Math.min(9, Math.floor(q * 10))]!;
      bin.n += 1;
      bin.p += q;
      bin.hit += hit;
    }
  });
  return bins.reduce((e, b) => (b.n === 0 ? e : e + (b.n / (2 * predictions.length)) * Math.abs(b.p / b.n - b.hit / b.n)), 0);
}

describe('fitCalibration', () => {
  test('recovers the scale and tie parameter that generated the outcomes', () => {
    const random = seededRandom(3);
    const margins = Array.from({ length: 4000 }, () => random() * 4 - 2);
    const ys = margins.map((m) => draw(davidson(2.5 * m, -0.5), random));
    const fitted = fitCalibration(margins, ys, { scale: 1, theta: -2 });
    expect(fitted.scale).toBeGreaterThan(2.2);
    expect(fitted.scale).toBeLessThan(2.8);
    expect(fitted.theta).toBeGreaterThan(-0.7);
    expect(fitted.theta).toBeLessThan(-0.3);
    expect(() => fitCalibration([0.1], [], { scale: 1, theta: -2 })).toThrow(/1 margins but 0 outcomes/);
  });
});

/**
 * Items like short words as the text featurizer sees them: a unit-length sparse row of 10 columns out of 400, most of
 * them particular to few items, and one of four columns telling the item's step (like a syllable count) half the time.
 * The person calls two items of the same step a tie and otherwise prefers the higher step. Pairs of new items are
 * what the model knows least about: its own (moderated) probabilities for them are too timid.
 */
function steppedItems(random: () => number, count: number): { vector: SparseVector; step: number }[] {
  return Array.from({ length: count }, () => {
    const step = Math.floor(random() * 4);
    const columns = new Set<number>();
    if (random() < 0.5) columns.add(step);
    while (columns.size < 10) columns.add(4 + Math.floor(random() * 396));
    const indices = Int32Array.from([...columns].sort((a, b) => a - b));
    return { vector: { indices, values: new Float32Array(indices.length).fill(1 / Math.sqrt(indices.length)) }, step };
  });
}

function comparisonsOf(items: readonly { vector: SparseVector; step: number }[], count: number, random: () => number) {
  return Array.from({ length: count }, () => {
    const i = Math.floor(random() * items.length);
    let j = Math.floor(random() * (items.length - 1));
    if (j >= i) j += 1;
    const [a, b] = [items[i]!, items[j]!];
    return { i, j, a: a.vector, b: b.vector, y: a.step === b.step ? 0 : a.step > b.step ? 1 : -1 };
  });
}

describe('a trained PreferenceModel', () => {
  test('serves probabilities through the calibration fitted to its held-out predictions, and they are calibrated', async () => {
    const random = seededRandom(7);
    const pool = steppedItems(random, 150);
    const records: ComparisonRecord[] = comparisonsOf(pool, 400, random).map((c, k) => ({
      id: `c${k}`,
      a: { id: `i${c.i}`, vector: c.a },
      b: { id: `i${c.j}`, vector: c.b },
      outcome: c.y === 1 ? 'a' : c.y === -1 ? 'b' : 'tie',
      time: k,
    }));
    const model = new PreferenceModel(
      () => 400,
      () => records,
    );
    await model.train(records);
    const calibration = model.calibration;
    expect(calibration).not.toBeNull();
    const fresh = comparisonsOf(pool, 3000, random);
    const ys = fresh.map((c) => c.y);
    const served = fresh.map((c) => model.outcome({ vector: c.a }, { vector: c.b }));
    model.calibration = null;
    const raw = fresh.map((c) => model.outcome({ vector: c.a }, { vector: c.b }));
    model.calibration = calibration;
    const [servedError, rawError] = [ece(served, ys), ece(raw, ys)];
    expect(servedError).toBeLessThan(0.05);
    expect(servedError).toBeLessThan(rawError - 0.03);
  });
});
