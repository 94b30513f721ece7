import type { SparseVector } from '../featurizers/vector.js';
import { DEFAULT_L2 } from './head.js';
import { rareGramPenalty } from './rare-grams.js';

/**
 * Warm-start retraining of a text head (issue 17): from the weights being served, two shuffled passes of mini-batch
 * Adam over every example, instead of 80 full-batch steps from zeros. The cost of a text retrain is reading the
 * examples, and a retrain from zeros reads all of them 160 times (80 steps, forward and backward: 4–10 s at 10,000
 * e-mails here); this one reads them twice. Every example is read, new and old, so a relabelled or undone example
 * counts as it is now, and nothing is left to a replay sample.
 *
 * Measured on scripts/perf-distributions.mjs at 10,000 texts (Node, this machine, held-out accuracy, from a head
 * trained from zeros on the first 95 %): bodies 98.33 % against 98.53 % from zeros on all, templated 80.60 / 80.67,
 * short 74.53 / 74.60, raw 91.73 / 92.73 (1,500 test texts: ±0.7 points is noise), in 0.06–0.5 s against 1–10 s.
 */

/**
 * Below this many examples every retrain starts from zeros: it costs well under a second there, and a head trained
 * from zeros owes nothing to the order labels came in. Chosen for cost, not for accuracy.
 */
export const WARM_MIN_EXAMPLES = 2_000;
/**
 * A retrain starts from zeros again once the examples have grown by this share since the last one that did, so a
 * long run of warm starts never strays far from the head all the labels would give; the cost of that retrain is
 * spread over half again as many labels.
 */
export const WARM_MAX_GROWTH = 0.5;

/**
 * Passes, mini-batch size and learning rate. Mini-batch Adam visits each example once a pass where full-batch Adam
 * needs 80 steps over all of them; from trained weights two passes sufficed on every distribution above. The rate is
 * a tenth of the from-zeros one (0.1): Adam's first steps move every weight a batch touches by about the rate whatever
 * its gradient (its moments start from zero), and at 0.1 the first batches undid what the served head had learned.
 */
const PASSES = 2;
const BATCH = 256;
const LEARNING_RATE = 0.01;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

/** What decides whether a retrain may start warm. */
export interface WarmCandidate {
  /** The served head, or null: its labels, input size and the example count of the last retrain from zeros. */
  served: { labels: readonly string[]; inputDim: number; fromZerosAt?: number; temperature?: number } | null;
  labels: readonly string[];
  inputDim: number;
  examples: number;
  sparse: boolean;
  /** Asked for explicitly (`train({ fromZeros: true })`). */
  forced: boolean;
}

/**
 * Why this retrain starts from zeros, or null when it may start warm: only a text head (the training that grows with
 * the examples) of the same labels and input size, which says how many examples its last retrain from zeros had and
 * what temperature it serves with (its weights are divided by it), past WARM_MIN_EXAMPLES and not past
 * WARM_MAX_GROWTH since then.
 */
export function fromZerosReason(candidate: WarmCandidate): string | null {
  const { served, labels, inputDim, examples, sparse, forced } = candidate;
  if (forced) return 'asked for';
  if (!sparse) return 'not a text head';
  if (!served) return 'no head yet';
  if (served.fromZerosAt === undefined || served.temperature === undefined) return 'the served head does not say how it was trained';
  if (served.inputDim !== inputDim || served.labels.length !== labels.length || served.labels.some((l, i) => l !== labels[i])) {
    return 'the labels or the features changed';
  }
  if (examples < WARM_MIN_EXAMPLES) return `fewer than ${WARM_MIN_EXAMPLES} examples`;
  if (examples > served.fromZerosAt * (1 + WARM_MAX_GROWTH)) return `the examples grew by more than half since the last retrain from zeros`;
  return null;
}

export interface WarmTrainOptions {
  rows: readonly SparseVector[];
  targets: Int32Array;
  classes: number;
  inputDim: number;
  /** Where training starts: the served head's weights (inputDim × classes, row-major) and biases, without its temperature. */
  start: { weights: Float32Array; bias: Float32Array };
  /** Fixed, so that the same labels and start give the same head. */
  seed: number;
  /** The L2 strength the start head trained with from zeros (the feature choice's); default: the head's default. */
  l2?: number;
  /** The start head's rare-gram prior (rare-grams.ts), here over the rows this training reads. */
  rareGrams?: boolean;
  onStep?: (step: number, steps: number, loss: number) => void;
  shouldStop?: () => Error | null;
  /** Awaited between batches, so the worker answers predictions and pings. */
  breathe: () => Promise<void>;
}

/**
 * The warm start: class-balanced softmax cross-entropy + L2, as from zeros, by mini-batch Adam over shuffled rows.
 * Adam's moments are kept per weight and updated lazily, only where a batch has a non-zero (a column of a rare n-gram
 * is touched by few batches): the sparse form of the same optimiser. Returns weights and biases in the serving layout
 * and the mean (weighted) loss over the last pass.
 */
