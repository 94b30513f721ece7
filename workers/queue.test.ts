import { describe, expect, test } from 'vitest';
import { leastInformative, rankQueue } from './queue.js';
import { Similarity } from './memory/similarity.js';

const similarity = new Similarity(
  'cosine',
  () => 2,
  () => null,
);
const v = (x: number, y: number) => Float32Array.from([x, y]);

describe('rankQueue', () => {
  test('orders fresh items by uncertainty, then skipped ones by when they were skipped', () => {
    const items = [
      { probs: [0.9, 0.1], vector: v(1, 0), skipped: 0 },
      { probs: [0.5, 0.5], vector: v(0, 1), skipped: 2 },
      { probs: [0.6, 0.4], vector: v(1, 1), skipped: 0 },
      { probs: [0.55, 0.45], vector: v(1, 2), skipped: 1 },
      { probs: [0.7, 0.3], vector: v(2, 1), skipped: 0 },
    ];
    const { order, scores } = rankQueue(items, 'margin', similarity);
    expect(order).toEqual([2, 4, 0, 3, 1]);
    expect(scores[1]).toBeCloseTo(1, 12);
    expect(scores[0]).toBeCloseTo(0.2, 12);
    expect(rankQueue(items, 'least-confidence', similarity).order).toEqual([2, 4, 0, 3, 1]);
    expect(rankQueue([], 'diverse', similarity).order).toEqual([]);
  });
});

test('diverse picks the first `limit` items spread out, then the rest by uncertainty alone', () => {
  const items = [
    { probs: [0.52, 0.48], vector: v(1, 0), skipped: 0 },
    { probs: [0.53, 0.47], vector: v(1, 0.01), skipped: 0 },
    { probs: [0.7, 0.3], vector: v(0, 1), skipped: 0 },
    { probs: [0.9, 0.1], vector: v(0.7, 0.7), skipped: 0 },
    { probs: [0.51, 0.49], vector: v(1, 1), skipped: 1 },
  ];
  // By margin alone the near-copy (1) comes second; diverse passes it over for the item unlike the first pick.
  expect(rankQueue(items, 'margin', similarity).order).toEqual([0, 1, 2, 3, 4]);
  expect(rankQueue(items, 'diverse', similarity, 2).order).toEqual([0, 2, 1, 3, 4]);
});

describe('leastInformative', () => {
  test('picks the surest predictions, oldest first among equals', () => {
    const items = [
      { id: 'a', probs: [0.99, 0.01] },
      { id: 'b', probs: [0.5, 0.5] },
      { id: 'c', probs: [0.99, 0.01] },
      { id: 'd', probs: [0.7, 0.3] },
    ];
    expect(leastInformative(items, 2, 'margin')).toEqual(['a', 'c']);
    expect(leastInformative(items, 3, 'entropy')).toEqual(['a', 'c', 'd']);
    expect(leastInformative(items, 0, 'margin')).toEqual([]);
  });
});
