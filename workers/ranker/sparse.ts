import type { Vector } from '../storage/index.js';

/** A row in float64 with its used columns only: what the ranker's model reads (dense numeric rows too). */
export interface Row {
  readonly idx: Int32Array;
  readonly val: Float64Array;
}

/**
 * Per-column scaling of numeric rows, so one L2 strength fits every column whatever its units: centred (scores of
 * typical items sit near 0) and divided by the spread seen in compared items. Text vectors are unit length already.
 */
export interface Scaling {
  mean: Float64Array;
  invStd: Float64Array;
}

/** The row the model reads for a featurised item. */
export function toRow(vector: Vector, scaling: Scaling | null): Row {
  if (!(vector instanceof Float32Array)) {
    return { idx: Int32Array.from(vector.indices), val: Float64Array.from(vector.values) };
  }
  const val = new Float64Array(vector.length);
  for (let i = 0; i < vector.length; i++) val[i] = scaling ? (vector[i]! - scaling.mean[i]!) * scaling.invStd[i]! : vector[i]!;
  const idx = new Int32Array(vector.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return { idx, val };
}

/** The scaling of numeric rows from the items seen; null for sparse (text) vectors. */
export function scalingOf(vectors: readonly Vector[]): Scaling | null {
  const dense = vectors.filter((v): v is Float32Array => v instanceof Float32Array);
  if (dense.length === 0) return null;
  const dim = dense[0]!.length;
  const mean = new Float64Array(dim);
  const invStd = new Float64Array(dim);
  for (const v of dense) for (let i = 0; i < dim; i++) mean[i]! += v[i]! / dense.length;
  for (let i = 0; i < dim; i++) {
    let sq = 0;
    for (const v of dense) sq += (v[i]! - mean[i]!) ** 2;
    const std = Math.sqrt(sq / dense.length);
    // A column that never varies carries no preference: scaled by 1, its weight stays at 0.
    invStd[i] = std > 1e-12 ? 1 / std : 1;
  }
  return { mean, invStd };
}

/** a − b over the union of their columns (both sorted). */
export function difference(a: Row, b: Row): Row {
  const idx: number[] = [];
  const val: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.idx.length || j < b.idx.length) {
    const ai = i < a.idx.length ? a.idx[i]! : Infinity;
    const bj = j < b.idx.length ? b.idx[j]! : Infinity;
    if (ai === bj) {
      const v = a.val[i++]! - b.val[j++]!;
      if (v !== 0) {
        idx.push(ai);
        val.push(v);
      }
    } else if (ai < bj) {
      idx.push(ai);
      val.push(a.val[i++]!);
    } else {
      idx.push(bj);
      val.push(-b.val[j++]!);
    }
  }
  return { idx: Int32Array.from(idx), val: Float64Array.from(val) };
}

export function dot(w: Float64Array, row: Row): number {
  let sum = 0;
  for (let k = 0; k < row.idx.length; k++) sum += w[row.idx[k]!]! * row.val[k]!;
  return sum;
}

/** Σ row_i² / precision_i: the variance of w·row under a diagonal Gaussian posterior. */
export function variance(precision: Float64Array, row: Row): number {
  let sum = 0;
  for (let k = 0; k < row.idx.length; k++) sum += (row.val[k]! * row.val[k]!) / precision[row.idx[k]!]!;
  return sum;
}

/** Σ a_i·b_i / precision_i over the columns both rows use: the covariance of w·a and w·b under the diagonal posterior. */
export function covariance(precision: Float64Array, a: Row, b: Row): number {
  let sum = 0;
  let i = 0;
  let j = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const ai = a.idx[i]!;
    const bj = b.idx[j]!;
    if (ai === bj) {
      sum += (a.val[i++]! * b.val[j++]!) / precision[ai]!;
    } else if (ai < bj) i++;
    else j++;
  }
  return sum;
}
