import { describe, expect, test } from 'vitest';
import { conformalQuantile, predictionSet } from './prediction-set.js';

describe('conformal prediction sets', () => {
  test('take every label until there are enough checks for the level', () => {
    // (n + 1)(1 − 0.1) > n below n = 9.
    const few = Array.from({ length: 8 }, () => ({ trueLabelProbability: 0.9 }));
    expect(conformalQuantile(few, 0.1)).toBe(1);
    expect(predictionSet({ a: 0.6, b: 0.3, c: 0.1 }, 1)).toEqual(['a', 'b', 'c']);
  });

  test('the quantile is the ⌈(n + 1)(1 − ε)⌉-th smallest score, unknown probabilities counting as the worst', () => {
    const scores = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, null].map((p) => ({ trueLabelProbability: p }));
    // n = 10, ε = 0.2: rank ⌈11 × 0.8⌉ = 9 → scores 1 − p sorted: 0.05 … 0.45, then 1 (the unknown).
    expect(conformalQuantile(scores, 0.2)).toBeCloseTo(0.45, 10);
    expect(predictionSet({ a: 0.7, b: 0.25, c: 0.05 }, 0.45)).toEqual(['a']);
    expect(predictionSet({ a: 0.5, b: 0.45, c: 0.05 }, 0.6)).toEqual(['a', 'b']);
  });

  test('cover the true label in at least 1 − ε of new items', () => {
    // Three labels; the model's probabilities are right on average (the true label is drawn from them).
    let s = 11;
    const random = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const draw = () => {
      const raw = [random() ** 2, random(), random() * 0.5];
      const sum = raw.reduce((a, b) => a + b, 0);
      const probs = raw.map((v) => v / sum);
      const u = random();
      const truth = u < probs[0]! ? 0 : u < probs[0]! + probs[1]! ? 1 : 2;
      return { scores: { a: probs[0]!, b: probs[1]!, c: probs[2]! }, truth: ['a', 'b', 'c'][truth]! };
    };
    const calibration = Array.from({ length: 500 }, draw);
    const quantile = conformalQuantile(
      calibration.map((c) => ({ trueLabelProbability: c.scores[c.truth as 'a'] })),
      0.1,
    );
    const test = Array.from({ length: 4000 }, draw);
    const covered = test.filter((t) => predictionSet(t.scores, quantile).includes(t.truth)).length / test.length;
    expect(covered).toBeGreaterThanOrEqual(0.88);
    expect(covered).toBeLessThan(0.97);
  });
});
