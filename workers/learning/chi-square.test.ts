import { expect, test } from 'vitest';
import { chiSquareSurvival } from './chi-square.js';

test('chi-square tail probabilities match the tables on both sides of the series/fraction switch', () => {
  // Critical values at the 5 % level for 1, 4 and 7 degrees of freedom, and at 1 % for 2.
  expect(chiSquareSurvival(3.841459, 1)).toBeCloseTo(0.05, 6);
  expect(chiSquareSurvival(9.487729, 4)).toBeCloseTo(0.05, 6);
  expect(chiSquareSurvival(14.06714, 7)).toBeCloseTo(0.05, 6);
  expect(chiSquareSurvival(9.21034, 2)).toBeCloseTo(0.01, 6);
  // Two degrees of freedom have a closed form: e^(−x/2).
  for (const x of [0.1, 1, 3, 10, 40]) expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 10);
  expect(chiSquareSurvival(0, 3)).toBe(1);
  expect(() => chiSquareSurvival(1, 0)).toThrow(RangeError);
});
