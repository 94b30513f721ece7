import { expect, test } from 'vitest';
import { useBackend } from '../backend.js';
import { gaussian, seededRandom } from '../../scripts/seeded-random.mjs';
import { trainCalibrated } from './calibrate.js';
import { heldOutRight } from './calibration.js';
import { classPrior, fitServing, unevenMix, withPrior } from './class-prior.js';

test('the class mix is the centred log share of each class among the eligible labels, smoothed by one', () => {
  const targets = Int32Array.of(0, 0, 0, 0, 0, 0, 1, 1);
  const prior = classPrior(targets, 3, new Uint8Array(8).fill(1));
  // Counts 7, 3, 1 of 11 after smoothing.
  const logs = [7, 3, 1].map((c) => Math.log(c / 11));
  const mean = (logs[0]! + logs[1]! + logs[2]!) / 3;
  logs.forEach((l, c) => expect(prior[c]).toBeCloseTo(l - mean, 10));
  // Only the eligible labels count: here two of each.
  const some = classPrior(targets, 2, Uint8Array.of(1, 1, 0, 0, 0, 0, 1, 1));
  expect(some[0]).toBeCloseTo(0, 10);
  expect(some[1]).toBeCloseTo(0, 10);
});

/** Labels with `counts[c]` of class c, in class order. */
function labelled(counts: readonly number[]): Int32Array {
  return Int32Array.from(counts.flatMap((n, c) => Array.from({ length: n }, () => c)));
}

test('a mix is uneven when a Bayes factor of 20 tells it from an even one', () => {
  const all = (targets: Int32Array) => new Uint8Array(targets.length).fill(1);
  // 64 labels drawn evenly over 8 classes come out like this: even.
  const drawn = labelled([4, 6, 7, 8, 8, 9, 10, 12]);
  expect(unevenMix(drawn, 8, all(drawn))).toBe(false);
  // Rain and sun common, snow rare, as 40 days of Seattle weather: uneven.
  const days = labelled([18, 17, 3, 2, 0]);
  expect(unevenMix(days, 5, all(days))).toBe(true);
  // Only the eligible labels count: the rare class's labels left out make an even pair.
  const pair = labelled([20, 20, 3]);
  expect(
    unevenMix(
      pair,
      2,
      Uint8Array.from(pair, (t) => (t < 2 ? 1 : 0)),
    ),
  ).toBe(false);
  expect(unevenMix(pair, 3, all(pair))).toBe(true);
  // 47 labels nobody picked, drawn from cmudict's four even classes: a G-test at 5 % calls this uneven (p = 0.015).
  const fluke = labelled([9, 8, 22, 8]);
  expect(unevenMix(fluke, 4, all(fluke))).toBe(false);
  // Seven labels in ten of one class: not yet shown at 40 labels, shown at 80.
  expect(unevenMix(labelled([28, 12]), 2, all(labelled([28, 12])))).toBe(false);
  expect(unevenMix(labelled([56, 24]), 2, all(labelled([56, 24])))).toBe(true);
});

test('labels drawn from an even mix, checked after every label up to 400, are called uneven in at most 5 % of runs', () => {
  // The check runs at every training on a growing set of labels: what must hold is the chance of ever passing.
  const random = seededRandom(17);
  const runs = 1000;
  const classes = 4;
  let passed = 0;
  for (let run = 0; run < runs; run++) {
    const targets: number[] = [];
    for (let n = 1; n <= 400; n++) {
      targets.push(Math.floor(random() * classes));
      // From 30 labels, as calibration needs (MIN_EXAMPLES); every 5th, as labels arrive between trainings.
      if (n >= 30 && n % 5 === 0 && unevenMix(Int32Array.from(targets), classes, new Uint8Array(n).fill(1))) {
        passed += 1;
        break;
      }
    }
  }
  expect(passed / runs).toBeLessThanOrEqual(0.05);
});

test('adding the mix renormalises each row', () => {
  const shifted = withPrior(Float64Array.of(Math.log(0.5), Math.log(0.5)), Float64Array.of(Math.log(3), 0), 2);
  expect(Math.exp(shifted[0]!)).toBeCloseTo(0.75, 10);
  expect(Math.exp(shifted[1]!)).toBeCloseTo(0.25, 10);
});

