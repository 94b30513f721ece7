import { isSparse, type SparseVector, type Vector } from './featurizers/vector.js';

/**
 * Similarity in [0, 1]-ish between featurised inputs: cosine for text (sparse, L2-normalised) and image
 * features, a Gaussian of the standardised distance for raw numeric rows. Shared by the instant memory and diversity-aware review selection.
 */
export class Similarity {
  private scratch: Float32Array | null = null;

  constructor(
    /** Cosine for featurizers whose vectors have a meaningful direction (text, images); Gaussian for raw numeric rows. */
    readonly metric: 'cosine' | 'gaussian',
    /** Length of the vectors compared (the hashed text space for sparse ones). */
    readonly dim: () => number,
    /** For numeric rows: the per-column scale distances are measured in (standard deviations). */
    readonly scale: () => Float32Array | null,
  ) {}

  /** Runs `use` with a function giving any vector's similarity to `query`; must not be re-entered inside `use`. */
  around<T>(query: Vector, use: (similarity: (vector: Vector) => number) => T): T {
    if (isSparse(query)) {
      // A sparse dot product against the query scattered into a reused dense buffer.
      const dim = this.dim();
      if (!this.scratch || this.scratch.length !== dim) this.scratch = new Float32Array(dim);
      const dense = this.scratch;
      for (let j = 0; j < query.indices.length; j++) dense[query.indices[j]!] = query.values[j]!;
      try {
        return use((vector) => {
          if (!isSparse(vector)) return 0;
          let dot = 0;
          for (let j = 0; j < vector.indices.length; j++) dot += dense[vector.indices[j]!]! * vector.values[j]!;
          return dot;
        });
      } finally {
        for (let j = 0; j < query.indices.length; j++) dense[query.indices[j]!] = 0;
      }
    }
    const dim = query.length;
    if (this.metric === 'cosine') {
      const queryNorm = Math.sqrt(dot(query, query)) || 1;
      return use((vector) => {
        if (isSparse(vector)) return 0;
        return dot(query, vector) / (queryNorm * (Math.sqrt(dot(vector, vector)) || 1));
      });
    }
    const inverse = inverseScale(this.scale(), dim);
    return use((vector) => {
      if (isSparse(vector)) return 0;
      const d2 = scaledDistance2(query, vector, inverse);
      // 1 for the same row, ~0.8 for rows a tenth of a standard deviation apart in every column.
      return Math.exp(-d2 / (0.05 * dim));
    });
  }
}

/**
 * 1 / scale per column (1 without a scale). Distances multiply by it: a division per column and row made the
 * memory's scan of 1,000 stored rows slower than knn-classifier's.
 */
export function inverseScale(scale: Float32Array | null, dim: number): Float64Array {
  return Float64Array.from({ length: dim }, (_, i) => 1 / (scale ? scale[i]! : 1));
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

/**
 * Σ ((a − b) · inverse)² over a's columns, in two sums as in dot. The memory and Similarity.around both call it,
 * so a lookup reports exactly the similarity a scan would.
 */
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
 * For each query, the highest similarity (dot product; the text vectors are unit length) to a row of each class,
 * −∞ for a class without rows: what ExampleMemory.nearest reports without a floor, for many queries at once. The
 * rows are packed once and each query is scattered into a dense buffer while every row streams past it: held-out
 * votes at 800 e-mails took ~1 s through the memory's inverted index, whose common n-grams list most rows.
 */
export function bestPerClass(
  queries: readonly SparseVector[],
  rows: readonly SparseVector[],
  targets: Int32Array,
  classes: number,
  dim: number,
): Float64Array[] {
  let total = 0;
  for (const row of rows) total += row.indices.length;
  const indices = new Int32Array(total);
  const values = new Float32Array(total);
  const ends = new Int32Array(rows.length);
  let at = 0;
  rows.forEach((row, r) => {
    indices.set(row.indices, at);
    values.set(row.values, at);
    at += row.indices.length;
    ends[r] = at;
  });
  const dense = new Float32Array(dim);
  return queries.map((query) => {
    for (let j = 0; j < query.indices.length; j++) dense[query.indices[j]!] = query.values[j]!;
    const best = new Float64Array(classes).fill(-Infinity);
    let start = 0;
    for (let r = 0; r < rows.length; r++) {
      const end = ends[r]!;
      // Two independent sums: one chain of dependent additions is bound by the adder's latency.
      let sum = 0;
      let other = 0;
      let j = start;
      for (; j + 1 < end; j += 2) {
        sum += dense[indices[j]!]! * values[j]!;
        other += dense[indices[j + 1]!]! * values[j + 1]!;
      }
      if (j < end) sum += dense[indices[j]!]! * values[j]!;
      sum += other;
      start = end;
      const t = targets[r]!;
      if (sum > best[t]!) best[t] = sum;
    }
    for (let j = 0; j < query.indices.length; j++) dense[query.indices[j]!] = 0;
    return best;
  });
}
