import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { useBackend } from '../backend.js';
import { densify, type SparseVector } from '../featurizers/vector.js';
import { solvedToConvergence } from './dense-solver.js';
import { ServingHead, trainHeads } from './head.js';

const DIM = 300;

/** Unit-norm sparse rows whose class shows in a few columns, as hashed text does. */
function dataset(n: number, classes: number, seed: number): { rows: SparseVector[]; targets: Int32Array } {
  const random = seededRandom(seed);
  const targets = Int32Array.from({ length: n }, () => Math.floor(random() * classes));
  const rows = Array.from(targets, (t) => {
    const columns = new Set<number>();
    while (columns.size < 12) columns.add(random() < 0.4 ? t * 10 + Math.floor(random() * 10) : Math.floor(random() * DIM));
    const indices = Int32Array.from([...columns].sort((a, b) => a - b));
    const values = Float32Array.from(indices, () => random() - 0.3);
    const norm = Math.hypot(...values);
    return { indices, values: values.map((v) => v / norm) };
  });
  return { rows, targets };
}

function toDense(rows: SparseVector[]): Float32Array[] {
  const block = densify(rows, DIM);
  return rows.map((_, r) => block.slice(r * DIM, (r + 1) * DIM));
}

// The sparse path must be the same model as the dense tfjs path it replaces for text: same loss, same Adam,
// same full batch. Float32 sums in another order leave only rounding between them.
// A text head's L2 strength is chosen from its labels (feature-choice.ts): the sparse path must train with it too.
test.each([
  { classes: 2, heads: 1, l2: undefined },
  { classes: 2, heads: 2, l2: undefined },
  { classes: 3, heads: 2, l2: undefined },
  { classes: 3, heads: 2, l2: 1e-2 },
])('sparse rows train the same heads as their dense copies ($classes classes, $heads heads, L2 $l2)', async ({ classes, heads, l2 }) => {
  await useBackend('wasm');
  // Enough rows that the dense copies take the fixed Adam steps too, not the solver small dense heads converge with.
  const { rows, targets } = dataset(450, classes, 5 + classes + heads);
  expect(solvedToConvergence(rows.length, DIM, classes)).toBe(false);
  const subsets = Array.from({ length: heads }, (_, h) => Uint8Array.from(targets, (_, i) => (h === 0 || i % 5 !== 0 ? 1 : 0)));
  const strength = l2 === undefined ? {} : { l2 };
  const sparse = await trainHeads({ rows, targets, classes, inputDim: DIM, subsets, ...strength });
  const dense = await trainHeads({ rows: toDense(rows), targets, classes, inputDim: DIM, subsets, ...strength });
  let largest = 0;
  dense.forEach((head) => head.weights.forEach((w) => (largest = Math.max(largest, Math.abs(w)))));
  dense.forEach((head, h) => {
    // Adam divides by the gradient's running size, so in directions the loss hardly cares about float noise is
    // amplified: the weights agree to 1 % of the largest one, the losses to four digits. A strong penalty holds the
    // weights near where its pull meets the data's, where Adam's steps stay about the learning rate whatever the
    // gradient: there they agree to 5 %.
    const tolerance = (l2 === undefined ? 0.01 : 0.05) * largest;
    head.weights.forEach((w, i) => expect(Math.abs(sparse[h]!.weights[i]! - w)).toBeLessThan(tolerance));
    head.bias.forEach((b, i) => expect(Math.abs(sparse[h]!.bias[i]! - b)).toBeLessThan(tolerance));
    expect(sparse[h]!.loss).toBeCloseTo(head.loss, 4);
  });
  // A test that compares zeros with zeros would pass for any trainer.
  expect(largest).toBeGreaterThan(0.5);
});

test('sparse rows, and a few dense rows, are served on this thread with the probabilities the backend gives', async () => {
  await useBackend('wasm');
  const { rows, targets } = dataset(80, 3, 11);
  const [trained] = await trainHeads({ rows, targets, classes: 3, inputDim: DIM, subsets: [new Uint8Array(rows.length).fill(1)] });
  const head = new ServingHead({ ...trained!, labels: ['a', 'b', 'c'] });
  try {
    const before = tf.memory().numTensors;
    const fromSparse = await head.predict(rows);
    expect(tf.memory().numTensors).toBe(before);
    const fromDense = await head.predict(toDense(rows));
    fromDense.forEach((p, i) => expect(fromSparse[i]).toBeCloseTo(p, 5));
    // A few dense rows are served on this thread rather than the backend: the same probabilities.
    const few = await head.predict(toDense(rows.slice(0, 5)));
    few.forEach((p, i) => expect(p).toBeCloseTo(fromDense[i]!, 5));
    const right = targets.reduce((a, t, r) => a + Number(fromSparse[r * 3 + t]! === Math.max(...fromSparse.subarray(r * 3, r * 3 + 3))), 0);
    expect(right / rows.length).toBeGreaterThan(0.9);
  } finally {
    head.dispose();
  }
});

test('a sparse training stops between row chunks when asked to', async () => {
  const { rows, targets } = dataset(2_000, 2, 3);
  const stop = new Error('stop');
  let calls = 0;
  await expect(
    trainHeads({
      rows,
      targets,
      classes: 2,
      inputDim: DIM,
      subsets: [new Uint8Array(rows.length).fill(1)],
      shouldStop: () => (++calls > 3 ? stop : null),
    }),
  ).rejects.toBe(stop);
});
