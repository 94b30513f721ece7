import * as tf from '@tensorflow/tfjs-core';
import { compactColumns, densify, type Vector } from './featurizers/vector.js';
import { shuffleInPlace } from './shuffle.js';

/** A trained softmax head: plain arrays are the truth (stored, transferred); tensors are a per-backend cache. */
export interface HeadParams {
  inputDim: number;
  labels: string[];
  /** Row-major inputDim × labels.length. */
  weights: Float32Array;
  bias: Float32Array;
}

/** Rows are densified and sent to the backend in blocks of this many, so a batch of 10,000 texts stays small. */
const PREDICT_BLOCK = 256;

/** Serves a trained head on the active backend. */
export class ServingHead {
  private tensors: { backend: string; w: tf.Tensor2D; b: tf.Tensor1D } | null = null;
  private block: Float32Array<ArrayBuffer> | null = null;

  constructor(readonly params: HeadParams) {}

  get labels(): string[] {
    return this.params.labels;
  }

  private weightsOnBackend(): { w: tf.Tensor2D; b: tf.Tensor1D } {
    const backend = tf.getBackend();
    if (this.tensors?.backend !== backend) {
      this.dispose();
      const { inputDim, labels, weights, bias } = this.params;
      this.tensors = { backend, w: tf.tensor2d(weights, [inputDim, labels.length]), b: tf.tensor1d(bias) };
    }
    return this.tensors;
  }

  /** Class probabilities, row-major rows × labels. */
  async predict(rows: readonly Vector[]): Promise<Float32Array> {
    const { inputDim, labels } = this.params;
    const classes = labels.length;
    const out = new Float32Array(rows.length * classes);
    for (let start = 0; start < rows.length; start += PREDICT_BLOCK) {
      const part = rows.slice(start, start + PREDICT_BLOCK);
      const size = part.length * inputDim;
      if (!this.block || this.block.length < size) this.block = new Float32Array(Math.min(rows.length, PREDICT_BLOCK) * inputDim);
      const dense = densify(part, inputDim, this.block).subarray(0, size);
      const { w, b } = this.weightsOnBackend();
      const probs = tf.tidy(() => tf.softmax(tf.add(tf.matMul(tf.tensor2d(dense, [part.length, inputDim]), w), b)));
      try {
        out.set(await probs.data(), start * classes);
      } finally {
        probs.dispose();
      }
    }
    return out;
  }

  dispose(): void {
    this.tensors?.w.dispose();
    this.tensors?.b.dispose();
    this.tensors = null;
  }
}

export interface TrainHeadOptions {
  rows: readonly Vector[];
  /** Label index of each row. */
  targets: Int32Array;
  classes: number;
  inputDim: number;
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
  /** Checked between steps: training stops with this error when it returns one. */
  shouldStop?: () => Error | null;
}

/**
 * Full-batch (the batch and its transpose stay on the backend, 2 × 64 MB at most) below this many floats; mini-batches
 * above it, so memory stays bounded at 10,000 examples. 800 e-mails (~13 M floats) train full-batch: ~4× faster
 * than densifying mini-batches every step.
 */
const FULL_BATCH_FLOATS = 16 * 1024 * 1024;
const MINI_BATCH = 256;
const TARGET_STEPS = 80;
const LEARNING_RATE = 0.1;
const L2 = 1e-4;

type Batch = {
  x: tf.Tensor2D;
  xt: tf.Tensor2D;
  y: tf.Tensor2D;
  /** Sample weights normalised to sum to 1, as a column. */
  sw: tf.Tensor2D;
};

/** Lets predictions and pings through while training: at most ~20 ms of work between yields. */
async function breathe(state: { last: number }): Promise<void> {
  if (performance.now() - state.last < 20) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  state.last = performance.now();
}

/**
 * Trains a softmax head from zero with Adam on class-balanced cross-entropy plus L2.
 * Starting from zero makes a retrain on the same labels give the same model.
 * Every tensor made here is disposed before it returns or throws.
 */
