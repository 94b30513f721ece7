import { isSparse, type SparseVector, type Vector } from '../featurizers/vector.js';
import { cosineNorm, dot, gaussianWidth, inverseScale, scaledDistance2, scatter, sparseDot, unscatter } from './similarity-math.js';

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
      scatter(query, dense);
      try {
        return use((vector) => (isSparse(vector) ? sparseDot(dense, vector) : 0));
      } finally {
        unscatter(query, dense);
      }
    }
    const dim = query.length;
    if (this.metric === 'cosine') {
      const queryNorm = cosineNorm(dot(query, query));
      return use((vector) => {
        if (isSparse(vector)) return 0;
        return dot(query, vector) / (queryNorm * cosineNorm(dot(vector, vector)));
      });
    }
    const inverse = inverseScale(this.scale(), dim);
    const width = gaussianWidth(dim);
    return use((vector) => {
      if (isSparse(vector)) return 0;
      return Math.exp(-scaledDistance2(query, vector, inverse) / width);
    });
  }
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
    scatter(query, dense);
    const best = new Float64Array(classes).fill(-Infinity);
    let start = 0;
    for (let r = 0; r < rows.length; r++) {
      const end = ends[r]!;
      // Two independent sums: one chain of dependent additions is bound by the adder's latency. Not sparseDot's
      // order, so a best here may differ from the memory's in the last bits.
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
    unscatter(query, dense);
    return best;
  });
}
