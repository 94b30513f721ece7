import * as tf from '@tensorflow/tfjs-core';
import { compactColumns, densify, isSparse, type SparseVector, type Vector } from '../featurizers/vector.js';
import { shuffleInPlace } from './shuffle.js';
import { solveDenseHead, solvedToConvergence } from './dense-solver.js';
import { rareGramPenalty } from './rare-grams.js';
import { predictSparse, softmaxInto, trainSparseHeads } from './sparse-head.js';

/** A trained softmax head: plain arrays are the truth (stored, transferred); tensors are a per-backend cache. */
export interface HeadParams {
  inputDim: number;
  labels: string[];
  /** Row-major inputDim × labels.length. */
  weights: Float32Array;
  bias: Float32Array;
}

/** Dense rows are sent to the backend in blocks of this many, so a batch of 10,000 stays small. */
const PREDICT_BLOCK = 256;

/** Dense rows served on this thread up to this many floats (16 image rows): ~10 µs a row. */
const SMALL_DENSE_FLOATS = 16 * 1024;

/** Class probabilities of dense rows, row-major rows × classes. */
export function predictDense(rows: readonly Float32Array[], weights: Float32Array, bias: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(rows.length * classes);
  const z = new Float64Array(classes);
  rows.forEach((row, r) => {
    for (let c = 0; c < classes; c++) z[c] = bias[c]!;
    for (let a = 0; a < row.length; a++) {
      const x = row[a]!;
      if (x === 0) continue;
      const base = a * classes;
      for (let c = 0; c < classes; c++) z[c]! += weights[base + c]! * x;
    }
    softmaxInto(z, out, r * classes);
  });
  return out;
}

/** Serves a trained head: on this thread for text and small batches, on the active backend for large dense ones. */
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
    const { inputDim, labels, weights, bias } = this.params;
    const classes = labels.length;
    // Text: only the non-zeros, on this thread (~1 µs a row, where densifying it for the backend cost ~30).
    if (rows.every(isSparse)) return predictSparse(rows, weights, bias, classes);
    // A few dense rows (a warm prediction): a backend round trip costs more than the products themselves.
    if (rows.length * inputDim <= SMALL_DENSE_FLOATS) return predictDense(rows as readonly Float32Array[], weights, bias, classes);
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
  /**
   * Awaited between steps and chunks, so the worker answers predictions and pings meanwhile. Default: a yield after
   * every ~20 ms of work; background work passes a stricter one (background.ts).
   */
  breathe?: () => Promise<void>;
  /**
   * Dense rows only: the head every head starts from and is pulled back toward (L2 on the distance to it, instead of
   * to zero), such as a shipped head (prior.ts). Default: zero.
   */
  start?: HeadParams | undefined;
  /** The L2 penalty's strength λ (loss + λ‖W‖², bias unpenalised). Default: DEFAULT_L2. */
  l2?: number;
  /** Text rows only: λ per column scaled by how rare its n-gram is among the rows (rare-grams.ts). */
  rareGrams?: boolean;
}

export interface TrainHeadsOptions extends TrainHeadOptions {
  /**
   * Which rows each head learns from (1 = used), one mask per head; progress reports the first head's loss.
   * Heads share every pass over the batch, so two heads cost little more than one (see trainHeads).
   */
  subsets: Uint8Array[];
  /**
   * Text rows only: each head's own L2 strength and rare-gram prior, one per subset (absent: every head has `l2` and
   * `rareGrams`). Candidates that differ only in their penalty train as heads of one training (crossValidate).
   */
  penalties?: readonly { l2?: number | undefined; rareGrams?: boolean | undefined }[];
}

/**
 * Dense rows (numbers, image features) train full-batch (the batch and its transpose stay on the backend, 2 × 64 MB
 * at most) below this many floats, mini-batches above it, so memory stays bounded at 10,000 examples. Sparse rows
 * (text) never densify and always train full-batch (sparse-head.ts).
 */
const FULL_BATCH_FLOATS = 16 * 1024 * 1024;
const MINI_BATCH = 256;
const TARGET_STEPS = 80;
const LEARNING_RATE = 0.1;
export const DEFAULT_L2 = 1e-4;

type Batch = {
  /** rows × dim, for the weight gradient. */
  x: tf.Tensor2D;
  /** dim × rows, for the logits. */
  xt: tf.Tensor2D;
  /** One-hot targets, classes × rows. */
  yt: tf.Tensor2D;
  /** Per-head sample weights, each head's summing to 1 over the batch (0 for rows it does not learn from): heads × 1 × rows. */
  sw: tf.Tensor3D;
};

