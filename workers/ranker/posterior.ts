import type { BradleyTerry, Pair } from './bt-model.js';
import { terms } from './davidson.js';
import { dot, type Row } from './sparse.js';

/**
 * Comparisons whose curvature enters the covariance exactly (the newest ones); older ones join the diagonal. The exact
 * part costs a Cholesky factor of this size and one triangular solve per item, a fraction of a second at 400.
 */
export const EXACT_COMPARISONS = 400;

/**
 * The Laplace posterior of a ranker's weights, seen through the items of a pool: the covariance of any two items'
 * scores. Unlike the model's diagonal precision, it keeps the correlations the comparisons create between columns —
 * when two phrases always travel together (the many n-grams of one phrase, say), one comparison settles their sum, and
 * an item made of them is no longer counted as unknown.
 *
 * The posterior precision is Λ + Dᵀ·H·D: Λ the prior's L2 plus the diagonal curvature of comparisons older than the
 * newest EXACT_COMPARISONS, D the newest comparisons' difference rows and H their curvature at the current weights.
 * By Woodbury, Σ = Λ⁻¹ − Λ⁻¹Dᵀ(H⁻¹ + DΛ⁻¹Dᵀ)⁻¹DΛ⁻¹, so cov(xᵢ, xⱼ) = xᵢᵀΛ⁻¹xⱼ − gᵢ·gⱼ with gᵢ = L⁻¹DΛ⁻¹xᵢ and
 * L the Cholesky factor of H⁻¹ + DΛ⁻¹Dᵀ: an n×n problem for n comparisons, whatever the number of columns.
 */
export class PoolPosterior {
  private readonly inverseLambda: Float64Array;
  /** gᵢ for each pool item, n values each. */
  private readonly g: Float64Array[];
  private readonly n: number;

  constructor(
    model: BradleyTerry,
    pairs: readonly Pair[],
    private readonly rows: readonly Row[],
  ) {
    const exact = pairs.slice(-EXACT_COMPARISONS);
    const older = pairs.slice(0, pairs.length - exact.length);
    const lambda = new Float64Array(model.dim).fill(model.l2);
    for (const pair of older) {
      const h = curvature(model, pair.diff);
      const { idx, val } = pair.diff;
      for (let k = 0; k < idx.length; k++) lambda[idx[k]!]! += h * val[k]! * val[k]!;
    }
    this.inverseLambda = lambda.map((x) => 1 / x);
    const n = exact.length;
    this.n = n;
    // A = H⁻¹ + DΛ⁻¹Dᵀ, lower triangle; each row of D scattered once into a dense buffer for the products.
    const a = new Float64Array(n * n);
    const buffer = new Float64Array(model.dim);
    for (let k = 0; k < n; k++) {
      const dk = exact[k]!.diff;
      scatter(buffer, dk, this.inverseLambda);
      for (let l = 0; l <= k; l++) a[k * n + l] = gather(buffer, exact[l]!.diff);
      a[k * n + k]! += 1 / curvature(model, dk);
      clear(buffer, dk);
    }
    const lower = cholesky(a, n);
    this.g = rows.map((row) => {
      scatter(buffer, row, this.inverseLambda);
      const b = new Float64Array(n);
      for (let k = 0; k < n; k++) b[k] = gather(buffer, exact[k]!.diff);
      clear(buffer, row);
      return forwardSolve(lower, b, n);
    });
  }

  /** The posterior covariance of items i and j's scores. */
  cov(i: number, j: number): number {
    let prior = 0;
    const a = this.rows[i]!;
    const b = this.rows[j]!;
    let p = 0;
    let q = 0;
    while (p < a.idx.length && q < b.idx.length) {
      const ap = a.idx[p]!;
      const bq = b.idx[q]!;
      if (ap === bq) prior += a.val[p++]! * b.val[q++]! * this.inverseLambda[ap]!;
      else if (ap < bq) p++;
      else q++;
    }
    const gi = this.g[i]!;
    const gj = this.g[j]!;
    let explained = 0;
    for (let k = 0; k < this.n; k++) explained += gi[k]! * gj[k]!;
    // Rounding can push a nearly settled variance a hair below zero.
    return i === j ? Math.max(0, prior - explained) : prior - explained;
  }
}

/**
 * The Fisher information of one comparison about its score difference at the current weights: the curvature of its
 * negative log-likelihood, which in Davidson's model does not depend on the outcome.
 */
export function curvature(model: BradleyTerry, diff: Row): number {
  return terms(dot(model.w, diff), model.theta, 0).hd;
}

function scatter(buffer: Float64Array, row: Row, scale: Float64Array): void {
  for (let k = 0; k < row.idx.length; k++) buffer[row.idx[k]!] = row.val[k]! * scale[row.idx[k]!]!;
}

function gather(buffer: Float64Array, row: Row): number {
  let sum = 0;
  for (let k = 0; k < row.idx.length; k++) sum += buffer[row.idx[k]!]! * row.val[k]!;
  return sum;
}

function clear(buffer: Float64Array, row: Row): void {
  for (let k = 0; k < row.idx.length; k++) buffer[row.idx[k]!] = 0;
}

/** The lower Cholesky factor of a symmetric positive definite matrix given by its lower triangle (row-major). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      // H⁻¹ on the diagonal keeps A positive definite; the floor only guards against rounding.
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * n + j]!;
    }
  }
  return l;
}

function forwardSolve(l: Float64Array, b: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}
