import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { gaussian, seededRandom } from '../scripts/seeded-random.mjs';
import { engine } from '../src/engine-client.js';
import type { Classifier } from '../src/classifier.js';
import type { ExportedModelMetadata } from '../src/protocol.js';
import { TEXT_DIM, featurizeText } from '../workers/featurizers/text.js';
import { classifier, closeAll, labelTickets } from './helpers.js';
import { draw } from './shapes.js';

afterEach(closeAll);

beforeAll(async () => {
  // The page loads the exported files as another app would: its own TensorFlow.js, on the plain CPU backend.
  await tf.setBackend('cpu');
});

/** Past 1,000 labels the widget serves the head without the nearest-neighbour vote (VOTE_MAX_EXAMPLES). */
const MANY = 1010;

async function load(files: File[]): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(tf.io.browserFiles(files));
}

async function predictExported(model: tfl.LayersModel, rows: Float32Array, count: number): Promise<Float32Array> {
  const x = tf.tensor2d(rows, [count, model.inputs[0]!.shape[1]!]);
  const y = model.predict(x) as tf.Tensor;
  try {
    return (await y.data()) as Float32Array;
  } finally {
    tf.dispose([x, y]);
  }
}

/** Served probabilities against the exported model's, label by label. */
async function expectSameProbabilities(clf: Classifier, inputs: (string | number[])[], exported: Float32Array, labels: string[]): Promise<void> {
  const served = await clf.predictBatch(inputs);
  let largest = 0;
  served.forEach((prediction, r) => {
    labels.forEach((label, c) => (largest = Math.max(largest, Math.abs(prediction.scores[label]! - exported[r * labels.length + c]!))));
  });
  // Float32 sums in another order, on another backend: equal to rounding, not to the bit.
  expect(largest).toBeLessThan(1e-5);
  // And not a trivially equal answer: the model is unsure about some rows.
  expect(Math.min(...served.map((p) => p.confidence))).toBeLessThan(0.9);
}

test('a features model exports as a layers model that takes raw rows and answers as the widget does', { timeout: 240_000 }, async () => {
  const labels = ['low', 'mid', 'high'];
  const clf = await classifier({ storage: 'memory', input: 'features', labels });
  // Columns in very different units, most off zero by tens of spreads (a year, a price): the exported model is right
  // on raw rows only if the standardisation is folded in.
  const dim = 12;
  const scale = Array.from({ length: dim }, (_, j) => 10 ** ((j % 5) - 2));
  const offset = scale.map((s, j) => s * ((j % 4) * 20 - 10));
  const row = (rand: () => number, c: number) =>
    Array.from({ length: dim }, (_, j) => offset[j]! + scale[j]! * ((j < 4 ? (c - 1) * 0.8 : 0) + gaussian(rand)));
  const rand = seededRandom(1);
  const labelled: number[][] = [];
  for (let i = 0; i < MANY; i++) {
    const c = i % 3;
    labelled.push(row(rand, c));
    await clf.label(labelled[i]!, labels[c]!);
  }
  await clf.train();

  const { files, modelJson, weights, metadata } = await clf.exportModel();
  expect(files).toEqual([modelJson, weights]);
  expect(modelJson.name).toBe('model.json');
  expect(weights.name).toBe('weights.bin');
  expect(weights.size).toBe((dim * 3 + 3) * 4);
  const json = JSON.parse(await modelJson.text()) as {
    format: string;
    weightsManifest: { paths: string[] }[];
    userDefinedMetadata: ExportedModelMetadata;
  };
  expect(json.format).toBe('layers-model');
  expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
  expect(json.userDefinedMetadata).toEqual(metadata);
  expect(metadata).toMatchObject({ labels, input: 'features', featurizer: 'raw-rows', inputDim: dim, standardization: 'folded', voteWeight: 0 });
  expect(metadata.temperature).toBe((await clf.stats()).calibration!.temperature);
  expect(metadata.leftOut.join(' ')).toMatch(/example memory/);

  const model = await load(files);
  try {
    expect(model.inputs[0]!.shape).toEqual([null, dim]);
    expect(model.getUserDefinedMetadata()).toEqual(metadata);
    // Fresh rows, each far from every labelled one, so the widget's near-duplicate memory stays out of its answer.
    const fresh = Array.from({ length: 30 }, (_, i) => row(seededRandom(1000 + i), i % 3));
    const std = Array.from({ length: dim }, (_, j) => {
      const mean = labelled.reduce((s, r) => s + r[j]!, 0) / labelled.length;
      return Math.sqrt(labelled.reduce((s, r) => s + (r[j]! - mean) ** 2, 0) / (labelled.length - 1));
    });
    for (const r of fresh) {
      const nearest = Math.min(...labelled.map((l) => l.reduce((s, v, j) => s + ((v - r[j]!) / std[j]!) ** 2, 0)));
      expect(Math.exp(-nearest / (0.05 * dim))).toBeLessThan(0.5);
    }
    const exported = await predictExported(model, Float32Array.from(fresh.flat()), fresh.length);
    await expectSameProbabilities(clf, fresh, exported, labels);
  } finally {
    model.dispose();
  }

  // Exporting again gives the same files and leaves no tensor behind in the worker.
  const before = await engine.call((api) => api.memory());
  const again = await clf.exportModel();
  expect(await again.weights.arrayBuffer()).toEqual(await weights.arrayBuffer());
  expect(await engine.call((api) => api.memory())).toEqual(before);
});