export async function trainWarm(options: WarmTrainOptions): Promise<{ weights: Float32Array; bias: Float32Array; loss: number }> {
  const { rows, targets, classes, inputDim, start, seed, onStep, shouldStop, breathe, l2 = DEFAULT_L2, rareGrams } = options;
  if (start.weights.length !== inputDim * classes || start.bias.length !== classes) {
    throw new RangeError(
      `A warm start needs ${inputDim} × ${classes} weights and ${classes} biases; got ${start.weights.length} and ${start.bias.length}.`,
    );
  }
  const n = rows.length;
  const columnL2 = rareGrams ? rareGramPenalty(rows, inputDim) : null;
  const w = Float64Array.from(start.weights);
  const b = Float64Array.from(start.bias);
  const mW = new Float64Array(w.length);
  const vW = new Float64Array(w.length);
  const mB = new Float64Array(classes);
  const vB = new Float64Array(classes);
  const gW = new Float64Array(w.length);
  const gB = new Float64Array(classes);
  // Columns a batch touched, each listed once: only their gradients are non-zero.
  const touched = new Int32Array(inputDim);
  const seen = new Uint8Array(inputDim);
  const z = new Float64Array(classes);
  // Balanced: every labelled class pulls equally, however few examples it has (head.ts weighs a full batch so).
  const counts = new Float64Array(classes);
  for (const t of targets) counts[t]! += 1;
  const present = counts.filter((c) => c > 0).length;
  const classWeight = Float64Array.from(counts, (c) => (c > 0 ? n / (present * c) : 0));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: a fixed order per seed, the same on every engine.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const batches = Math.ceil(n / BATCH);
  const steps = PASSES * batches;
  let step = 0;
  let loss = NaN;
  for (let pass = 0; pass < PASSES; pass++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
    }
    let passLoss = 0;
    let passRows = 0;
    for (let first = 0; first < n; first += BATCH) {
      const stop = shouldStop?.();
      if (stop) throw stop;
      const last = Math.min(n, first + BATCH);
      const size = last - first;
      let count = 0;
      gB.fill(0);
      for (let k = first; k < last; k++) {
        const row = order[k]!;
        const { indices, values } = rows[row]!;
        const target = targets[row]!;
        for (let c = 0; c < classes; c++) z[c] = b[c]!;
        for (let j = 0; j < indices.length; j++) {
          const at = indices[j]! * classes;
          const v = values[j]!;
          for (let c = 0; c < classes; c++) z[c]! += w[at + c]! * v;
        }
        let max = -Infinity;
        for (let c = 0; c < classes; c++) max = Math.max(max, z[c]!);
        let sum = 0;
        for (let c = 0; c < classes; c++) sum += Math.exp(z[c]! - max);
        const logSum = max + Math.log(sum);
        const weight = classWeight[target]! / size;
        passLoss += classWeight[target]! * (logSum - z[target]!);
        // z becomes the gradient of this row's weighted loss with respect to its logits.
        for (let c = 0; c < classes; c++) z[c] = weight * (Math.exp(z[c]! - logSum) - (c === target ? 1 : 0));
        for (let c = 0; c < classes; c++) gB[c]! += z[c]!;
        for (let j = 0; j < indices.length; j++) {
          const a = indices[j]!;
          if (!seen[a]) {
            seen[a] = 1;
            touched[count++] = a;
          }
          const at = a * classes;
          const v = values[j]!;
          for (let c = 0; c < classes; c++) gW[at + c]! += z[c]! * v;
        }
      }
      step += 1;
      const correct1 = 1 - BETA1 ** step;
      const correct2 = 1 - BETA2 ** step;
      for (let t = 0; t < count; t++) {
        const a = touched[t]!;
        seen[a] = 0;
        const strength = columnL2 ? l2 * columnL2[a]! : l2;
        for (let c = 0; c < classes; c++) {
          const at = a * classes + c;
          // L2 on the columns a batch touches: the same objective as from zeros.
          const gradient = gW[at]! + 2 * strength * w[at]!;
          gW[at] = 0;
          const m = (mW[at] = BETA1 * mW[at]! + (1 - BETA1) * gradient);
          const v = (vW[at] = BETA2 * vW[at]! + (1 - BETA2) * gradient * gradient);
          w[at] = w[at]! - (LEARNING_RATE * (m / correct1)) / (Math.sqrt(v / correct2) + EPSILON);
        }
      }
      for (let c = 0; c < classes; c++) {
        const gradient = gB[c]!;
        mB[c] = BETA1 * mB[c]! + (1 - BETA1) * gradient;
        vB[c] = BETA2 * vB[c]! + (1 - BETA2) * gradient * gradient;
        b[c] = b[c]! - (LEARNING_RATE * (mB[c]! / correct1)) / (Math.sqrt(vB[c]! / correct2) + EPSILON);
      }
      passRows += size;
      if (step % 10 === 0 || step === steps) onStep?.(step, steps, passLoss / passRows);
      await breathe();
    }
    loss = passLoss / n;
  }
  return { weights: Float32Array.from(w), bias: Float32Array.from(b), loss };
}
