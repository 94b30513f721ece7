import { expect, test } from 'vitest';
import { EXPLORE_SHARE, exploreCount, randomOrder } from './review.js';

const randomPicks = (n: number, taken: ReadonlySet<number>, count: number, seed: number) => randomOrder(n, taken, seed).slice(0, count);

test('a review batch draws one in ten at random, rounded down, and never more than the pool', () => {
  expect([1, 9, 10, 19, 20, 25, 80].map((k) => exploreCount(k, 1_000, EXPLORE_SHARE))).toEqual([0, 0, 1, 1, 2, 2, 8]);
  expect(exploreCount(30, 12, EXPLORE_SHARE)).toBe(1);
  // Shares whose products land a hair under a whole number still round to it.
  expect(exploreCount(10, 100, 0.3)).toBe(3);
  expect(exploreCount(10, 100, 0)).toBe(0);
  expect(exploreCount(10, 100, 1)).toBe(10);
});

test('the random order is of the unranked items, each equally likely first, and follows the seed', () => {
  const taken = new Set([0, 1, 2]);
  const picks = randomPicks(50, taken, 10, 7);
  expect(new Set(picks).size).toBe(10);
  expect(picks.every((i) => i >= 3 && i < 50)).toBe(true);
  expect(randomPicks(50, taken, 10, 7)).toEqual(picks);
  expect(randomPicks(50, taken, 10, 8)).not.toEqual(picks);
  expect(randomPicks(5, taken, 10, 1).sort()).toEqual([3, 4]);
  // Over many seeds every index outside the ranked ones is drawn about equally often.
  const counts = new Array<number>(50).fill(0);
  for (let seed = 1; seed <= 2_000; seed++) for (const i of randomPicks(50, taken, 5, seed)) counts[i]! += 1;
  const drawn = counts.slice(3);
  expect(counts.slice(0, 3)).toEqual([0, 0, 0]);
  expect(Math.min(...drawn)).toBeGreaterThan(120);
  expect(Math.max(...drawn)).toBeLessThan(300);
});
