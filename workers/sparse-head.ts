import type { SparseVector } from './featurizers/vector.js';

/**
 * The softmax head on sparse rows (hashed text), in plain JavaScript. TensorFlow.js has no sparse matMul on its
 * CPU backends (wasm lacks the segment-sum kernels a gather-based gradient needs), so a text batch had to be
 * densified: 800 e-mails × 16,384 columns, ~97 % zeros, read twice per step, made training memory-bound
 * (~30 ms a step) and every prediction densify a 64 KB row. Touching only the non-zeros is ~30× less work for
 * the same model: the same loss, the same Adam, the same full batch, from the same zeros.
 */

/** tfjs's Adam defaults (tf.train.adam(learningRate)), so a text head learns as a dense one does. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

export interface SparseTrainOptions {
  rows: readonly SparseVector[];
  targets: Int32Array;
  classes: number;
  inputDim: number;
  /** Per-head sample weights (0 for rows a head does not learn from), each head's summing to 1. */
  sampleWeights: Float32Array[];
  steps: number;
  learningRate: number;
  l2: number;
  onStep?: (step: number, steps: number, loss: number) => void;
  /** How often onStep hears of progress. */
  reportEvery: number;
  shouldStop?: () => Error | null;
  /** Awaited between row chunks, so the worker answers predictions and pings during a long step. */
  breathe: () => Promise<void>;
}

/** Rows per chunk between breathe() calls: ~1 ms of work for short texts, a few for e-mails. */
const CHUNK_ROWS = 128;

/**
 * Full-batch Adam on class-balanced cross-entropy + L2 for every head at once. Weights are feature-major
 * (column a of every output together), so each non-zero touches one contiguous run of heads·classes numbers.
 * Returns per-head weights in the serving layout (inputDim × classes, row-major) and biases, and the first
 * head's last loss.
 */
export async function trainSparseHeads(options: SparseTrainOptions): Promise<{ weights: Float32Array[]; bias: Float32Array[]; loss: number }> {
  const { rows, targets, classes, inputDim, sampleWeights, steps, learningRate, l2, onStep, reportEvery, shouldStop, breathe } = options;
  const heads = sampleWeights.length;
  const outputs = heads * classes;
  const stride = strideFor(outputs);
  const n = rows.length;
  // Float64: no conversion on every load and store, which measured ~10–15 % faster than Float32 at 800 e-mails.
  // Each column's outputs sit in `stride` slots; the padding slots stay zero (zero bias, zero gradient).
  const w = new Float64Array(inputDim * stride);
  const b = new Float64Array(stride);
  const mW = new Float64Array(w.length);
  const vW = new Float64Array(w.length);
  const mB = new Float64Array(outputs);
  const vB = new Float64Array(outputs);
  const dW = new Float64Array(w.length);
  const dB = new Float64Array(outputs);
  const z = new Float64Array(stride);
  // Only columns some row uses ever move: L2 on a zero weight with no data gradient leaves it at zero, and Adam
  // with a zero gradient leaves its moments at zero. The dense updates run over those columns alone.
  const used = usedColumns(rows, inputDim);
  let loss = NaN;

  for (let step = 1; step <= steps; step++) {
    dW.fill(0);
    dB.fill(0);
    let nll = 0;
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const stop = shouldStop?.();
      if (stop) throw stop;
      const end = Math.min(n, start + CHUNK_ROWS);
      for (let i = start; i < end; i++) {
        const { indices, values } = rows[i]!;
        logits(indices, values, w, b, stride, z);
        // Softmax per head, then z holds the gradient of the weighted loss with respect to the logits.
        const target = targets[i]!;
        for (let h = 0; h < heads; h++) {
          const offset = h * classes;
          const weight = sampleWeights[h]![i]!;
          let max = -Infinity;
          for (let c = 0; c < classes; c++) max = Math.max(max, z[offset + c]!);
          let sum = 0;
          for (let c = 0; c < classes; c++) sum += Math.exp(z[offset + c]! - max);
          const logSum = max + Math.log(sum);
          if (h === 0) nll += weight * (logSum - z[offset + target]!);
          for (let c = 0; c < classes; c++) {
            const p = Math.exp(z[offset + c]! - logSum);
            z[offset + c] = weight * (p - (c === target ? 1 : 0));
          }
        }
        for (let o = 0; o < outputs; o++) dB[o]! += z[o]!;
        accumulate(indices, values, z, stride, dW);
      }
      await breathe();
    }

    let penalty = 0;
    const correct1 = 1 - BETA1 ** step;
    const correct2 = 1 - BETA2 ** step;
    for (let u = 0; u < used.length; u++) {
      const base = used[u]! * stride;
      for (let o = 0; o < outputs; o++) {
        const at = base + o;
        const weight = w[at]!;
        if (o < classes) penalty += weight * weight;
        const g = dW[at]! + 2 * l2 * weight;
        const m = (mW[at] = BETA1 * mW[at]! + (1 - BETA1) * g);
        const v = (vW[at] = BETA2 * vW[at]! + (1 - BETA2) * g * g);
        w[at] = weight - (learningRate * (m / correct1)) / (Math.sqrt(v / correct2) + EPSILON);
      }
    }
    for (let o = 0; o < outputs; o++) {
      const g = dB[o]!;
      mB[o] = BETA1 * mB[o]! + (1 - BETA1) * g;
      vB[o] = BETA2 * vB[o]! + (1 - BETA2) * g * g;
      b[o] = b[o]! - (learningRate * (mB[o]! / correct1)) / (Math.sqrt(vB[o]! / correct2) + EPSILON);
    }
    loss = nll + l2 * penalty;
    if (step % reportEvery === 0 || step === steps) onStep?.(step, steps, loss);
  }

  const weights = Array.from({ length: heads }, (_, h) => {
    const out = new Float32Array(inputDim * classes);
    for (let u = 0; u < used.length; u++) {
      const a = used[u]!;
      for (let c = 0; c < classes; c++) out[a * classes + c] = w[a * stride + h * classes + c]!;
    }
    return out;
  });
  const bias = Array.from({ length: heads }, (_, h) => Float32Array.from(b.subarray(h * classes, (h + 1) * classes)));
  return { weights, bias, loss };
}

