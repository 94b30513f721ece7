import { expect, test } from 'vitest';
import type { SparseVector } from '../featurizers/vector.js';
import { trainCalibrated } from './calibrate.js';

/** `n` rows of two classes: feature 0 or 1 carries the class, with a row-specific feature beside it. */
function rows(n: number): { rows: SparseVector[]; targets: Int32Array } {
  const targets = Int32Array.from({ length: n }, (_, i) => i % 2);
  return { rows: Array.from(targets, (t, i) => ({ indices: Int32Array.of(t, 10 + i), values: Float32Array.of(0.8, 0.6) })), targets };
}

/** Trains with a vote callback that records what it was asked; the vote itself is uniform. */
async function calibrate(n: number) {
  const data = rows(n);
  const calls: { heldOut: number[]; trainedOn: Uint8Array }[] = [];
  const result = await trainCalibrated(data.rows, data.targets, 2, 10 + n, {
    votes: (heldOut, trainedOn) => {
      calls.push({ heldOut: [...heldOut], trainedOn });
      return new Float64Array(heldOut.length * 2).fill(0.5);
    },
  });
  return { result, calls };
}

test('with few labels every label is held out once, each by a head that never trained on it', async () => {
  const { result, calls } = await calibrate(60);
  expect(result.calibration!.heldOut).toBe(60);
  expect(calls).toHaveLength(5);
  const held = calls.flatMap((c) => c.heldOut).sort((a, b) => a - b);
  expect(held).toEqual(Array.from({ length: 60 }, (_, i) => i));
  for (const { heldOut, trainedOn } of calls) {
    for (const i of heldOut) expect(trainedOn[i]).toBe(0);
    expect(trainedOn.reduce((a, b) => a + b, 0)).toBe(60 - heldOut.length);
  }
  // The class is in feature 0 or 1: every held-out label is predicted right, and a vote of no use gets no weight.
  expect(result.heldOutAccuracy).toBe(1);
  expect(result.calibration!.voteWeight).toBe(0);
});

test('with more labels one stratified fifth is held out', async () => {
  const { result, calls } = await calibrate(200);
  expect(calls).toHaveLength(1);
  expect(result.calibration!.heldOut).toBe(40);
  expect(calls[0]!.heldOut.filter((i) => i % 2 === 0)).toHaveLength(20);
});