/**
 * One macrotask turn, so messages that arrived meanwhile (predictions, pings) are handled. A MessageChannel rather
 * than setTimeout(0): nested timeouts are clamped to 4 ms, a fifth of every 20 ms slice of training.
 */
const yieldChannel = new MessageChannel();
const yieldWaiters: (() => void)[] = [];
yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    yieldWaiters.push(resolve);
    yieldChannel.port2.postMessage(null);
  });
}

/** Lets predictions and pings through while training: a `breathe` that yields after ~20 ms of work. */
export function breather(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < 20) return;
    await nextTask();
    last = performance.now();
  };
}

/** Trains one softmax head on every row; see trainHeads. */
export async function trainHead(options: TrainHeadOptions): Promise<HeadParams & { loss: number }> {
  const [head] = await trainHeads({ ...options, subsets: [new Uint8Array(options.rows.length).fill(1)] });
  return head!;
}

/**
 * Trains softmax heads from zero with Adam on class-balanced cross-entropy plus L2, each on its own subset of the
 * rows, in one pass per step: the weights of all heads are the rows of one (heads·classes) × dim matrix, so each
 * step reads the batch twice — logits = W·xᵀ, gradient = gᵀ·x — whatever the number of heads. On wasm the batch
 * read is the cost (800 e-mails × 16,384 columns: 2 heads in one pass took 60 % of the time of two passes), and
 * these two products were the fastest orientations of the four in a probe at the time. Adam and L2 act
 * element by element, so every head ends exactly where training it alone would. Text rows take the sparse path,
 * the same model on their non-zeros only (sparse-head.test.ts checks that both paths agree).
 * Starting from zero makes a retrain on the same labels give the same model.
 * Every tensor made here is disposed before it returns or throws.
 */