/**
 * Slots per column: 2, or a multiple of 4. The kernels below handle exactly those widths with the outputs written
 * out, 4 at a time: a loop over 2–6 outputs per non-zero cost 3× more in loop overhead than in arithmetic.
 */
function strideFor(outputs: number): number {
  return outputs <= 2 ? 2 : 4 * Math.ceil(outputs / 4);
}

/** z = b + W·row over `stride` slots (see strideFor). */
function logits(indices: Int32Array, values: Float32Array, w: Float64Array, b: Float64Array, stride: number, z: Float64Array): void {
  const count = indices.length;
  if (stride === 2) {
    let z0 = b[0]!;
    let z1 = b[1]!;
    for (let j = 0; j < count; j++) {
      const base = indices[j]! << 1;
      const v = values[j]!;
      z0 += w[base]! * v;
      z1 += w[base + 1]! * v;
    }
    z[0] = z0;
    z[1] = z1;
    return;
  }
  for (let group = 0; group < stride; group += 4) {
    let z0 = b[group]!;
    let z1 = b[group + 1]!;
    let z2 = b[group + 2]!;
    let z3 = b[group + 3]!;
    for (let j = 0; j < count; j++) {
      const base = indices[j]! * stride + group;
      const v = values[j]!;
      z0 += w[base]! * v;
      z1 += w[base + 1]! * v;
      z2 += w[base + 2]! * v;
      z3 += w[base + 3]! * v;
    }
    z[group] = z0;
    z[group + 1] = z1;
    z[group + 2] = z2;
    z[group + 3] = z3;
  }
}

/** dW += g ⊗ row over `stride` slots. */
function accumulate(indices: Int32Array, values: Float32Array, g: Float64Array, stride: number, dW: Float64Array): void {
  const count = indices.length;
  if (stride === 2) {
    const g0 = g[0]!;
    const g1 = g[1]!;
    for (let j = 0; j < count; j++) {
      const base = indices[j]! << 1;
      const v = values[j]!;
      dW[base] = dW[base]! + g0 * v;
      dW[base + 1] = dW[base + 1]! + g1 * v;
    }
    return;
  }
  for (let group = 0; group < stride; group += 4) {
    const g0 = g[group]!;
    const g1 = g[group + 1]!;
    const g2 = g[group + 2]!;
    const g3 = g[group + 3]!;
    for (let j = 0; j < count; j++) {
      const base = indices[j]! * stride + group;
      const v = values[j]!;
      dW[base] = dW[base]! + g0 * v;
      dW[base + 1] = dW[base + 1]! + g1 * v;
      dW[base + 2] = dW[base + 2]! + g2 * v;
      dW[base + 3] = dW[base + 3]! + g3 * v;
    }
  }
}

function usedColumns(rows: readonly SparseVector[], inputDim: number): Int32Array {
  const seen = new Uint8Array(inputDim);
  let count = 0;
  for (const { indices } of rows) {
    for (let j = 0; j < indices.length; j++) {
      if (!seen[indices[j]!]) {
        seen[indices[j]!] = 1;
        count += 1;
      }
    }
  }
  const used = new Int32Array(count);
  let k = 0;
  for (let a = 0; a < inputDim; a++) if (seen[a]) used[k++] = a;
  return used;
}

/** Class probabilities (row-major rows × classes) of one head on sparse rows. */
export function predictSparse(rows: readonly SparseVector[], weights: Float32Array, bias: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(rows.length * classes);
  const z = new Float64Array(classes);
  rows.forEach(({ indices, values }, r) => {
    for (let c = 0; c < classes; c++) z[c] = bias[c]!;
    for (let j = 0; j < indices.length; j++) {
      const base = indices[j]! * classes;
      const v = values[j]!;
      for (let c = 0; c < classes; c++) z[c]! += weights[base + c]! * v;
    }
    softmaxInto(z, out, r * classes);
  });
  return out;
}

/** Writes softmax(z) to out[at, at + z.length); z is scratch and is overwritten. */
export function softmaxInto(z: Float64Array, out: Float32Array, at: number): void {
  let max = -Infinity;
  for (let c = 0; c < z.length; c++) max = Math.max(max, z[c]!);
  let sum = 0;
  for (let c = 0; c < z.length; c++) sum += z[c] = Math.exp(z[c]! - max);
  for (let c = 0; c < z.length; c++) out[at + c] = z[c]! / sum;
}
