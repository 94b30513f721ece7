import { describe, expect, test } from 'vitest';
import { expectedCalibrationError, fitBlend, fitTemperature, withTemperature } from './calibration.js';
import { uncertainty } from '../review.js';

describe('expectedCalibrationError', () => {
  test('is 0 when confidence matches accuracy in every bin', () => {
    // Ten predictions at 0.7 confidence, seven right.
    const probs = Array.from({ length: 10 }, () => [0.7, 0.3]).flat();
    const targets = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
    expect(expectedCalibrationError(probs, targets, 2)).toBeCloseTo(0, 10);
  });

  test('is the confidence-accuracy gap for an overconfident model', () => {
    const probs = Array.from({ length: 10 }, () => [0.95, 0.05]).flat();
    const targets = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    expect(expectedCalibrationError(probs, targets, 2)).toBeCloseTo(0.45, 10);
  });
});

describe('temperature scaling', () => {
  test('softens an overconfident model until its confidence is honest', () => {
    // Logits that say ~99 % while the model is right 75 % of the time.
    const logProbs: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < 200; i++) {
      logProbs.push(Math.log(0.99), Math.log(0.01));
      targets.push(i % 4 === 0 ? 1 : 0);
    }
    const t = fitTemperature(logProbs, targets, 2);
    expect(t).toBeGreaterThan(1);
    const calibrated = withTemperature(logProbs, 2, t);
    // The prior on log T holds it a little (< 0.01 here) short of the maximum-likelihood 0.75.
    expect(Math.abs(calibrated[0]! - 0.75)).toBeLessThan(0.01);
    expect(expectedCalibrationError(calibrated, targets, 2)).toBeLessThan(0.01);
  });

  test('keeps a calibrated model as it is', () => {
    const logProbs: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < 400; i++) {
      logProbs.push(Math.log(0.8), Math.log(0.2));
      targets.push(i % 5 === 0 ? 1 : 0);
    }
    expect(fitTemperature(logProbs, targets, 2)).toBeCloseTo(1, 2);
  });
});

describe('temperature scaling on few held-out labels', () => {
  test('does not run to the search bound when a handful of held-out labels are all right', () => {
    // Eight held-out labels, all right at 90 %: maximum likelihood alone would sharpen without limit (T → 1/20).
    const logProbs = Array.from({ length: 8 }, () => [Math.log(0.9), Math.log(0.1)]).flat();
    const targets = new Array<number>(8).fill(0);
    const t = fitTemperature(logProbs, targets, 2);
    expect(t).toBeLessThan(1);
    expect(t).toBeGreaterThan(0.25);
  });

  test('lets many held-out labels outweigh the prior', () => {
    const logProbs: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < 400; i++) {
      logProbs.push(Math.log(0.99), Math.log(0.01));
      targets.push(i % 4 === 0 ? 1 : 0);
    }
    const calibrated = withTemperature(logProbs, 2, fitTemperature(logProbs, targets, 2));
    expect(calibrated[0]).toBeCloseTo(0.75, 1);
  });
});

describe('the nearest-neighbour vote on held-out labels', () => {
  /** `n` held-out rows of two classes, all labelled 0: the head gives the label 0.6 on even rows and 0.4 on odd ones; the vote is sure, and right on the first `right`. */
  function heldOut(n: number, right: number) {
    const logProbs: number[] = [];
    const votes: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < n; i++) {
      const head = i % 2 === 0 ? 0.6 : 0.4;
      logProbs.push(Math.log(head), Math.log(1 - head));
      votes.push(...(i < right ? [0.99, 0.01] : [0.01, 0.99]));
      targets.push(0);
    }
    return { logProbs, votes, targets };
  }
  const fit = ({ logProbs, votes, targets }: ReturnType<typeof heldOut>) => fitBlend(logProbs, votes, targets, 2);

  test('is kept when the held-out labels show it helps', () => {
    expect(fit(heldOut(10, 9)).voteWeight).toBeGreaterThan(0.5);
    expect(fit(heldOut(100, 70)).voteWeight).toBeGreaterThan(0);
  });

  test('is dropped when its gain on the held-out labels is within one standard error', () => {
    // Right on 7 of 10: the likelihood alone puts 0.375 on it; 7 of 10 is what a useless vote gives often enough.
    const few = fit(heldOut(10, 7));
    expect(few.voteWeight).toBe(0);
    // The temperature is then the head's own.
    expect(few.temperature).toBeCloseTo(fitTemperature(heldOut(10, 7).logProbs, heldOut(10, 7).targets, 2), 9);
    expect(fit(heldOut(100, 60)).voteWeight).toBe(0);
  });

  test('is dropped when it makes the held-out labels more likely but answers fewer of them right', () => {
    // Three kinds of held-out rows (count, the head's probability of the label, the vote's): the vote is sure and
    // wrong where the head is right but unsure, sure and right where the head is too, and leans right where the head
    // is wrong. The likelihood prefers a weight of 0.625, which answers 33 of 67 right against the head's 46.
    const kinds = [
      [13, 0.6, 0.05],
      [21, 0.3, 0.65],
      [33, 0.55, 0.95],
    ] as const;
    const logProbs: number[] = [];
    const votes: number[] = [];
    const targets: number[] = [];
    for (const [count, head, vote] of kinds) {
      for (let i = 0; i < count; i++) {
        logProbs.push(Math.log(head), Math.log(1 - head));
        votes.push(vote, 1 - vote);
        targets.push(0);
      }
    }
    expect(fitBlend(logProbs, votes, targets, 2).voteWeight).toBe(0);
  });
});

describe('uncertainty', () => {
  test('ranks a close call above a sure one under every measure', () => {
    for (const strategy of ['least-confidence', 'margin', 'entropy'] as const) {
      expect(uncertainty([0.5, 0.45, 0.05], strategy)).toBeGreaterThan(uncertainty([0.9, 0.05, 0.05], strategy));
    }
  });

  test('margin and least-confidence disagree where they should', () => {
    // Same top probability, but the second one is close in the first case only.
    expect(uncertainty([0.5, 0.49, 0.01], 'margin')).toBeGreaterThan(uncertainty([0.5, 0.25, 0.25], 'margin'));
    expect(uncertainty([0.5, 0.49, 0.01], 'least-confidence')).toBe(uncertainty([0.5, 0.25, 0.25], 'least-confidence'));
    expect(uncertainty([1 / 3, 1 / 3, 1 / 3], 'entropy')).toBeCloseTo(1, 10);
  });
});
