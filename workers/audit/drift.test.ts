import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { DRIFT_MIN_DECISIONS, DRIFT_MIN_PREDICTIONS, DRIFT_THRESHOLD, detectDrift, totalVariation, type DriftPrediction } from './drift.js';

const labels = ['spam', 'ham', 'promo'];

/** A synthetic stream: labels drawn with `shares`, confidences uniform in [lo, hi). */
function stream(n: number, shares: number[], lo: number, hi: number, random: () => number): DriftPrediction[] {
  return Array.from({ length: n }, () => {
    const u = random();
    let c = 0;
    let acc = shares[0]!;
    while (u >= acc && c < shares.length - 1) acc += shares[++c]!;
    return { label: labels[c]!, confidence: lo + (hi - lo) * random() };
  });
}

function decisions(n: number, rate: number, random: () => number): { agreed: boolean }[] {
  return Array.from({ length: n }, () => ({ agreed: random() < rate }));
}

describe('drift', () => {
  test('total variation distance: 0 for equal distributions, 1 for disjoint ones, scale-free', () => {
    expect(totalVariation([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 12);
    expect(totalVariation([5, 0], [0, 7])).toBe(1);
    expect(totalVariation([1, 1], [3, 1])).toBeCloseTo(0.25, 12);
  });

  test('a stable stream is not flagged, over many seeds, at the smallest window it reports on', () => {
    let worst = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const random = seededRandom(seed);
      const report = detectDrift(
        stream(2 * DRIFT_MIN_PREDICTIONS, [0.5, 0.3, 0.2], 0.5, 1, random),
        decisions(2 * DRIFT_MIN_DECISIONS, 0.8, random),
        DRIFT_MIN_PREDICTIONS,
        labels,
      );
      expect(report.score).not.toBeNull();
      worst = Math.max(worst, report.score!);
      expect(report.drifted, `seed ${seed}: ${report.reasons.join('; ')}`).toBe(false);
    }
    // Noise stays clearly under the threshold, not just under it by luck.
    expect(worst).toBeLessThan(DRIFT_THRESHOLD);
  });

  test('a shift of predicted labels is flagged and explained', () => {
    const random = seededRandom(7);
    const report = detectDrift([...stream(100, [0.2, 0.7, 0.1], 0.6, 1, random), ...stream(100, [0.7, 0.2, 0.1], 0.6, 1, random)], [], 100, labels);
    expect(report.drifted).toBe(true);
    expect(report.labelShift!).toBeGreaterThan(DRIFT_THRESHOLD);
    expect(report.confidenceShift!).toBeLessThan(DRIFT_THRESHOLD);
    expect(report.agreementShift).toBeNull();
    expect(report.score).toBe(report.labelShift);
    expect(report).toMatchObject({ referenceSize: 100, recentSize: 100, threshold: DRIFT_THRESHOLD });
    expect(report.reasons[0]).toMatch(/^predicted '(spam|ham)' share \d+% → \d+%$/);
  });

  test('falling confidence alone is flagged', () => {
    const random = seededRandom(11);
    const report = detectDrift([...stream(80, [0.4, 0.4, 0.2], 0.8, 1, random), ...stream(80, [0.4, 0.4, 0.2], 0.4, 0.7, random)], [], 80, labels);
    expect(report.drifted).toBe(true);
    expect(report.confidenceShift!).toBeGreaterThan(DRIFT_THRESHOLD);
    expect(report.labelShift!).toBeLessThan(DRIFT_THRESHOLD);
    expect(report.reasons.join()).toMatch(/mean confidence 0\.9\d → 0\.5\d/);
  });

  test('falling agreement with people is flagged', () => {
    const random = seededRandom(3);
    const predictions = stream(200, [0.4, 0.4, 0.2], 0.7, 1, random);
    const report = detectDrift(predictions, [...decisions(100, 0.9, random), ...decisions(100, 0.4, random)], 100, labels);
    expect(report.drifted).toBe(true);
    expect(report.agreementShift!).toBeGreaterThan(DRIFT_THRESHOLD);
    expect(report.reasons.join()).toMatch(/agreement with people 9\d% → [345]\d%/);
  });

  test('too little data reports null shifts, never a drift', () => {
    const random = seededRandom(5);
    const report = detectDrift(stream(2 * DRIFT_MIN_PREDICTIONS - 2, [1, 0, 0], 0.9, 1, random), decisions(10, 1, random), 500, labels);
    expect(report).toMatchObject({ drifted: false, score: null, labelShift: null, confidenceShift: null, agreementShift: null });
    // Many labels need more data per window: at least 10 per label.
    const many = Array.from({ length: 8 }, (_, i) => `l${i}`);
    expect(detectDrift(stream(120, [1, 0, 0], 0.9, 1, random), [], 60, many).labelShift).toBeNull();
  });
});
