import type { SparseVector } from '../featurizers/vector.js';

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
  /**
   * Each head's L2 strength, and whether `columnL2` scales it. Heads that differ only in their penalty share every
   * pass over the rows (crossValidate).
   */
  penalties: readonly HeadPenalty[];
  /** Per-column multipliers of a head's strength (rare-grams.ts), for the heads whose penalty says so. */
  columnL2?: Float64Array;
  onStep?: (step: number, steps: number, loss: number) => void;
  /** How often onStep hears of progress. */
  reportEvery: number;
  shouldStop?: () => Error | null;
  /** Awaited between row and column chunks, so the worker answers predictions and pings during a long step. */
  breathe: () => Promise<void>;
}

/** One head's L2: its strength, and whether the per-column multipliers apply to it. */
export interface HeadPenalty {
  l2: number;
  columnScaled: boolean;
}

/** Rows per chunk between breathe() calls: ~1 ms of work for short texts, a few for e-mails. */
const CHUNK_ROWS = 128;
/** Columns per chunk between breathe() calls in the gradient pass; a column of a common n-gram lists most rows. */
const COLUMN_CHUNK = 2048;

/**
 * Numbers one step of trainSparseHeads reads and writes for `heads` heads of `classes` classes on `rows`: each
 * non-zero's slots for the logits and the gradient, and each column in use's slots for its Adam update. A
 * training's time grows in proportion to it, so a caller can budget work with it deterministically, where a clock
 * would make what the model does depend on the machine.
 */
export function sparseStepWork(rows: readonly SparseVector[], classes: number, heads: number): number {
  let nonZeros = 0;
  const used = new Set<number>();
  for (const { indices } of rows) {
    nonZeros += indices.length;
    for (const index of indices) used.add(index);
  }
  return strideFor(heads * (classes === 2 ? 1 : classes)) * (nonZeros + used.size);
}

/**
 * Full-batch Adam on class-balanced cross-entropy + L2 for every head at once. Weights are feature-major
 * (column a of every output together), so each non-zero touches one contiguous run of heads·classes numbers.
 * Returns per-head weights in the serving layout (inputDim × classes, row-major) and biases, and the first
 * head's last loss.
 */
