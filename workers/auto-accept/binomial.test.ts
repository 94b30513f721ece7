import { describe, expect, test } from 'vitest';
import { binomialCdf, checksNeeded, clopperPearsonUpper } from './binomial.js';

describe('clopperPearsonUpper', () => {
  test('matches published exact bounds', () => {
    // Zero errors: the "rule of three" neighbourhood, 1 − 0.05^(1/100).
    expect(clopperPearsonUpper(0, 100, 0.05)).toBeCloseTo(0.0295, 4);
    // 1 in 10 at one-sided 95 %: 0.3942 (e.g. R binom.test(1, 10, alternative = "less")).
    expect(clopperPearsonUpper(1, 10, 0.05)).toBeCloseTo(0.3942, 3);
    // 5 in 100 at one-sided 97.5 %: the upper end of the two-sided 95 % interval, 0.1128.
    expect(clopperPearsonUpper(5, 100, 0.025)).toBeCloseTo(0.1128, 3);
  });

  test('is the rate at which seeing so few errors has probability delta', () => {
    for (const [errors, n, delta] of [
      [3, 250, 0.01],
      [12, 400, 0.1],
      [0, 7, 0.2],
    ] as const) {
      const upper = clopperPearsonUpper(errors, n, delta);
      expect(binomialCdf(errors, n, upper)).toBeCloseTo(delta, 6);
      expect(upper).toBeGreaterThan(errors / n);
    }
  });

  test('covers the true rate in at least 1 − delta of simulated samples', () => {
    // A seeded stream of Bernoulli(0.02) checks: the bound must miss the true rate in at most ~10 % of 400 samples.
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    let misses = 0;
    for (let trial = 0; trial < 400; trial++) {
      let errors = 0;
      for (let i = 0; i < 300; i++) if (random() < 0.02) errors += 1;
      if (clopperPearsonUpper(errors, 300, 0.1) < 0.02) misses += 1;
    }
    expect(misses / 400).toBeLessThanOrEqual(0.1);
    expect(misses).toBeGreaterThan(0); // and it is not vacuously wide
  });

  test('is 1 without checks and rejects impossible counts', () => {
    expect(clopperPearsonUpper(0, 0, 0.1)).toBe(1);
    expect(() => clopperPearsonUpper(5, 3, 0.1)).toThrow(RangeError);
    expect(() => clopperPearsonUpper(0, 3, 1)).toThrow(/delta must be in \(0, 1\)/);
  });
});

describe('checksNeeded', () => {
  test('is the fewest right checks that bring the bound to maxError', () => {
    // (1 − 0.02)^n ≤ 0.1 first holds at n = 114.
    expect(checksNeeded(0, 0, 0.02, 0.1)).toBe(114);
    expect(checksNeeded(0, 100, 0.02, 0.1)).toBe(14);
    expect(checksNeeded(0, 114, 0.02, 0.1)).toBe(0);
    const withErrors = checksNeeded(2, 100, 0.02, 0.1);
    expect(clopperPearsonUpper(2, 100 + withErrors, 0.1)).toBeLessThanOrEqual(0.02);
    expect(clopperPearsonUpper(2, 100 + withErrors - 1, 0.1)).toBeGreaterThan(0.02);
  });
});
