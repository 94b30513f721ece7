import { describe, expect, test } from 'vitest';
import { THRESHOLD_GRID, chooseThreshold, chooseThresholdPerClass, type Check } from './threshold.js';

/** Seeded checks, confidence uniform in [0.9, 1), wrong with probability (1 − confidence) × `scale`. */
function checks(n: number, seed: number, scale = 0.5, label = () => 'a'): Check[] {
  let s = seed;
  const random = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, () => {
    const confidence = 0.9 + 0.1 * random();
    return { label: label(), confidence, correct: random() >= (1 - confidence) * scale };
  });
}

describe('chooseThreshold', () => {
  test('lets nothing through without evidence, and says how many checks it needs', () => {
    const choice = chooseThreshold([], 0.02, 0.9);
    expect(choice.threshold).toBeNull();
    // Each threshold is tested at 0.1 / 10: (0.98)^n ≤ 0.01 first holds at n = 228.
    expect(choice.needed).toBe(228);
  });

  test('passes a threshold once enough right checks lie above it, and bounds its error', () => {
    const choice = chooseThreshold(checks(2000, 1, 0.2), 0.02, 0.9);
    expect(choice.threshold).not.toBeNull();
    expect(choice.errorUpperBound).toBeLessThanOrEqual(0.02);
    expect(choice.needed).toBe(0);
    const chosen = choice.points.find((p) => p.threshold === choice.threshold)!;
    expect(chosen.passed).toBe(true);
    // Every lower threshold failed: the served one is the lowest that passed.
    for (const point of choice.points) if (point.threshold < choice.threshold!) expect(point.passed).toBe(false);
  });

  test('a top threshold with too few checks does not block the ones below (fallback procedure)', () => {
    // Nothing at or above 0.995: the first test cannot pass, yet lower ones can.
    const capped = checks(3000, 2, 0.2).map((c) => ({ ...c, confidence: Math.min(c.confidence, 0.994) }));
    const choice = chooseThreshold(capped, 0.02, 0.9);
    expect(choice.points[0]!.passed).toBe(false);
    expect(choice.threshold).not.toBeNull();
  });

  test('holds the error rate above the chosen threshold in at least `confidence` of samples', () => {
    // The true error above λ is known in closed form for this generator; count how often the choice exceeds 0.02.
    const trueError = (t: number) => {
      // confidence ~ U(0.9, 1), wrong with probability 0.5 (1 − c): mean over [t, 1] of 0.5 (1 − c) = 0.25 (1 − t),
      // above 0.02 for every t below 0.92.
      return 0.25 * (1 - Math.max(t, 0.9));
    };
    let violations = 0;
    let chosen = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const choice = chooseThreshold(checks(3000, seed * 7919), 0.02, 0.9);
      if (choice.threshold === null) continue;
      chosen += 1;
      if (trueError(choice.threshold) > 0.02) violations += 1;
    }
    expect(chosen).toBeGreaterThan(100);
    expect(violations / 200).toBeLessThanOrEqual(0.1);
  });

  test('rejects levels outside (0, 1)', () => {
    expect(() => chooseThreshold([], 0, 0.9)).toThrow(/maxError must be in \(0, 1\)/);
    expect(() => chooseThreshold([], 0.02, 1)).toThrow(/confidence must be in \(0, 1\)/);
  });

  test('tests the fixed grid, highest first', () => {
    expect(chooseThreshold([], 0.02, 0.9).points.map((p) => p.threshold)).toEqual(THRESHOLD_GRID);
    expect([...THRESHOLD_GRID].sort((a, b) => b - a)).toEqual(THRESHOLD_GRID);
  });
});

describe('chooseThresholdPerClass', () => {
  test('a label with bad answers gets no threshold while a good one does', () => {
    const good = checks(1500, 3, 0.1, () => 'good');
    const bad = checks(1500, 4, 4, () => 'bad');
    const choice = chooseThresholdPerClass([...good, ...bad], ['good', 'bad'], 0.02, 0.9, () => 1);
    expect(choice.good!.threshold).not.toBeNull();
    expect(choice.bad!.threshold).toBeNull();
    expect(choice.bad!.needed).toBeGreaterThan(0);
  });
});