export async function trainHeads(options: TrainHeadsOptions): Promise<(HeadParams & { loss: number })[]> {
  const { targets, classes, onEpoch, shouldStop, subsets } = options;
  const l2 = options.l2 ?? DEFAULT_L2;
  const heads = subsets.length;
  // Balanced weights: every labelled class pulls equally on a head, however few examples it has.
  const sampleWeights = subsets.map((subset) => {
    const counts = new Float32Array(classes);
    targets.forEach((t, i) => (counts[t]! += subset[i]!));
    const present = counts.filter((c) => c > 0).length;
    const used = counts.reduce((a, c) => a + c, 0);
    return Float32Array.from(targets, (t, i) => (subset[i] ? used / (present * counts[t]!) : 0));
  });
  if (options.penalties && options.penalties.length !== heads) {
    throw new RangeError(`penalties has ${options.penalties.length} entries for ${heads} subsets.`);
  }
  if (options.rows.length > 0 && options.rows.every(isSparse)) {
    if (options.start) throw new RangeError('A start head is for dense rows; text rows always train from zero.');
    return trainSparse(options, sampleWeights, l2);
  }
  if (options.penalties && options.rows.length > 0) throw new RangeError('Penalties per head are for text rows; dense heads train with one l2.');
  const compact = compactColumns(options.rows, options.inputDim);
  const { rows, dim: inputDim } = compact;
  const n = rows.length;
  if (solvedToConvergence(n, inputDim, classes) && rows.every((r) => r instanceof Float32Array)) {
    return solveDense(options, rows as Float32Array[], sampleWeights, l2);
  }

  const fullBatch = n * inputDim <= FULL_BATCH_FLOATS;
  const batchSize = fullBatch ? n : MINI_BATCH;
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const epochs = fullBatch ? TARGET_STEPS : Math.min(60, Math.max(4, Math.ceil(TARGET_STEPS / stepsPerEpoch)));
  const outputs = heads * classes;

  // tf.variable keeps its own copy: the zeros it starts from must be disposed, or every training leaks two tensors.
  const start = options.start ? startTensors(options.start, heads, classes, inputDim) : null;
  const [w, b] = tf.tidy(() => [
    tf.variable(start ? start.w : tf.zeros([outputs, inputDim]), true, undefined, 'float32') as tf.Variable<tf.Rank.R2>,
    tf.variable(start ? start.b : tf.zeros([outputs, 1]), true, undefined, 'float32') as tf.Variable<tf.Rank.R2>,
  ]) as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R2>];
  // L2 pulls toward the start: the distance to it is what is penalised.
  const anchor = start?.w ?? null;
  const optimizer = tf.train.adam(LEARNING_RATE);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let fixed: Batch | null = null;
  const scratch = new Float32Array(batchSize * inputDim);
  const pause = options.breathe ?? breather();
  let lastLoss = NaN;

  const batchTensors = (indices: Int32Array): Batch => {
    const part = Array.from(indices, (i) => rows[i]!);
    const x = tf.tensor2d(densify(part, inputDim, scratch).slice(0, part.length * inputDim), [part.length, inputDim]);
    const yt = tf.transpose(
      tf.cast(
        tf.oneHot(
          tf.tensor1d(
            Array.from(indices, (i) => targets[i]!),
            'int32',
          ),
          classes,
        ),
        'float32',
      ),
    ) as tf.Tensor2D;
    const weights = new Float32Array(heads * part.length);
    sampleWeights.forEach((perRow, h) => {
      let total = 0;
      indices.forEach((i) => (total += perRow[i]!));
      if (total > 0) indices.forEach((i, j) => (weights[h * part.length + j] = perRow[i]! / total));
    });
    return { x, xt: tf.transpose(x), yt, sw: tf.tensor3d(weights, [heads, 1, part.length]) };
  };

  /**
   * One Adam step on the weighted cross-entropy + L2 of every head, with the gradient written out
   * (softmax − onehot): the same model as autodiff, with the products in the orientations wasm runs fastest.
   */
  const step = ({ x, xt, yt, sw }: Batch): tf.Tensor1D => {
    const m = x.shape[0];
    const { loss, dW, db } = tf.tidy(() => {
      const z = tf.reshape(tf.add(tf.matMul(w, xt), b), [heads, classes, m]);
      // tf.logSoftmax takes the last axis only; the classes are the middle one here.
      const logp = tf.sub(z, tf.logSumExp(z, 1, true));
      const g = tf.mul(tf.sub(tf.exp(logp), yt), sw);
      const nll = tf.neg(tf.sum(tf.mul(yt, logp), 1));
      const g2 = tf.reshape(g, [outputs, m]);
      return {
        // The first head's loss only: it is the one progress reports.
        loss: tf.reshape(
          tf.add(
            tf.sum(tf.mul(tf.slice(nll, [0, 0], [1, m]), tf.reshape(tf.slice(sw, [0, 0, 0], [1, 1, m]), [1, m]))),
            tf.mul(l2, tf.sum(tf.square(tf.slice(anchor ? tf.sub(w, anchor) : w, [0, 0], [classes, inputDim])))),
          ),
          [1],
        ) as tf.Tensor1D,
        dW: tf.add(tf.matMul(g2, x), tf.mul(2 * l2, anchor ? tf.sub(w, anchor) : w)),
        db: tf.sum(g2, 1, true),
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
      let lossTensor: tf.Tensor1D | null = null;
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
          tf.dispose([batch.x, batch.xt, batch.yt, batch.sw]);
          await pause();
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
      await pause();
    }
    const [trained, bias] = (await Promise.all([w.data(), b.data()])) as [Float32Array, Float32Array];
    return subsets.map((_, h) => {
      // Back to the serving layout: inputDim × classes, row-major, over every original column.
      const weights = new Float32Array(options.inputDim * classes);
      for (let a = 0; a < inputDim; a++) {
        const column = compact.columns ? compact.columns[a]! : a;
        for (let c = 0; c < classes; c++) weights[column * classes + c] = trained[(h * classes + c) * inputDim + a]!;
      }
      return { inputDim: options.inputDim, labels: [], weights, bias: bias.slice(h * classes, (h + 1) * classes), loss: lastLoss };
    });
  } finally {
    if (fixed) tf.dispose([fixed.x, fixed.xt, fixed.yt, fixed.sw]);
    optimizer.dispose();
    w.dispose();
    b.dispose();
    if (start) tf.dispose([start.w, start.b]);
  }
}

/**
 * Small dense rows: each head solved to convergence (dense-solver.ts) instead of TARGET_STEPS Adam steps, from the
 * start head when there is one.
 */
async function solveDense(
  options: TrainHeadsOptions,
  rows: readonly Float32Array[],
  sampleWeights: Float32Array[],
  l2: number,
): Promise<(HeadParams & { loss: number })[]> {
  const { targets, classes, onEpoch, shouldStop, start } = options;
  const dim = options.inputDim;
  if (start) checkStart(start, classes, dim);
  const from = start
    ? {
        w: Float32Array.from({ length: classes * dim }, (_, k) => start.weights[(k % dim) * classes + Math.floor(k / dim)]!),
        b: Float32Array.from(start.bias),
      }
    : undefined;
  const breathe = options.breathe ?? breather();
  const heads: (HeadParams & { loss: number })[] = [];
  for (const perRow of summingToOne(sampleWeights)) {
    const solved = await solveDenseHead({
      rows,
      dim,
      targets,
      classes,
      sampleWeights: perRow,
      l2,
      ...(from ? { start: from } : {}),
      breathe,
      ...(shouldStop ? { shouldStop } : {}),
    });
    // Back to the serving layout: dim × classes, row-major.
    const weights = new Float32Array(dim * classes);
    for (let a = 0; a < dim; a++) for (let c = 0; c < classes; c++) weights[a * classes + c] = solved.w[c * dim + a]!;
    heads.push({ inputDim: options.inputDim, labels: [], weights, bias: solved.b, loss: heads[0]?.loss ?? solved.loss });
    onEpoch?.(heads.length, sampleWeights.length, heads[0]!.loss);
  }
  return heads;
}

/** Full-batch paths (sparse, solver): each head's sample weights scaled to sum to 1 over the whole batch. */
function summingToOne(sampleWeights: readonly Float32Array[]): Float32Array[] {
  return sampleWeights.map((perRow) => {
    const total = perRow.reduce((a, x) => a + x, 0);
    return total > 0 ? perRow.map((x) => x / total) : perRow;
  });
}

/** A start head must have the shape of the heads it starts: a RangeError naming both shapes otherwise. */
function checkStart(start: HeadParams, classes: number, inputDim: number): void {
  if (start.inputDim !== inputDim || start.weights.length !== inputDim * classes || start.bias.length !== classes) {
    throw new RangeError(
      `The start head is ${start.inputDim} × ${start.bias.length} with ${start.weights.length} weights; training needs ${inputDim} × ${classes}.`,
    );
  }
}

/** A start head in the training layout: (heads·classes) × dim weights and a column of biases, the same for every head. */
function startTensors(start: HeadParams, heads: number, classes: number, inputDim: number): { w: tf.Tensor2D; b: tf.Tensor2D } {
  checkStart(start, classes, inputDim);
  const w = new Float32Array(heads * classes * inputDim);
  const b = new Float32Array(heads * classes);
  for (let h = 0; h < heads; h++) {
    for (let c = 0; c < classes; c++) {
      b[h * classes + c] = start.bias[c]!;
      const row = (h * classes + c) * inputDim;
      for (let a = 0; a < inputDim; a++) w[row + a] = start.weights[a * classes + c]!;
    }
  }
  return { w: tf.tensor2d(w, [heads * classes, inputDim]), b: tf.tensor2d(b, [heads * classes, 1]) };
}

/**
 * Text rows: the same model as the dense path (full batch, TARGET_STEPS Adam steps, the same loss) on the
 * non-zeros only, which makes the batch size no longer a memory question: every size trains full-batch.
 */
async function trainSparse(options: TrainHeadsOptions, sampleWeights: Float32Array[], l2: number): Promise<(HeadParams & { loss: number })[]> {
  const { targets, classes, inputDim, onEpoch, shouldStop, penalties } = options;
  const rows = options.rows as readonly SparseVector[];
  const headPenalties = (penalties ?? sampleWeights.map(() => ({ l2, rareGrams: options.rareGrams }))).map((p) => ({
    l2: p.l2 ?? DEFAULT_L2,
    columnScaled: p.rareGrams === true,
  }));
  const { weights, bias, loss } = await trainSparseHeads({
    rows,
    targets,
    classes,
    inputDim,
    sampleWeights: summingToOne(sampleWeights),
    steps: TARGET_STEPS,
    learningRate: LEARNING_RATE,
    penalties: headPenalties,
    ...(headPenalties.some((p) => p.columnScaled) ? { columnL2: rareGramPenalty(rows, inputDim) } : {}),
    reportEvery: 10,
    ...(onEpoch ? { onStep: onEpoch } : {}),
    ...(shouldStop ? { shouldStop } : {}),
    breathe: options.breathe ?? breather(),
  });
  return weights.map((w, h) => ({ inputDim, labels: [], weights: w, bias: bias[h]!, loss }));
}