/**
 * Held-out answers of a balanced head: sure and right on a third of the rows, and on the rest 55 % for class 1, the
 * rarer one on the balanced head's reckoning, where `common` of ten are class 0.
 */
function heldOut(n: number, common: number): { logProbs: Float64Array; targets: Int32Array } {
  const targets = new Int32Array(n);
  const logProbs = new Float64Array(n * 2);
  for (let r = 0; r < n; r++) {
    const sure = r % 3 === 0;
    targets[r] = sure ? r % 2 : r % 10 < common ? 0 : 1;
    const p = sure ? (targets[r] === 0 ? 0.95 : 0.05) : 0.45;
    logProbs[r * 2] = Math.log(p);
    logProbs[r * 2 + 1] = Math.log(1 - p);
  }
  return { logProbs, targets };
}

/** `prior` as every row's shift, the layout fitServing and withPrior take. */
function everyRow(prior: ArrayLike<number>, rows: number): Float64Array {
  return Float64Array.from({ length: rows * prior.length }, (_, i) => prior[i % prior.length]!);
}

test('an uneven mix is added unless the held-out labels show it hurts; an even one is not tried', () => {
  const skewed = heldOut(300, 9);
  const shifts = everyRow(classPrior(skewed.targets, 2, new Uint8Array(300).fill(1)), 300);
  expect(fitServing(skewed.logProbs, null, skewed.targets, 2, shifts).withMix).toBe(true);
  // The ambiguous rows now go to the common class: more held-out labels answered right than by the head alone.
  expect(heldOutRight(withPrior(skewed.logProbs, shifts, 2), skewed.targets, 2)).toBeGreaterThan(heldOutRight(skewed.logProbs, skewed.targets, 2));

  // Labels as common in each class: no mix to try (the caller passes none when unevenMix says so).
  const even = heldOut(300, 5);
  expect(unevenMix(even.targets, 2, new Uint8Array(300).fill(1))).toBe(false);
  // A mix that points the wrong way makes the labels less likely: not kept.
  expect(fitServing(skewed.logProbs, null, skewed.targets, 2, everyRow([-1, 1], 300)).withMix).toBe(false);
});

/** One number per row: class 1 is centred one standard deviation above class 0, and one row in `every` is class 1. */
function overlapping(n: number, every: number, seed: number): { rows: Float32Array[]; targets: Int32Array } {
  const random = seededRandom(seed);
  const targets = Int32Array.from({ length: n }, (_, i) => (i % every === 0 ? 1 : 0));
  return { rows: Array.from(targets, (t) => Float32Array.of(t + gaussian(random))), targets };
}

test('trained on a rare class, the served head answers with the labels’ class mix and is right more often', async () => {
  await useBackend('cpu');
  const train = overlapping(400, 6, 1);
  const { head, calibration } = await trainCalibrated(train.rows, train.targets, 2, 1);
  expect(calibration!.classPrior).toHaveLength(2);
  expect(calibration!.classPrior![0]).toBeGreaterThan(calibration!.classPrior![1]!);
  const test_ = overlapping(600, 6, 2);
  const answer = (bias: ArrayLike<number>) =>
    test_.rows.filter((row, i) => {
      const z0 = row[0]! * head.weights[0]! + bias[0]!;
      const z1 = row[0]! * head.weights[1]! + bias[1]!;
      return (z1 > z0 ? 1 : 0) === test_.targets[i];
    }).length;
  const withMix = Float32Array.from(head.bias, (b, c) => b + calibration!.classPrior![c]!);
  expect(answer(withMix)).toBeGreaterThan(answer(head.bias));

  // Labels picked for review with fewer than 30 others to hold out: their mix is the strategy's, so none is added.
  const picked = Uint8Array.from(train.targets, (_, i) => (i < 20 ? 0 : 1));
  const { calibration: pickedFit } = await trainCalibrated(train.rows, train.targets, 2, 1, { picked });
  expect(pickedFit!.classPrior).toBeUndefined();
});
