import * as tf from '@tensorflow/tfjs-core';
import type { Similarity } from './similarity.js';
import { cosineNorm, gaussianWidth, inverseScale } from './similarity-math.js';

/** Stored rows per matrix product: the block's copy and its products with the queries stay a few MB. */
const BLOCK = 2_048;

/**
 * For each query, the best similarity to a row of each class (−∞ for a class without rows), as the memory's exact
 * scan would report it (`similarity`: cosine, or the Gaussian of the scaled distance), for many dense queries at once:
 * one matrix product per block of rows on the tfjs backend. The memory's scan costs rows × columns multiply-adds a
 * query in JavaScript: with it for 300 held-out images, MNIST's 8,000-label training took 6.0 s against 2.3 s.
 * Float32 products: a similarity may differ from the scan's in its seventh digit. Results are rows × classes.
 */
export async function denseBestPerClass(
  queries: readonly Float32Array[],
  rows: readonly Float32Array[],
  targets: ArrayLike<number>,
  classes: number,
  similarity: Similarity,
  pause: () => Promise<void>,
): Promise<Float64Array> {
  const out = new Float64Array(queries.length * classes).fill(-Infinity);
  if (queries.length === 0 || rows.length === 0) return out;
  const dim = queries[0]!.length;
  const gaussian = similarity.metric === 'gaussian';
  const inverse = gaussian ? inverseScale(similarity.scale(), dim) : null;
  const width = gaussianWidth(dim);
  // Cosine: unit rows, so a product is the similarity. Gaussian: rows in scaled units, centred on the rows' mean (a
  // distance does not move with the origin, and small norms keep the float32 product's cancellation small), and the
  // squared distance from the product and the two squared norms.
  const centre = new Float64Array(dim);
  if (inverse) {
    for (const v of rows) for (let i = 0; i < dim; i++) centre[i]! += (v[i]! * inverse[i]!) / rows.length;
  }
  const pack = (vectors: readonly Float32Array[]) => {
    const packed = new Float32Array(vectors.length * dim);
    const norms = new Float64Array(vectors.length);
    vectors.forEach((v, r) => {
      let norm2 = 0;
      for (let i = 0; i < dim; i++) {
        const x = inverse ? v[i]! * inverse[i]! - centre[i]! : v[i]!;
        packed[r * dim + i] = x;
        norm2 += x * x;
      }
      norms[r] = norm2;
      if (!gaussian) {
        const norm = cosineNorm(norm2);
        for (let i = 0; i < dim; i++) packed[r * dim + i]! /= norm;
      }
    });
    return { packed, norms };
  };
  const q = pack(queries);
  const query = tf.tensor2d(q.packed, [queries.length, dim]);
  try {
    for (let start = 0; start < rows.length; start += BLOCK) {
      const block = rows.slice(start, start + BLOCK);
      const s = pack(block);
      const products = tf.tidy(() => tf.matMul(query, tf.tensor2d(s.packed, [block.length, dim]), false, true));
      const values = (await products.data()) as Float32Array;
      products.dispose();
      for (let a = 0; a < queries.length; a++) {
        for (let b = 0; b < block.length; b++) {
          const p = values[a * block.length + b]!;
          const value = gaussian ? Math.exp(-Math.max(0, q.norms[a]! + s.norms[b]! - 2 * p) / width) : p;
          const at = a * classes + targets[start + b]!;
          if (value > out[at]!) out[at] = value;
        }
      }
      await pause();
    }
  } finally {
    query.dispose();
  }
  return out;
}