export async function trainSparseHeads(options: SparseTrainOptions): Promise<{ weights: Float32Array[]; bias: Float32Array[]; loss: number }> {
  const { rows, targets, classes, inputDim, sampleWeights, steps, learningRate, penalties, columnL2, onStep, reportEvery, shouldStop, breathe } =
    options;
  const heads = sampleWeights.length;
  if (penalties.length !== heads) throw new RangeError(`penalties has ${penalties.length} entries for ${heads} heads.`);
  // Two classes: softmax's gradients for the two logits are exact negatives, and so are the L2 terms, so from
  // zero the second column stays the first one's exact negative under Adam. Training the first column alone is
  // the same model, bit for bit, for half the memory traffic per non-zero.
  const tied = classes === 2;
  const width = tied ? 1 : classes;
  const outputs = heads * width;
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
  const dB = new Float64Array(outputs);
  // Each row's gradient with respect to its trained logits, `stride` numbers a row: small enough to stay in
  // the first-level cache while the columns gather from it.
  const g = new Float64Array(n * stride);
  const head = new Float64Array(classes);
  const sums = new Float64Array(stride);
  // The rows again, column by column (rows ascending within a column, so each gradient sums in the order a row
  // pass would): the weight gradient of a column is then one sequential sum, finished before its Adam update,
  // instead of a scattered read-modify-write per non-zero into a gradient as large as the weights.
  const columns = transpose(rows, inputDim);
  const used = columns.used;
  // Each trained output's strength and whether the column's multiplier scales it (its head's).
  const outputL2 = Float64Array.from({ length: outputs }, (_, o) => penalties[Math.floor(o / width)]!.l2);
  const outputScaled = Uint8Array.from({ length: outputs }, (_, o) => (penalties[Math.floor(o / width)]!.columnScaled ? 1 : 0));
  let loss = NaN;

  for (let step = 1; step <= steps; step++) {
    dB.fill(0);
    let nll = 0;
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const stop = shouldStop?.();
      if (stop) throw stop;
      const end = Math.min(n, start + CHUNK_ROWS);
      for (let i = start; i < end; i++) {
        const { indices, values } = rows[i]!;
        const z = g.subarray(i * stride, (i + 1) * stride);
        logits(indices, values, w, b, stride, z);
        // Softmax per head, then z holds the gradient of the weighted loss with respect to the trained logits.
        const target = targets[i]!;
        for (let h = 0; h < heads; h++) {
          const offset = h * width;
          const weight = sampleWeights[h]![i]!;
          if (tied) {
            head[0] = z[offset]!;
            head[1] = -z[offset]!;
          } else for (let c = 0; c < classes; c++) head[c] = z[offset + c]!;
          let max = -Infinity;
          for (let c = 0; c < classes; c++) max = Math.max(max, head[c]!);
          let sum = 0;
          for (let c = 0; c < classes; c++) sum += Math.exp(head[c]! - max);
          const logSum = max + Math.log(sum);
          if (h === 0) nll += weight * (logSum - head[target]!);
          for (let c = 0; c < width; c++) {
            const p = Math.exp(head[c]! - logSum);
            z[offset + c] = weight * (p - (c === target ? 1 : 0));
          }
        }
        for (let o = 0; o < outputs; o++) dB[o]! += z[o]!;
      }
      await breathe();
    }

    const correct1 = 1 - BETA1 ** step;
    const correct2 = 1 - BETA2 ** step;
    let penalty = 0;
    for (let u = 0; u < used.length; u++) {
      const base = used[u]! * stride;
      const scale = columnL2 ? columnL2[used[u]!]! : 1;
      columnSums(columns, u, g, stride, sums);
      for (let o = 0; o < outputs; o++) {
        const at = base + o;
        const weight = w[at]!;
        const columnScale = outputScaled[o] ? scale : 1;
        if (o < width) penalty += columnScale * weight * weight;
        const gradient = sums[o]! + 2 * (outputL2[o]! * columnScale) * weight;
        const m = (mW[at] = BETA1 * mW[at]! + (1 - BETA1) * gradient);
        const v = (vW[at] = BETA2 * vW[at]! + (1 - BETA2) * gradient * gradient);
        w[at] = weight - (learningRate * (m / correct1)) / (Math.sqrt(v / correct2) + EPSILON);
      }
      if (u % COLUMN_CHUNK === COLUMN_CHUNK - 1) {
        const stop = shouldStop?.();
        if (stop) throw stop;
        await breathe();
      }
    }
    if (tied) penalty *= 2;
    for (let o = 0; o < outputs; o++) {
      const gradient = dB[o]!;
      mB[o] = BETA1 * mB[o]! + (1 - BETA1) * gradient;
      vB[o] = BETA2 * vB[o]! + (1 - BETA2) * gradient * gradient;
      b[o] = b[o]! - (learningRate * (mB[o]! / correct1)) / (Math.sqrt(vB[o]! / correct2) + EPSILON);
    }
    loss = nll + penalties[0]!.l2 * penalty;
    if (step % reportEvery === 0 || step === steps) onStep?.(step, steps, loss);
  }

  const weights = Array.from({ length: heads }, (_, h) => {
    const out = new Float32Array(inputDim * classes);
    for (let u = 0; u < used.length; u++) {
      const a = used[u]!;
      if (tied) {
        out[a * 2] = w[a * stride + h]!;
        out[a * 2 + 1] = -w[a * stride + h]!;
      } else for (let c = 0; c < classes; c++) out[a * classes + c] = w[a * stride + h * classes + c]!;
    }
    return out;
  });
  const bias = Array.from({ length: heads }, (_, h) =>
    tied ? Float32Array.of(b[h]!, -b[h]!) : Float32Array.from(b.subarray(h * classes, (h + 1) * classes)),
  );
  return { weights, bias, loss };
}

/**
 * Slots per column: 2, or a multiple of 4. The kernels below handle exactly those widths with the outputs written
 * out, 4 at a time: a loop over 2–6 outputs per non-zero cost 3× more in loop overhead than in arithmetic.
 */
export function strideFor(outputs: number): number {
  return outputs <= 2 ? 2 : 4 * Math.ceil(outputs / 4);
}