test('a text model exports its head over the hashed n-gram vectors', { timeout: 240_000 }, async () => {
  const labels = ['astronomy', 'cooking', 'sailing'];
  const clf = await classifier({ storage: 'memory', input: 'text', labels });
  const topics = [
    ['star', 'planet', 'orbit', 'comet', 'galaxy', 'telescope', 'nebula', 'moon', 'eclipse', 'meteor', 'quasar', 'pulsar'],
    ['oven', 'garlic', 'simmer', 'butter', 'flour', 'recipe', 'onion', 'knead', 'roast', 'basil', 'pepper', 'saucepan'],
    ['sail', 'keel', 'harbour', 'anchor', 'tide', 'mast', 'rudder', 'jib', 'mooring', 'regatta', 'hull', 'tack'],
  ];
  const common = ['the', 'a', 'we', 'saw', 'then', 'after', 'lunch', 'quite', 'really', 'today', 'friends', 'slowly', 'night', 'old', 'new', 'with'];
  const text = (rand: () => number, c: number) => {
    const pick = (words: string[]) => words[Math.floor(rand() * words.length)]!;
    // Common words, one word of the topic and one of any topic: the model should be unsure at times.
    return Array.from({ length: 9 }, (_, k) => (k === 0 ? pick(topics[c]!) : k === 1 ? pick(topics[Math.floor(rand() * 3)]!) : pick(common))).join(
      ' ',
    );
  };
  const rand = seededRandom(7);
  const labelled: string[] = [];
  for (let i = 0; i < MANY; i++) {
    labelled.push(text(rand, i % 3));
    await clf.label(labelled[i]!, labels[i % 3]!);
  }
  await clf.train();
  const { files, metadata } = await clf.exportModel();
  expect(metadata).toMatchObject({
    labels,
    input: 'text',
    featurizer: 'hashed-ngrams-v1',
    inputDim: TEXT_DIM,
    standardization: 'none',
    voteWeight: 0,
  });
  expect(metadata.leftOut.join(' ')).toMatch(/featurizer hashed-ngrams-v1/);

  const fresh = Array.from({ length: 30 }, (_, i) => `${text(seededRandom(5000 + i), i % 3)} tonight`);
  const vectors = fresh.map(featurizeText);
  const labelledVectors = labelled.map(featurizeText);
  const dense = new Float32Array(fresh.length * TEXT_DIM);
  vectors.forEach((v, r) => v.indices.forEach((index, j) => (dense[r * TEXT_DIM + index] = v.values[j]!)));
  // None is a near-duplicate (cosine ≥ 0.8) of a labelled text, or the widget's memory would take part in its answer.
  vectors.forEach((_, r) => {
    const row = dense.subarray(r * TEXT_DIM, (r + 1) * TEXT_DIM);
    const nearest = Math.max(...labelledVectors.map((l) => l.indices.reduce((s, index, j) => s + row[index]! * l.values[j]!, 0)));
    expect(nearest).toBeLessThan(0.8);
  });
  const model = await load(files);
  try {
    expect(model.inputs[0]!.shape).toEqual([null, TEXT_DIM]);
    await expectSameProbabilities(clf, fresh, await predictExported(model, dense, fresh.length), labels);
  } finally {
    model.dispose();
  }
});

test('an image model exports the head over its 832 scattering features, and says the featurizer stays behind', { timeout: 120_000 }, async () => {
  const clf = await classifier({ storage: 'memory', input: 'image', labels: ['circle', 'square'] });
  for (let seed = 1; seed <= 3; seed++) {
    await clf.label(draw('circle', seed), 'circle');
    await clf.label(draw('square', seed), 'square');
  }
  await clf.train();
  const { files, metadata } = await clf.exportModel();
  expect(metadata).toMatchObject({ input: 'image', featurizer: 'scattering-28', inputDim: 832, standardization: 'none', voteWeight: 0.5 });
  expect(metadata.expects).toMatch(/not pixels/);
  const model = await load(files);
  try {
    expect(model.inputs[0]!.shape).toEqual([null, 832]);
    expect(model.outputs[0]!.shape).toEqual([null, 2]);
  } finally {
    model.dispose();
  }
});

test('exportModel rejects with a RangeError until a model is trained, and again after a reset', async () => {
  const clf = await classifier({ storage: 'memory' });
  await expect(clf.exportModel()).rejects.toThrow(RangeError);
  await labelTickets(clf, 2);
  await expect(clf.exportModel()).rejects.toThrow(/has no trained model to export yet: label examples of at least 2 labels and call train\(\)/);
  await clf.train();
  await expect(clf.exportModel()).resolves.toMatchObject({ metadata: { modelVersion: 1 } });
  await clf.reset();
  await expect(clf.exportModel()).rejects.toThrow(RangeError);
});