export async function trainHead(options: TrainHeadOptions): Promise<HeadParams & { loss: number }> {
  const { targets, classes, onEpoch, shouldStop } = options;
  const compact = compactColumns(options.rows, options.inputDim);
  const { rows, dim: inputDim } = compact;
  const n = rows.length;
  const counts = new Float32Array(classes);
  targets.forEach((t) => (counts[t]! += 1));
  const present = counts.filter((c) => c > 0).length;
  // Balanced weights: every labelled class pulls equally, however few examples it has.
  const sampleWeights = Float32Array.from(targets, (t) => n / (present * counts[t]!));

  const fullBatch = n * inputDim <= FULL_BATCH_FLOATS;
  const batchSize = fullBatch ? n : MINI_BATCH;
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const epochs = fullBatch ? TARGET_STEPS : Math.min(60, Math.max(4, Math.ceil(TARGET_STEPS / stepsPerEpoch)));

  // tf.variable keeps its own copy: the zeros it starts from must be disposed, or every training leaks two tensors.
  const [w, b] = tf.tidy(() => [
    tf.variable(tf.zeros([inputDim, classes]), true, undefined, 'float32') as tf.Variable<tf.Rank.R2>,
    tf.variable(tf.zeros([classes]), true, undefined, 'float32') as tf.Variable<tf.Rank.R1>,
  ]) as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R1>];
  const optimizer = tf.train.adam(LEARNING_RATE);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let fixed: Batch | null = null;
  const scratch = new Float32Array(batchSize * inputDim);
  const yielded = { last: performance.now() };
  let lastLoss = NaN;

  const batchTensors = (indices: Int32Array): Batch => {
    const part = Array.from(indices, (i) => rows[i]!);
    const x = tf.tensor2d(densify(part, inputDim, scratch).slice(0, part.length * inputDim), [part.length, inputDim]);
    const y = tf.cast(tf.oneHot(tf.tensor1d(Array.from(indices, (i) => targets[i]!), 'int32'), classes), 'float32') as tf.Tensor2D;
    const weights = Array.from(indices, (i) => sampleWeights[i]!);
    const total = weights.reduce((a, v) => a + v, 0);
    const sw = tf.tensor2d(weights.map((v) => v / total), [part.length, 1]);
    // matMul(x, g, transposeA) is ~5× slower on wasm than a plain matMul with x transposed once per batch.
    return { x, xt: tf.transpose(x), y, sw };
  };

  /**
   * One Adam step on the weighted cross-entropy + L2, with the gradient written out (softmax − onehot) so the
   * pre-transposed batch can be used; the same model as autodiff, several times faster.
   */
  const step = ({ x, xt, y, sw }: Batch): tf.Scalar => {
    const { loss, dW, db } = tf.tidy(() => {
      const logp = tf.logSoftmax(tf.add(tf.matMul(x, w), b));
      const g = tf.mul(tf.sub(tf.exp(logp), y), sw);
      const nll = tf.neg(tf.sum(tf.mul(y, logp), 1, true));
      return {
        loss: tf.add(tf.sum(tf.mul(nll, sw)), tf.mul(L2, tf.sum(tf.square(w)))) as tf.Scalar,
        dW: tf.add(tf.matMul(xt, g), tf.mul(2 * L2, w)),
        db: tf.sum(g, 0),
      };
    });
    optimizer.applyGradients([
      { name: w.name, tensor: dW },
      { name: b.name, tensor: db },
    ]);
    tf.dispose([dW, db]);
    return loss;
  };

  try {
    if (fullBatch) fixed = tf.tidy(() => batchTensors(order));
    for (let epoch = 1; epoch <= epochs; epoch++) {
      let lossTensor: tf.Scalar | null = null;
      if (fixed) {
        lossTensor = step(fixed);
      } else {
        shuffleInPlace(order, epoch);
        for (let start = 0; start < n; start += batchSize) {
          const stop = shouldStop?.();
          if (stop) throw stop;
          const batch = tf.tidy(() => batchTensors(order.subarray(start, start + batchSize)));
          lossTensor?.dispose();
          lossTensor = step(batch);
          tf.dispose([batch.x, batch.xt, batch.y, batch.sw]);
          await breathe(yielded);
        }
      }
      const reportEvery = fixed ? 10 : 1;
      if (lossTensor && (epoch % reportEvery === 0 || epoch === epochs)) {
        lastLoss = (await lossTensor.data())[0]!;
        onEpoch?.(epoch, epochs, lastLoss);
      }
      lossTensor?.dispose();
      const stop = shouldStop?.();
      if (stop) throw stop;
      await breathe(yielded);
    }
    const [trained, bias] = (await Promise.all([w.data(), b.data()])) as [Float32Array, Float32Array];
    let weights = trained;
    if (compact.columns) {
      weights = new Float32Array(options.inputDim * classes);
      compact.columns.forEach((column, a) => weights.set(trained.subarray(a * classes, (a + 1) * classes), column * classes));
    }
    return { inputDim: options.inputDim, labels: [], weights, bias, loss: lastLoss };
  } finally {
    if (fixed) tf.dispose([fixed.x, fixed.xt, fixed.y, fixed.sw]);
    optimizer.dispose();
    w.dispose();
    b.dispose();
  }
}
