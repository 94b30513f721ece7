import { TEXT_DIM } from './text.js';
import type { SparseVector } from './vector.js';

/**
 * Signed weights summed per hashed bucket, one text at a time: typed arrays and the list of buckets touched, where a
 * Map over an array of occurrence objects cost ~5 ms a long text (a whole e-mail), and a feature choice's views over
 * 10,000 of them took most of a minute. Each bucket sums in the order its weights were added, as the Map did, so the
 * vectors are the same numbers. Reused by every call (featurizing is synchronous); each result clears it.
 */
class BucketSums {
  private readonly sums = new Float64Array(TEXT_DIM);
  private readonly seen = new Uint8Array(TEXT_DIM);
  private readonly touched = new Int32Array(TEXT_DIM);
  private count = 0;

  add(bucket: number, weight: number): void {
    if (!this.seen[bucket]) {
      this.seen[bucket] = 1;
      this.touched[this.count++] = bucket;
    }
    this.sums[bucket]! += weight;
  }

  /** The sums as they are: the buckets whose sum is not 0, ascending, each with its sum. */
  plain(): SparseVector {
    const indices = this.nonZero();
    const values = Float32Array.from(indices, (bucket) => this.sums[bucket]!);
    this.clear();
    return { indices, values };
  }

  /** Sub-linear (sign · log(1 + |sum|)) and L2-normalised, as featurizeText treats its own n-grams. */
  unit(): SparseVector {
    const indices = this.nonZero();
    const values = Float32Array.from(indices, (bucket) => {
      const sum = this.sums[bucket]!;
      return Math.sign(sum) * Math.log1p(Math.abs(sum));
    });
    this.clear();
    // The length of the values as stored (32-bit), as the Map-based version measured it.
    let norm = 0;
    for (const v of values) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < values.length; j++) values[j]! /= norm;
    return { indices, values };
  }

  private nonZero(): Int32Array {
    let kept = 0;
    for (let t = 0; t < this.count; t++) if (this.sums[this.touched[t]!] !== 0) kept += 1;
    const indices = new Int32Array(kept);
    kept = 0;
    for (let t = 0; t < this.count; t++) {
      const bucket = this.touched[t]!;
      if (this.sums[bucket] !== 0) indices[kept++] = bucket;
    }
    return indices.sort();
  }

  private clear(): void {
    for (let t = 0; t < this.count; t++) {
      this.sums[this.touched[t]!] = 0;
      this.seen[this.touched[t]!] = 0;
    }
    this.count = 0;
  }
}

/** The one accumulator the text groups share. */
export const bucketSums = new BucketSums();
