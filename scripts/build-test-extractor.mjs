// Builds the small, deterministic feature-extractor models that workers/featurizers/extractor.test.ts loads through
// the test server (a site hosts its own extractor; the tests never fetch from a hub). Run with
// `node scripts/build-test-extractor.mjs`; the outputs are committed, so the tests never depend on running this.
//
// Weights come from a seeded generator, so a rebuild writes byte-identical files on any machine. The graph model
// is written by hand in the GraphDef JSON that tfjs-converter reads (no Python converter here) and computes exactly
// what the layers model does, with the same weights: the test asserts that both load paths agree.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededRandom } from './seeded-random.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(root, 'test', 'fixtures');
const SEED = 20_251_203;

/** Uniform in ±limit with Glorot's limit, so activations stay O(1) and no ReLU unit is dead for every input. */
function glorot(random, shape, fanIn, fanOut) {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (random() * 2 - 1) * limit),
    shape,
  );
}

function small(random, shape) {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (random() * 2 - 1) * 0.1),
    shape,
  );
}

/** How the test images are made; written into extractor-expected.json, and extractor.test.ts builds the same. */
const IMAGE_FORMULA =
  'image i, pixel (x, y), channel c (0 R, 1 G, 2 B; alpha 255) = (c === i % 3 ? 200 : 40) + (x * 7 + y * 13 + c * 29 + x * y * i) % 64 - 32';

/** A different dominant colour per image plus texture, so the (pooled, hence colour-driven) features differ. */
function testImage(i, size) {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) data[p + c] = (c === i % 3 ? 200 : 40) + ((x * 7 + y * 13 + c * 29 + x * y * i) % 64) - 32;
      data[p + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

/** [n, s, s, channels] floats in [0, 1]: the extractor's default input convention. Grey is luma, as extractor.ts. */
function toInput(images, channels) {
  const size = images[0].width;
  const values = new Float32Array(images.length * size * size * channels);
  let o = 0;
  for (const { data } of images) {
    for (let p = 0; p < size * size; p++) {
      if (channels === 3) for (let c = 0; c < 3; c++) values[o++] = data[p * 4 + c] / 255;
      else values[o++] = (0.299 * data[p * 4] + 0.587 * data[p * 4 + 1] + 0.114 * data[p * 4 + 2]) / 255;
    }
  }
  return tf.tensor4d(values, [images.length, size, size, channels]);
}

function l2rows(matrix) {
  return matrix.map((row) => {
    const norm = Math.hypot(...row);
    return row.map((v) => (norm > 0 ? v / norm : 0));
  });
}

async function weightBytes(tensors) {
  const parts = await Promise.all(tensors.map(async (t) => new Uint8Array((await t.data()).slice().buffer)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function writeModel(name, modelJson, weights) {
  const dir = join(FIXTURES, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson, null, 1) + '\n');
  if (weights) writeFileSync(join(dir, 'weights.bin'), weights);
  return dir;
}

/** Saves through tfjs's own serialisation, so the model.json is exactly what tfjs-layers writes for a site. */
async function saveLayers(name, model) {
  let artifacts;
  await model.save(
    tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } })),
  );
  const data = Array.isArray(artifacts.weightData) ? tf.io.concatenateArrayBuffers(artifacts.weightData) : artifacts.weightData;
  const modelJson = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  writeModel(name, modelJson, new Uint8Array(data));
}

