import type { SparseVector } from '../featurizers/vector.js';

/**
 * The exact sums behind every similarity the memory reports. ExampleMemory's lookups and Similarity.around both
 * compute through these functions, so a lookup reports the very number a plain scan would, not one that differs
 * in the last bit (the tests compare the two with toEqual, and ties between stored examples depend on it).
 */

/** Float slack for the pruning bounds: a bound must never drop an example whose exact similarity is above the floor. */
export const SLACK = 1e-5;
/** A sparse vector counts as unit (and the bounds hold for it) when its squared norm is this close to 1. */
export const UNIT_SLACK = 1e-6;

/** Whether a squared norm is too far from 1 for the cosine bounds, which assume unit vectors, to hold. */
export function offUnit(norm2: number): boolean {
  return Math.abs(norm2 - 1) > UNIT_SLACK;
}

/** Even and odd terms in separate sums: one chain of dependent additions is bound by the adder's latency. */
export function dot(a: Float32Array, b: Float32Array): number {
  let even = 0;
  let odd = 0;
  let i = 0;
  for (; i + 1 < a.length; i += 2) {
    even += a[i]! * b[i]!;
    odd += a[i + 1]! * b[i + 1]!;
  }
  if (i < a.length) even += a[i]! * b[i]!;
  return even + odd;
}

/** What a dense vector's cosine divides by: its L2 norm, or 1 for the zero vector so that it scores 0, not NaN. */
export function cosineNorm(norm2: number): number {
  return Math.sqrt(norm2) || 1;
}

/**
 * 1 / scale per column (1 without a scale). Distances multiply by it: a division per column and row made the
 * memory's scan of 1,000 stored rows slower than knn-classifier's.
 */
export function inverseScale(scale: Float32Array | null, dim: number): Float64Array {
  return Float64Array.from({ length: dim }, (_, i) => 1 / (scale ? scale[i]! : 1));
}

/** Σ ((a − b) · inverse)² over a's columns, in two sums as in dot. */
export function scaledDistance2(a: Float32Array, b: Float32Array, inverse: Float64Array): number {
  let even = 0;
  let odd = 0;
  let i = 0;
  for (; i + 1 < a.length; i += 2) {
    const d = (a[i]! - b[i]!) * inverse[i]!;
    const e = (a[i + 1]! - b[i + 1]!) * inverse[i + 1]!;
    even += d * d;
    odd += e * e;
  }
  if (i < a.length) {
    const d = (a[i]! - b[i]!) * inverse[i]!;
    even += d * d;
  }
  return even + odd;
}

/**
 * The squared distance at which the Gaussian similarity of numeric rows falls to 1/e: it grows with the number of
 * columns, so rows a tenth of a standard deviation apart in every column score ~0.8 whatever the width of the data.
 */
export function gaussianWidth(dim: number): number {
  return 0.05 * dim;
}

/**
 * Writes `query` into `dense`, which must be all zeros: sparse dot products then read the query by feature in
 * constant time. Callers undo it with `unscatter` (in a finally), so the buffer can be reused without a full clear.
 */
export function scatter(query: SparseVector, dense: Float32Array): void {
  for (let j = 0; j < query.indices.length; j++) dense[query.indices[j]!] = query.values[j]!;
}

/** Sets `dense` back to all zeros after `scatter(query, dense)`. */
export function unscatter(query: SparseVector, dense: Float32Array): void {
  for (let j = 0; j < query.indices.length; j++) dense[query.indices[j]!] = 0;
}

/**
 * A sparse vector's dot product with a query scattered into `dense`, over the vector's features in ascending
 * order, in one sum: the order a scan and an index lookup must share.
 */
export function sparseDot(dense: Float32Array, vector: SparseVector): number {
  const { indices, values } = vector;
  let sum = 0;
  for (let j = 0; j < indices.length; j++) sum += dense[indices[j]!]! * values[j]!;
  return sum;
}
