import type { SparseVector } from '../featurizers/vector.js';

/**
 * Buckets of the count sketch of a long text's vector. The estimate of a dot product of two unit vectors from their
 * sketches is unbiased with a standard deviation of about √((1 + cos²) / SKETCH_DIM): ≈ 0.06 near the 0.8 bar at
 * 512, fine enough to put a near-duplicate among the first few of a thousand long candidates, and 512 multiply-adds
 * where scoring a long document exactly costs its 4,000 or so.
 */
export const SKETCH_DIM = 1024;
/** Vectors with more features than this get a sketch: below it, scoring exactly costs no more than the estimate. */
export const SKETCH_MIN_FEATURES = SKETCH_DIM;

/** The count sketch of `vector` (each feature added, with a sign, into one of SKETCH_DIM buckets by a hash). */
export function countSketch(vector: SparseVector, into = new Float32Array(SKETCH_DIM)): Float32Array {
  into.fill(0);
  const { indices, values } = vector;
  for (let j = 0; j < indices.length; j++) {
    // Fibonacci hashing: the top bits pick the bucket, one lower bit the sign; fixed, so sketches always agree.
    const h = Math.imul(indices[j]! + 1, 0x9e3779b1) >>> 0;
    const bucket = h >>> 22;
    into[bucket]! += (h & 0x100) === 0 ? values[j]! : -values[j]!;
  }
  return into;
}

/** The estimated dot product of the two vectors two sketches were made from. */
export function sketchDot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < SKETCH_DIM; i++) sum += a[i]! * b[i]!;
  return sum;
}
