import { expect, test } from 'vitest';
import type { SparseVector } from '../featurizers/vector.js';
import { trainCalibrated } from './calibrate.js';

/** `n` rows of two classes: feature 0 or 1 carries the class, with a row-specific feature beside it. */
function rows(n: number): { rows: SparseVector[]; targets: Int32Array } {
  const targets = Int32Array.from({ length: n }, (_, i) => i % 2);
  return { rows: Array.from(targets, (t, i) => ({ indices: Int32Array.of(t, 10 + i), values: Float32Array.of(0.8, 0.6) })), targets };
}

/** Trains with a neighbours callback that records what it was asked; every class's nearest example is as far (a uniform vote, no near-duplicate). */
async function calibrate(n: number, picked?: Uint8Array) {
  const data = rows(n);
  const calls: { heldOut: number[]; trainedOn: Uint8Array }[] = [];
  const result = await trainCalibrated(data.rows, data.targets, 2, 10 + n, {
    ...(picked ? { picked } : {}),
    nearDuplicate: 0.8,
    neighbours: (heldOut, trainedOn) => {
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

/** 1 for every row but the first `unpicked` of each 10: as labels from review batches that each drew some at random. */
function pickedBut(n: number, unpickedPerTen: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i % 10 < unpickedPerTen ? 0 : 1));
}

test('labels picked for review are never held out when 30 others can be: five folds of the others below 150', async () => {
  const picked = pickedBut(100, 4);
  const { result, calls } = await calibrate(100, picked);
  expect(result.calibration!.heldOutUnpicked).toBe(true);
  expect(calls).toHaveLength(5);
  const held = calls.flatMap((c) => c.heldOut).sort((a, b) => a - b);
  expect(held).toEqual([...picked.keys()].filter((i) => !picked[i]));
  for (const { heldOut, trainedOn } of calls) {
    for (const i of heldOut) expect(trainedOn[i]).toBe(0);
    // Every picked label trains every fold's head.
    picked.forEach((p, i) => p && expect(trainedOn[i]).toBe(1));
  }
});

test('above 150 labels no head misses more than half of the unpicked labels or a fifth of all', async () => {
  // 80 unpicked of 800: two heads, each holding out half of them.
  const few = await calibrate(800, pickedBut(800, 1));
  expect(few.calls).toHaveLength(2);
  expect(few.result.calibration!.heldOut).toBe(80);
  expect(few.result.calibration!.heldOutUnpicked).toBe(true);
  for (const { heldOut, trainedOn } of few.calls) {
    expect(heldOut).toHaveLength(40);
    expect(heldOut.every((i) => i % 10 === 0 && trainedOn[i] === 0)).toBe(true);
  }
  expect(new Set(few.calls.flatMap((c) => c.heldOut)).size).toBe(80);

  // 150 unpicked of 300, more than two fifths: one head holds out a fifth of all, from the unpicked.
  const many = await calibrate(300, pickedBut(300, 5));
  expect(many.calls).toHaveLength(1);
  expect(many.result.calibration!.heldOut).toBe(60);
  expect(many.calls[0]!.heldOut.every((i) => i % 10 < 5)).toBe(true);
});

test('with fewer than 30 unpicked labels, or none picked, every label may be held out as before', async () => {
  const few = await calibrate(200, pickedBut(200, 1));
  expect(few.result.calibration!.heldOutUnpicked).toBe(false);
  expect(few.result.calibration!.heldOut).toBe(40);
  expect(few.calls[0]!.heldOut.some((i) => i % 10 !== 0)).toBe(true);

  const none = await calibrate(60, new Uint8Array(60));
  expect(none.result.calibration!.heldOutUnpicked).toBe(false);
  expect(none.result.calibration!.heldOut).toBe(60);
});
