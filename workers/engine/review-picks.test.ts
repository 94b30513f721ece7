import { expect, test } from 'vitest';
import { ReviewPicks } from './review-picks.js';

test('remembers what was offered, forgets the oldest offers past its capacity, and an offer again counts as new', () => {
  const picks = new ReviewPicks(3);
  picks.offer(['a', 'b', 'c']);
  expect(['a', 'b', 'c'].map((id) => picks.has(id))).toEqual([true, true, true]);
  // 'a' offered again is the newest, so 'b' is the one forgotten when 'd' comes.
  picks.offer(['a', 'd']);
  expect(['a', 'b', 'c', 'd'].map((id) => picks.has(id))).toEqual([true, false, true, true]);
  picks.offer(['e', 'f', 'g', 'h']);
  expect(['a', 'c', 'd', 'f', 'g', 'h'].map((id) => picks.has(id))).toEqual([false, false, false, true, true, true]);
  picks.clear();
  expect(picks.has('h')).toBe(false);
});