async function main() {
  await tf.setBackend('cpu');
  const random = seededRandom(SEED);
  const expected = {};

  // 1. The main fixture: RGB 16×16 → conv 3×3×8 ReLU → global average pool → dense 16 (a 16-float feature row).
  const conv = { kernel: glorot(random, [3, 3, 3, 8], 27, 72), bias: small(random, [8]) };
  const dense = { kernel: glorot(random, [8, 16], 8, 16), bias: small(random, [16]) };
  const main = tfl.sequential({
    name: 'test_extractor',
    layers: [
      tfl.layers.conv2d({ name: 'conv', inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({ name: 'pool' }),
      tfl.layers.dense({ name: 'embed', units: 16 }),
    ],
  });
  main.setWeights([conv.kernel, conv.bias, dense.kernel, dense.bias]);
  await saveLayers('extractor-layers', main);
  const images16 = [0, 1, 2].map((i) => testImage(i, 16));
  const input16 = toInput(images16, 3);
  const out16 = main.predict(input16);
  expected['extractor-layers'] = { inputSize: 16, channels: 3, dim: 16, features: l2rows(await out16.array()) };

  // 2. The same network as a graph model. Every Const's value lives in the weights file under the node's name,
  //    which is how tfjs-converter's own output stores them.
  const graphWeights = [
    { name: 'conv/kernel', tensor: conv.kernel },
    { name: 'conv/bias', tensor: conv.bias },
    { name: 'pool/axes', tensor: tf.tensor1d([1, 2], 'int32') },
    { name: 'embed/kernel', tensor: dense.kernel },
    { name: 'embed/bias', tensor: dense.bias },
  ];
  const b64 = (s) => Buffer.from(s).toString('base64');
  const constNode = (name, dtype) => ({ name, op: 'Const', attr: { dtype: { type: dtype }, value: { tensor: { dtype } } } });
  const graphJson = {
    format: 'graph-model',
    generatedBy: 'scripts/build-test-extractor.mjs',
    convertedBy: 'hand-written GraphDef JSON (the layout tfjs-converter 4.x emits)',
    modelTopology: {
      node: [
        {
          name: 'images',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '16' }, { size: '16' }, { size: '3' }] } } },
        },
        constNode('conv/kernel', 'DT_FLOAT'),
        constNode('conv/bias', 'DT_FLOAT'),
        constNode('pool/axes', 'DT_INT32'),
        constNode('embed/kernel', 'DT_FLOAT'),
        constNode('embed/bias', 'DT_FLOAT'),
        {
          name: 'conv/Conv2D',
          op: 'Conv2D',
          input: ['images', 'conv/kernel'],
          attr: {
            T: { type: 'DT_FLOAT' },
            strides: { list: { i: ['1', '1', '1', '1'] } },
            padding: { s: b64('SAME') },
            data_format: { s: b64('NHWC') },
            dilations: { list: { i: ['1', '1', '1', '1'] } },
          },
        },
        {
          name: 'conv/BiasAdd',
          op: 'BiasAdd',
          input: ['conv/Conv2D', 'conv/bias'],
          attr: { T: { type: 'DT_FLOAT' }, data_format: { s: b64('NHWC') } },
        },
        { name: 'conv/Relu', op: 'Relu', input: ['conv/BiasAdd'], attr: { T: { type: 'DT_FLOAT' } } },
        {
          name: 'pool/Mean',
          op: 'Mean',
          input: ['conv/Relu', 'pool/axes'],
          attr: { T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } },
        },
        {
          name: 'embed/MatMul',
          op: 'MatMul',
          input: ['pool/Mean', 'embed/kernel'],
          attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } },
        },
        {
          name: 'embed/BiasAdd',
          op: 'BiasAdd',
          input: ['embed/MatMul', 'embed/bias'],
          attr: { T: { type: 'DT_FLOAT' }, data_format: { s: b64('NHWC') } },
        },
        { name: 'embedding', op: 'Identity', input: ['embed/BiasAdd'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      library: {},
      versions: { producer: 1 },
    },
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: graphWeights.map(({ name, tensor }) => ({ name, shape: tensor.shape, dtype: tensor.dtype })),
      },
    ],
  };
  writeModel('extractor-graph', graphJson, await weightBytes(graphWeights.map((w) => w.tensor)));
  expected['extractor-graph'] = expected['extractor-layers'];

  // 3. Greyscale in, a 4-D feature map out: the extractor must pool [n, h, w, c] to [n, c] itself.
  const grey = tfl.sequential({
    name: 'test_grey_map',
    layers: [tfl.layers.conv2d({ name: 'conv', inputShape: [12, 12, 1], filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu' })],
  });
  grey.setWeights([glorot(random, [3, 3, 1, 6], 9, 54), small(random, [6])]);
  await saveLayers('extractor-grey-map', grey);
  const images12 = [0, 1, 2].map((i) => testImage(i, 12));
  const map = grey.predict(toInput(images12, 1));
  expected['extractor-grey-map'] = { inputSize: 12, channels: 1, dim: 6, features: l2rows(await tf.mean(map, [1, 2]).array()) };

  // 4. Models the loader must refuse, each with the reason it should give.
  const flat = tfl.sequential({ name: 'not_an_image', layers: [tfl.layers.dense({ name: 'dense', inputShape: [10], units: 4 })] });
  flat.setWeights([glorot(random, [10, 4], 10, 4), small(random, [4])]);
  await saveLayers('extractor-bad-input', flat);

  const sequence = tfl.sequential({
    name: 'sequence_out',
    layers: [
      tfl.layers.conv2d({ name: 'conv', inputShape: [8, 8, 3], filters: 4, kernelSize: 1 }),
      tfl.layers.reshape({ name: 'tokens', targetShape: [64, 4] }),
    ],
  });
  sequence.setWeights([glorot(random, [1, 1, 3, 4], 3, 4), small(random, [4])]);
  await saveLayers('extractor-bad-output', sequence);

  // A non-square input needs no weights, so a hand-written graph of one Placeholder says it all.
  writeModel('extractor-not-square', {
    format: 'graph-model',
    generatedBy: 'scripts/build-test-extractor.mjs',
    modelTopology: {
      node: [
        {
          name: 'images',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '16' }, { size: '12' }, { size: '3' }] } } },
        },
        { name: 'out', op: 'Identity', input: ['images'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      library: {},
      versions: {},
    },
    weightsManifest: [],
  });

  // Valid JSON that is no model at all, and a model whose weights file is missing.
  writeModel('extractor-not-a-model', { name: 'hitl-classifier', note: 'valid JSON, but no modelTopology or weightsManifest' });
  const missing = { ...graphJson, weightsManifest: [{ ...graphJson.weightsManifest[0], paths: ['missing.bin'] }] };
  writeModel('extractor-missing-weights', missing);

  writeFileSync(
    join(FIXTURES, 'extractor-expected.json'),
    JSON.stringify(
      {
        about:
          "Features the fixtures give on the cpu backend (tfjs 4.22, Node) for test images i = 0, 1, 2 at the model's size: " +
          `${IMAGE_FORMULA}; inputs scaled to [0, 1], grey = 0.299 R + 0.587 G + 0.114 B; rows L2-normalised. ` +
          'Written by scripts/build-test-extractor.mjs.',
        ...expected,
      },
      (_, v) => (typeof v === 'number' ? Math.round(v * 1e7) / 1e7 : v),
      1,
    ) + '\n',
  );
  console.log(`Wrote the extractor fixtures to ${FIXTURES}`);
}

await main();