/** z = b + W·row over `stride` slots (see strideFor). */
function logits(indices: Int32Array, values: Float32Array, w: Float64Array, b: Float64Array, stride: number, z: Float64Array): void {
  const count = indices.length;
  if (stride === 2) {
    // Even and odd non-zeros in separate sums: one chain of dependent additions was bound by the adder's latency,
    // not by memory (2 sums: 30 % faster training at 800 e-mails; 4 ran out of registers and were slower).
    let z0 = b[0]!;
    let z1 = b[1]!;
    let y0 = 0;
    let y1 = 0;
    let j = 0;
    for (; j + 1 < count; j += 2) {
      const base = indices[j]! << 1;
      const v = values[j]!;
      const base2 = indices[j + 1]! << 1;
      const v2 = values[j + 1]!;
      z0 += w[base]! * v;
      z1 += w[base + 1]! * v;
      y0 += w[base2]! * v2;
      y1 += w[base2 + 1]! * v2;
    }
    if (j < count) {
      const base = indices[j]! << 1;
      z0 += w[base]! * values[j]!;
      z1 += w[base + 1]! * values[j]!;
    }
    z[0] = z0 + y0;
    z[1] = z1 + y1;
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

/** The non-zeros column by column: column `used[u]` holds rows[starts[u], starts[u + 1]) with their values. */
interface Columns {
  used: Int32Array;
  starts: Int32Array;
  rows: Int32Array;
  values: Float32Array;
}

function transpose(rows: readonly SparseVector[], inputDim: number): Columns {
  const counts = new Int32Array(inputDim);
  let total = 0;
  for (const { indices } of rows) {
    for (let j = 0; j < indices.length; j++) counts[indices[j]!]! += 1;
    total += indices.length;
  }
  let usedCount = 0;
  for (let a = 0; a < inputDim; a++) if (counts[a]) usedCount += 1;
  const used = new Int32Array(usedCount);
  const starts = new Int32Array(usedCount + 1);
  // Where the next non-zero of each column goes.
  const next = new Int32Array(inputDim);
  for (let a = 0, u = 0, at = 0; a < inputDim; a++) {
    if (!counts[a]) continue;
    used[u] = a;
    starts[u] = next[a] = at;
    at += counts[a]!;
    starts[++u] = at;
  }
  const rowOf = new Int32Array(total);
  const values = new Float32Array(total);
  rows.forEach(({ indices, values: rowValues }, r) => {
    for (let j = 0; j < indices.length; j++) {
      const at = next[indices[j]!]!++;
      rowOf[at] = r;
      values[at] = rowValues[j]!;
    }
  });
  return { used, starts, rows: rowOf, values };
}

/** sums = Σ g[row] · value over column `used[u]`'s non-zeros, `stride` slots (see strideFor). */
function columnSums(columns: Columns, u: number, g: Float64Array, stride: number, sums: Float64Array): void {
  const { starts, rows, values } = columns;
  const start = starts[u]!;
  const end = starts[u + 1]!;
  if (stride === 2) {
    // Two sums a slot, as in logits.
    let s0 = 0;
    let s1 = 0;
    let t0 = 0;
    let t1 = 0;
    let k = start;
    for (; k + 1 < end; k += 2) {
      const base = rows[k]! << 1;
      const v = values[k]!;
      const base2 = rows[k + 1]! << 1;
      const v2 = values[k + 1]!;
      s0 += g[base]! * v;
      s1 += g[base + 1]! * v;
      t0 += g[base2]! * v2;
      t1 += g[base2 + 1]! * v2;
    }
    if (k < end) {
      const base = rows[k]! << 1;
      s0 += g[base]! * values[k]!;
      s1 += g[base + 1]! * values[k]!;
    }
    sums[0] = s0 + t0;
    sums[1] = s1 + t1;
    return;
  }
  for (let group = 0; group < stride; group += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = start; k < end; k++) {
      const base = rows[k]! * stride + group;
      const v = values[k]!;
      s0 += g[base]! * v;
      s1 += g[base + 1]! * v;
      s2 += g[base + 2]! * v;
      s3 += g[base + 3]! * v;
    }
    sums[group] = s0;
    sums[group + 1] = s1;
    sums[group + 2] = s2;
    sums[group + 3] = s3;
  }
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
