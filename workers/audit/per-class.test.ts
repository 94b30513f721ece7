import { expect, test } from 'vitest';
import { classWarnings, perClassFigures } from './per-class.js';

test('per-label precision, recall and F1 of what the model showed against what people decided', () => {
  const decisions = [
    { human: 'a', predicted: 'a' },
    { human: 'a', predicted: 'b' },
    { human: 'b', predicted: 'b' },
    { human: 'b', predicted: 'b' },
  ];
  expect(perClassFigures(decisions, ['a', 'b', 'c'])).toEqual([
    { label: 'a', support: 2, predicted: 1, precision: 1, recall: 0.5, f1: 2 / 3 },
    { label: 'b', support: 2, predicted: 3, precision: 2 / 3, recall: 1, f1: 0.8 },
    { label: 'c', support: 0, predicted: 0, precision: null, recall: null, f1: null },
  ]);
});

test('labels with fewer than 5 examples, or under a fifth of the median label, are warned about, fewest first', () => {
  // Median (8 + 90) / 2 = 49: c's 8 is under a fifth of it, d's 3 under 5 whatever the others have.
  expect(classWarnings({ a: 100, b: 90, c: 8, d: 3 })).toEqual([
    { label: 'd', count: 3, reason: 'few' },
    { label: 'c', count: 8, reason: 'rare' },
  ]);
  expect(classWarnings({ a: 10, b: 8 })).toEqual([]);
  expect(classWarnings({})).toEqual([]);
});
