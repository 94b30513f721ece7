/** Sparse rows and the per-fit vocabulary the reference learners share. */

/** Feature ids ascending, with their values (counts for n-grams, any numbers for dense rows made sparse). */
export interface SparseRow {
  indices: Int32Array;
  values: Float64Array;
}

export function denseRow(vector: ArrayLike<number>): SparseRow {
  return { indices: Int32Array.from({ length: vector.length }, (_, j) => j), values: Float64Array.from(vector) };
}

/**
 * The features the training rows use, numbered 0…size−1: a model learns nothing about a feature its labels never
 * show, and at prediction such features are dropped (scikit-learn's vectorizers, fitted on the training texts, do
 * the same).
 */
export class Vocabulary {
  private readonly local = new Map<number, number>();

  constructor(rows: SparseRow[]) {
    for (const row of rows) for (const id of row.indices) if (!this.local.has(id)) this.local.set(id, this.local.size);
  }

  get size(): number {
    return this.local.size;
  }

  /** The row in local ids, unknown features dropped. */
  map(row: SparseRow): SparseRow {
    const indices: number[] = [];
    const values: number[] = [];
    row.indices.forEach((id, j) => {
      const local = this.local.get(id);
      if (local !== undefined) {
        indices.push(local);
        values.push(row.values[j]!);
      }
    });
    return { indices: Int32Array.from(indices), values: Float64Array.from(values) };
  }
}

/** Softmax of `scores` in place, stable for large magnitudes. */
export function softmaxInPlace(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    scores[c] = Math.exp(scores[c]! - max);
    sum += scores[c]!;
  }
  for (let c = 0; c < scores.length; c++) scores[c]! /= sum;
  return scores;
}
