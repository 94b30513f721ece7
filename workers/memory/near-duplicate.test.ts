import { expect, test } from 'vitest';
import { chooseNearDuplicateBar, fitFollowTemperature, followAll, followNearDuplicates, nearDuplicateBars } from './near-duplicate.js';

test('the bars run from the floor towards an exact copy, never off', () => {
  expect(nearDuplicateBars(0.8).map((b) => +b.toFixed(6))).toEqual([0.8, 0.9, 0.95, 0.99]);
  for (const floor of [0.8, 0.93]) for (const bar of nearDuplicateBars(floor)) expect(bar >= floor && bar < 1).toBe(true);
});

test('an exact copy follows its label at any bar; below the bar the head answers alone', () => {
  const head = Float64Array.of(0.9, 0.1);
  const perClass = Float64Array.of(0.5, 1);
  for (const bar of nearDuplicateBars(0.8)) expect(followNearDuplicates(head, perClass, 1, bar)[1]).toBeGreaterThan(0.99);
  expect(followNearDuplicates(head, Float64Array.of(0.5, 0.85), 0.85, 0.9)).toBe(head);
  expect(followNearDuplicates(head, Float64Array.of(0.5, 0.85), 0.85, 0.8)[1]).toBeGreaterThan(0.1);
});

/**
 * 60 held-out rows of two classes that a head answers at 0.8; each has a labelled example at similarity 0.85 or
 * 0.97 of the class `neighbourClass` picks.
 */
function heldOut(neighbourClass: (row: number, target: number) => number) {
  const rows = 60;
  const targets = Int32Array.from({ length: rows }, (_, r) => r % 2);
  const served = new Float64Array(rows * 2);
  const perClass = new Float64Array(rows * 2).fill(0.3);
  targets.forEach((t, r) => {
    served[r * 2 + t] = 0.8;
    served[r * 2 + 1 - t] = 0.2;
    perClass[r * 2 + neighbourClass(r, t)] = r % 3 === 0 ? 0.97 : 0.85;
  });
  return { served, perClass, targets };
}

test('the floor stays where near-duplicates share their label', () => {
  const { served, perClass, targets } = heldOut((_, t) => t);
  expect(chooseNearDuplicateBar(served, perClass, targets, 2, 0.8)).toBe(0.8);
});

test('a higher bar is chosen where the moderately near disagree and the closest agree', () => {
  // Neighbours at 0.85 carry the other label, those at 0.97 the row's own: the lowest bar above 0.85, which lets
  // the copies at 0.97 weigh most, is the most likely.
  const { served, perClass, targets } = heldOut((r, t) => (r % 3 === 0 ? t : 1 - t));
  expect(chooseNearDuplicateBar(served, perClass, targets, 2, 0.8)).toBeCloseTo(0.9, 10);
});

test('a few held-out labels are not enough to move the bar', () => {
  const { served, perClass, targets } = heldOut((r, t) => (r % 3 === 0 ? t : 1 - t));
  // Two rows: the standard error of so few cannot show a gain.
  expect(chooseNearDuplicateBar(served.subarray(0, 4), perClass.subarray(0, 4), targets.subarray(0, 2), 2, 0.8)).toBe(0.8);
});

test('a temperature makes a followed answer surer or vaguer, never another label, and leaves the others alone', () => {
  const head = Float64Array.of(0.7, 0.3);
  const perClass = Float64Array.of(0.95, 0.9);
  const plain = followNearDuplicates(head, perClass, 0.95, 0.8);
  const sharp = followNearDuplicates(head, perClass, 0.95, 0.8, 0.5);
  const soft = followNearDuplicates(head, perClass, 0.95, 0.8, 2);
  expect(sharp[0]).toBeGreaterThan(plain[0]!);
  expect(soft[0]).toBeLessThan(plain[0]!);
  expect(soft[0]).toBeGreaterThan(0.5);
  expect(sharp[0]! + sharp[1]!).toBeCloseTo(1, 12);
  // Nothing near enough to follow: the head's answer, whatever the temperature.
  expect(followNearDuplicates(head, perClass, 0.95, 0.96, 0.5)).toBe(head);
});

/**
 * Held-out rows of two classes, each with near-duplicates of both classes almost as close (0.975 for its own, 0.97
 * for the other): following blends a head that is right and sure with a memory that cannot tell them apart.
 */
function ambiguousNeighbours(rows: number) {
  const targets = Int32Array.from({ length: rows }, (_, r) => r % 2);
  const served = new Float64Array(rows * 2);
  const perClass = new Float64Array(rows * 2);
  targets.forEach((t, r) => {
    served[r * 2 + t] = 0.95;
    served[r * 2 + 1 - t] = 0.05;
    perClass[r * 2 + t] = 0.975;
    perClass[r * 2 + 1 - t] = 0.97;
  });
  return { served, perClass, targets };
}

test('answers that follow ambiguous near-duplicates get a temperature that makes them as sure as they are right', () => {
  const { served, perClass, targets } = ambiguousNeighbours(100);
  const temperature = fitFollowTemperature(served, perClass, targets, 2, 0.8);
  expect(temperature).toBeLessThan(1);
  const before = followAll(served, perClass, 2, 0.8);
  const after = followAll(served, perClass, 2, 0.8, temperature);
  for (let r = 0; r < targets.length; r++) {
    // Every row is right: the temperature raises each one's confidence in the same label.
    expect(before[r * 2 + targets[r]!]).toBeLessThan(0.7);
    expect(after[r * 2 + targets[r]!]).toBeGreaterThan(before[r * 2 + targets[r]!]!);
  }
});

test('too few followed rows, or none above the bar, leave the temperature at 1', () => {
  const few = ambiguousNeighbours(20);
  expect(fitFollowTemperature(few.served, few.perClass, few.targets, 2, 0.8)).toBe(1);
  const many = ambiguousNeighbours(100);
  expect(fitFollowTemperature(many.served, many.perClass, many.targets, 2, 0.98)).toBe(1);
});
