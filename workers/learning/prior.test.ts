import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import { useBackend } from '../backend.js';
import { ServingHead, trainHeads } from './head.js';
import { priorColumns, shippedHeadParams, withShippedHead, type ShippedHead } from './prior.js';

const LABELS = ['red', 'green', 'blue'];

/** A vector as teachable-machine.ts makes it: a unit embedding, then the shipped head's scaled log-probabilities. */
function vector(embedding: number[], probs: number[]): Float32Array {
  const norm = Math.hypot(...embedding);
  return Float32Array.from([...embedding.map((v) => v / norm), ...priorColumns(probs)]);
}

function shipped(seen: Float32Array[]): ShippedHead {
  return { labels: LABELS, embeddingDim: 3, seen: () => seen };
}

test('the shipped head over the vectors answers exactly as the export did, and a label it lacks starts low', async () => {
  const probs = [
    [0.7, 0.2, 0.1],
    [1e-20, 0.5, 0.5],
  ];
  const rows = probs.map((p, i) => vector([1, i, 2], p));
  const head = new ServingHead(shippedHeadParams(shipped(rows), LABELS));
  const served = await head.predict(rows);
  probs.flat().forEach((p, i) => expect(Math.abs(served[i]! - p)).toBeLessThan(1e-6));
  head.dispose();
  const wider = shippedHeadParams(shipped(rows), [...LABELS, 'purple']);
  expect(Array.from(wider.bias)).toEqual([0, 0, 0, -4]);
});

test('replay: the shipped answers on inputs nobody labelled, never on near-duplicates of labels or where a correction is nearer', () => {
  const red = vector([1, 0, 0], [0.9, 0.05, 0.05]);
  const green = vector([0, 1, 0], [0.05, 0.9, 0.05]);
  const blue = vector([0, 0, 1], [0.05, 0.05, 0.9]);
  // Dark red pictures the export calls green; one of them a person corrected.
  const darkRed = (k: number) => vector([1, 0.55 + k / 100, 0.1], [0.1, 0.85, 0.05]);
  const greenish = vector([0.2, 1, 0], [0.05, 0.9, 0.05]);
  const seen = [red, green, blue, greenish, darkRed(0), darkRed(1), darkRed(2)];
  const corrected = darkRed(0);
  const human = { vectors: [corrected, blue], targets: Int32Array.from([0, 2]) };
  const { vectors, targets, start } = withShippedHead(shipped(seen), LABELS, human, 0.99999);
  // Human rows first, unchanged; then the replayed answers.
  expect(vectors.slice(0, 2)).toEqual(human.vectors);
  expect(Array.from(targets.slice(0, 2))).toEqual([0, 2]);
  // blue and darkRed(0) are the labelled inputs themselves; darkRed(1) and (2) sit nearer the correction than the
  // export's typical green does, so the mistake is not replayed; red, green and greenish are.
  expect(vectors.slice(2)).toEqual([red, green, greenish]);
  expect(Array.from(targets.slice(2))).toEqual([0, 1, 1]);
  expect(start).toEqual(shippedHeadParams(shipped(seen), LABELS));
  // Without the correction, the export's answers are replayed everywhere but on the labelled inputs.
  const confirmed = withShippedHead(shipped(seen), LABELS, { vectors: [blue], targets: Int32Array.from([2]) }, 0.99999);
  expect(Array.from(confirmed.targets)).toEqual([2, 0, 1, 1, 1, 1, 1]);
});

test('trainHeads from a start head: it begins there, and with nothing to learn it stays near it', async () => {
  await useBackend('cpu');
  const before = tf.memory().numTensors;
  const rows = [vector([1, 0, 0], [0.9, 0.05, 0.05]), vector([0, 1, 0], [0.05, 0.9, 0.05]), vector([0, 0, 1], [0.05, 0.05, 0.9])];
  const start = shippedHeadParams(shipped(rows), LABELS);
  const [fromStart] = await trainHeads({
    rows,
    targets: Int32Array.from([0, 1, 2]),
    classes: 3,
    inputDim: 6,
    start,
    subsets: [new Uint8Array(3).fill(1)],
  });
  // The prior columns keep (nearly) their weight: an Adam run moves them by a small fraction of PRIOR_SCALE.
  for (let c = 0; c < 3; c++) expect(Math.abs(fromStart!.weights[(3 + c) * 3 + c]! - start.weights[(3 + c) * 3 + c]!)).toBeLessThan(10);
  const [fromZero] = await trainHeads({ rows, targets: Int32Array.from([0, 1, 2]), classes: 3, inputDim: 6, subsets: [new Uint8Array(3).fill(1)] });
  expect(Math.max(...fromZero!.weights)).toBeLessThan(20);
  expect(tf.memory().numTensors).toBe(before);
  await expect(
    trainHeads({
      rows,
      targets: Int32Array.from([0, 1, 2]),
      classes: 3,
      inputDim: 6,
      start: { ...start, inputDim: 5 },
      subsets: [new Uint8Array(3).fill(1)],
    }),
  ).rejects.toThrow(RangeError);
});
