import { expect, test } from 'vitest';
import type { SparseVector } from '../featurizers/vector.js';
import { rareGramPenalty } from './rare-grams.js';
import { trainHeads } from './head.js';
import { trainWarm } from './warm-start.js';

const row = (indices: number[]): SparseVector => ({
  indices: Int32Array.from(indices),
  values: Float32Array.from(indices, () => 1 / Math.sqrt(indices.length)),
});

test('a gram every row has is held more firmly than the plain penalty, one few rows have less, an unseen one is left alone', () => {
  // Column 0 in every row, 1 in half, 2 in one row of eight; 3 in none.
  const rows = Array.from({ length: 8 }, (_, i) => row([0, ...(i % 2 === 0 ? [1] : []), ...(i === 0 ? [2] : [])]));
  const penalty = rareGramPenalty(rows, 4);
  expect(penalty[0]).toBeGreaterThan(1);
  expect(penalty[1]).toBeLessThan(penalty[0]!);
  expect(penalty[2]).toBeLessThan(1);
  expect(penalty[2]).toBeLessThan(penalty[1]!);
  // The typical occurrence keeps the plain strength: the mean idf over the non-zeros is the reference.
  const idf = (df: number) => Math.log(9 / (1 + df)) + 1;
  const typical = (8 * idf(8) + 4 * idf(4) + idf(1)) / 13;
  expect(penalty[1]).toBeCloseTo((typical / idf(4)) ** 2, 10);
  expect(penalty[3]).toBeCloseTo((typical / idf(0)) ** 2, 10);
});

test('with the prior, a head leans on the rare column that tells the classes apart rather than on the common one', async () => {
  // Column 0 is in every row and tells nothing; column 1 is in every row of class 1; columns 2 and 3 each mark a
  // single row of class 0 and class 1. Under the plain penalty the common columns take most of the weight.
  const rows = [row([0, 2]), row([0]), row([0]), row([0]), row([0, 1, 3]), row([0, 1]), row([0, 1]), row([0, 1])];
  const targets = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
  const train = (rareGrams: boolean) =>
    trainHeads({ rows, targets, classes: 2, inputDim: 4, subsets: [new Uint8Array(8).fill(1)], l2: 0.05, rareGrams });
  const [plain] = await train(false);
  const [rare] = await train(true);
  const margin = (head: { weights: Float32Array }, column: number) => head.weights[column * 2 + 1]! - head.weights[column * 2]!;
  // The rare marks weigh more, relative to the common class-1 column, when rare grams are held less firmly.
  expect(margin(rare!, 3) / margin(rare!, 1)).toBeGreaterThan(margin(plain!, 3) / margin(plain!, 1));
  expect(-margin(rare!, 2)).toBeGreaterThan(-margin(plain!, 2));
});

test('a warm start keeps the prior: from the same head and rows, the rare column moves further with it', async () => {
  const rows = [row([0, 2]), row([0]), row([0]), row([0]), row([0, 1, 3]), row([0, 1]), row([0, 1]), row([0, 1])];
  const targets = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
  const start = { weights: new Float32Array(4 * 2), bias: new Float32Array(2) };
  const train = (rareGrams: boolean) =>
    trainWarm({ rows, targets, classes: 2, inputDim: 4, start, seed: 3, l2: 0.05, rareGrams, breathe: () => Promise.resolve() });
  const plain = await train(false);
  const rare = await train(true);
  const margin = (head: { weights: Float32Array }, column: number) => head.weights[column * 2 + 1]! - head.weights[column * 2]!;
  expect(margin(rare, 3) / margin(rare, 1)).toBeGreaterThan(margin(plain, 3) / margin(plain, 1));
});
