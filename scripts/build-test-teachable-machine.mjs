// Builds a Teachable-Machine-shaped image export for test/teachable-machine.test.ts, which the test server hosts
// same-origin, as a site hosts its own export. Run with `node scripts/build-test-teachable-machine.mjs`; the outputs
// are committed, so the tests never depend on running this.
//
// The topology is Teachable Machine's (libraries/image: teachable-mobilenet.ts and custom-mobilenet.ts): a Sequential
// of two Sequentials, the first a truncated functional backbone then global average pooling (the embedding), the
// second Dense(100, ReLU) then Dense(classes, softmax, no bias); pixels enter as byte / 127 − 1. A small random
// convolutional backbone stands in for MobileNet (frozen, as Teachable Machine freezes it), and only the head is
// trained, as Teachable Machine does. metadata.json follows @teachablemachine/image's Metadata. Weights come from a
// seeded generator and training neither shuffles nor samples, so a rebuild writes the same files.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRandom } from './seeded-random.mjs';
import { TM_LABELS, TM_SIZE, tmImage } from './tm-images.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(root, 'test', 'fixtures');
const SEED = 20_261_204;
/** Pictures per kind the export is trained on; the test draws its own from seeds at or above TEST_SEEDS_FROM. */
const TRAIN_PER_KIND = 40;

function glorot(random, shape, fanIn, fanOut) {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (random() * 2 - 1) * limit),
    shape,
  );
}

/** Teachable Machine's capture(): byte / 127 − 1. */
function toInput(images) {
  const values = new Float32Array(images.length * TM_SIZE * TM_SIZE * 3);
  let o = 0;
  for (const { data } of images) {
    for (let p = 0; p < TM_SIZE * TM_SIZE; p++) for (let c = 0; c < 3; c++) values[o++] = data[p * 4 + c] / 127 - 1;
  }
  return tf.tensor4d(values, [images.length, TM_SIZE, TM_SIZE, 3]);
}

async function save(model) {
  let artifacts;
  await model.save(
    tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } })),
  );
  const data = Array.isArray(artifacts.weightData) ? tf.io.concatenateArrayBuffers(artifacts.weightData) : artifacts.weightData;
  return {
    modelJson: {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    },
    weights: new Uint8Array(data),
  };
}

function writeFolder(name, files) {
  const dir = join(FIXTURES, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    writeFileSync(join(dir, file), typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content, null, 1) + '\n');
  }
  return dir;
}

/** What @teachablemachine/image writes beside model.json (its Metadata, plus imageSize as newer exports carry). */
function metadata(labels) {
  return {
    tfjsVersion: '1.3.1',
    tmVersion: '2.4.7',
    packageVersion: '0.8.4',
    packageName: '@teachablemachine/image',
    timeStamp: '2026-12-04T00:00:00.000Z',
    userMetadata: {},
    modelName: 'tm-my-image-model',
    labels,
    imageSize: TM_SIZE,
  };
}

async function main() {
  await tf.setBackend('cpu');
  const random = seededRandom(SEED);

  // The truncated backbone: a functional model, as Teachable Machine's tf.model({ inputs, outputs: layer.output }).
  const input = tfl.input({ shape: [TM_SIZE, TM_SIZE, 3], name: 'input_1' });
  let x = tfl.layers.conv2d({ name: 'Conv1', filters: 12, kernelSize: 3, strides: 2, padding: 'same' }).apply(input);
  x = tfl.layers.reLU({ name: 'Conv1_relu' }).apply(x);
  x = tfl.layers.conv2d({ name: 'block_1_conv', filters: 24, kernelSize: 3, padding: 'same' }).apply(x);
  x = tfl.layers.reLU({ name: 'out_relu' }).apply(x);
  const truncated = tfl.model({ inputs: input, outputs: x, name: 'model1' });
  truncated.setWeights([
    glorot(random, [3, 3, 3, 12], 27, 108),
    tf.tensor1d(Float32Array.from({ length: 12 }, () => (random() - 0.5) * 0.2)),
    glorot(random, [3, 3, 12, 24], 108, 216),
    tf.tensor1d(Float32Array.from({ length: 24 }, () => (random() - 0.5) * 0.2)),
  ]);
  const backbone = tfl.sequential({
    name: 'sequential_1',
    layers: [truncated, tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_GlobalAveragePooling2D1' })],
  });
  backbone.trainable = false;
  const head = tfl.sequential({
    name: 'sequential_2',
    layers: [
      tfl.layers.dense({
        name: 'dense_Dense1',
        inputShape: [24],
        units: 100,
        activation: 'relu',
        useBias: true,
        kernelInitializer: tfl.initializers.varianceScaling({ seed: 1 }),
      }),
      tfl.layers.dense({
        name: 'dense_Dense2',
        units: TM_LABELS.length,
        activation: 'softmax',
        useBias: false,
        kernelInitializer: tfl.initializers.varianceScaling({ seed: 2 }),
      }),
    ],
  });
  const model = tfl.sequential({ name: 'sequential_3', layers: [backbone, head] });

  // The export's training set; dark-red pictures are labelled green on purpose (the mistake a person corrects).
  const kinds = ['red', 'green', 'blue', 'dark-red'];
  const target = { red: 0, green: 1, blue: 2, 'dark-red': 1 };
  const images = kinds.flatMap((kind) => Array.from({ length: TRAIN_PER_KIND }, (_, i) => ({ kind, image: tmImage(kind, i) })));
  const xs = toInput(images.map((item) => item.image));
  const ys = tf.oneHot(
    tf.tensor1d(
      images.map((item) => target[item.kind]),
      'int32',
    ),
    TM_LABELS.length,
  );
  // The head alone on the frozen backbone's embeddings, computed once: what Teachable Machine trains, for a fraction
  // of the time a fit through the backbone takes on the CPU backend.
  const embeddings = backbone.predict(xs);
  head.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await head.fit(embeddings, ys, { epochs: 200, batchSize: 32, shuffle: false, verbose: 0 });
  const accuracy = history.history.acc.at(-1);
  console.log(`export trained: accuracy ${accuracy} on its ${images.length} pictures`);
  if (accuracy < 0.95) throw new Error('The stand-in export did not learn its training set; change the seed.');

  const { modelJson, weights } = await save(model);
  const good = writeFolder('tm-export', { 'model.json': modelJson, 'weights.bin': weights, 'metadata.json': metadata(TM_LABELS) });
  // Bad inputs the loader must refuse with a clear message.
  writeFolder('tm-labels-mismatch', { 'model.json': modelJson, 'weights.bin': weights, 'metadata.json': metadata(['red', 'green']) });
  writeFolder('tm-missing-weights', { 'model.json': modelJson, 'metadata.json': metadata(TM_LABELS) });
  const graph = writeFolder('tm-graph', { 'metadata.json': metadata(TM_LABELS) });
  for (const file of ['model.json', 'weights.bin']) copyFileSync(join(FIXTURES, 'extractor-graph', file), join(graph, file));
  console.log(`wrote ${good} and the bad-input folders beside it`);
}

await main();
