import { davidson, terms, type Outcomes } from './davidson.js';
import { dot, variance, type Row } from './sparse.js';

/** One comparison as the model learns from it: the difference of the two items' rows and who won (+1 a, −1 b, 0 tie). */
export interface Pair {
  diff: Row;
  y: number;
}

/**
 * The tie parameter's prior, θ = log ν ~ N(−2, 2²): before any tie, a tie between equal items is given about 6 %;
 * the prior only keeps θ finite when people never tie (its maximum-likelihood value is then −∞).
 */
const THETA_PRIOR_MEAN = -2;
const THETA_PRIOR_VAR = 4;

/** L-BFGS history length and stopping rule: a convex, smooth problem converges in tens of steps. */
const HISTORY = 8;
const GRADIENT_TOLERANCE = 1e-6;

/**
 * A linear Bradley–Terry–Davidson model: score(x) = w·x, ties through ν = e^θ. w has a Gaussian prior N(0, 1/l2);
 * `precision` is the diagonal of the posterior's Laplace approximation (l2 plus each pair's curvature along its
 * columns), which gives every score and every pair's difference a variance.
 */
export class BradleyTerry {
  w: Float64Array;
  theta = THETA_PRIOR_MEAN;
  precision: Float64Array;

  constructor(
    readonly dim: number,
    public l2: number,
  ) {
    this.w = new Float64Array(dim);
    this.precision = new Float64Array(dim).fill(l2);
  }

  score(row: Row): number {
    return dot(this.w, row);
  }

  uncertainty(row: Row): number {
    return Math.sqrt(variance(this.precision, row));
  }

  /**
   * The pair's score difference moderated by its uncertainty (MacKay's κ = 1/√(1 + π·var/8)): a pair the model knows
   * little about is not given a confident answer.
   */
  margin(diff: Row): number {
    return dot(this.w, diff) / Math.sqrt(1 + (Math.PI * variance(this.precision, diff)) / 8);
  }

  /** P(a), P(b), P(tie) for a pair's difference, moderated by the difference's uncertainty. */
  outcome(diff: Row): Outcomes {
    return davidson(this.margin(diff), this.theta);
  }

  /**
   * Learns from one new comparison at once: a Newton step along the pair's direction under the current diagonal
   * posterior (assumed-density filtering), then its curvature joins the precision.
   */
  learnOne(pair: Pair): void {
    const d = dot(this.w, pair.diff);
    const t = terms(d, this.theta, pair.y);
    const v = variance(this.precision, pair.diff);
    const step = t.gd / (1 + t.hd * v);
    const { idx, val } = pair.diff;
    for (let k = 0; k < idx.length; k++) this.w[idx[k]!]! -= (step * val[k]!) / this.precision[idx[k]!]!;
    for (let k = 0; k < idx.length; k++) this.precision[idx[k]!]! += t.hd * val[k]! * val[k]!;
    this.theta -= 0.1 * t.gt;
  }

  /** The penalised negative log-likelihood and its gradient at (w, θ) packed as x = [w…, θ] (w over `dim` columns). */
  private objective(pairs: readonly Pair[], x: Float64Array, grad: Float64Array): number {
    const dim = x.length - 1;
    const theta = x[dim]!;
    let f = 0;
    grad.fill(0);
    for (let i = 0; i < dim; i++) {
      f += (this.l2 * x[i]! * x[i]!) / 2;
      grad[i] = this.l2 * x[i]!;
    }
    let gt = (theta - THETA_PRIOR_MEAN) / THETA_PRIOR_VAR;
    f += (theta - THETA_PRIOR_MEAN) ** 2 / (2 * THETA_PRIOR_VAR);
    for (const pair of pairs) {
      const t = terms(dot(x, pair.diff), theta, pair.y);
      f += t.loss;
      gt += t.gt;
      const { idx, val } = pair.diff;
      for (let k = 0; k < idx.length; k++) grad[idx[k]!]! += t.gd * val[k]!;
    }
    grad[dim] = gt;
    return f;
  }

  /**
   * Fits (w, θ) to `pairs` by L-BFGS from where the model is (a warm start), at most `maxIterations` steps, then
   * recomputes the Laplace precision at the optimum. Returns the steps taken.
   *
   * Only the columns some comparison uses are optimised: any other weight sees nothing but its prior, whose optimum
   * is exactly 0. With 16,384 hashed n-gram columns of which the comparisons use only some, L-BFGS's dense vector
   * work shrinks with their number: the same optimum, found faster (docs/ranking.md has the training times).
   */
  fit(all: readonly Pair[], maxIterations = 200): number {
    const { columns, pairs } = compact(all, this.dim);
    const n = columns.length + 1;
    const x = new Float64Array(n);
    columns.forEach((column, k) => (x[k] = this.w[column]!));
    x[n - 1] = this.theta;
    const g = new Float64Array(n);
    let f = this.objective(pairs, x, g);
    const s: Float64Array[] = [];
    const yHist: Float64Array[] = [];
    const rho: number[] = [];
    const direction = new Float64Array(n);
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let iterations = 0;
    for (; iterations < maxIterations; iterations++) {
      let gMax = 0;
      for (let i = 0; i < n; i++) gMax = Math.max(gMax, Math.abs(g[i]!));
      if (gMax < GRADIENT_TOLERANCE) break;
      // Two-loop recursion: direction = −H·g.
      direction.set(g);
      const alpha: number[] = [];
      for (let m = s.length - 1; m >= 0; m--) {
        const a = rho[m]! * dotDense(s[m]!, direction);
        alpha[m] = a;
        axpy(-a, yHist[m]!, direction);
      }
      const gamma = s.length > 0 ? dotDense(s.at(-1)!, yHist.at(-1)!) / dotDense(yHist.at(-1)!, yHist.at(-1)!) : 1 / Math.max(1, gMax);
      for (let i = 0; i < n; i++) direction[i]! *= gamma;
      for (let m = 0; m < s.length; m++) {
        const b = rho[m]! * dotDense(yHist[m]!, direction);
        axpy(alpha[m]! - b, s[m]!, direction);
      }
      for (let i = 0; i < n; i++) direction[i] = -direction[i]!;
      let slope = dotDense(g, direction);
      if (slope >= 0) {
        // Not a descent direction (a poor curvature pair): restart from the gradient.
        s.length = yHist.length = rho.length = 0;
        for (let i = 0; i < n; i++) direction[i] = -g[i]!;
        slope = dotDense(g, direction);
      }
      let step = 1;
      let fNew = Infinity;
      for (let tries = 0; tries < 30; tries++) {
        for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * direction[i]!;
        fNew = this.objective(pairs, xNew, gNew);
        if (fNew <= f + 1e-4 * step * slope) break;
        step /= 2;
      }
      if (!(fNew < f)) break;
      const sk = new Float64Array(n);
      const yk = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        sk[i] = xNew[i]! - x[i]!;
        yk[i] = gNew[i]! - g[i]!;
      }
      const sy = dotDense(sk, yk);
      if (sy > 1e-12) {
        s.push(sk);
        yHist.push(yk);
        rho.push(1 / sy);
        if (s.length > HISTORY) {
          s.shift();
          yHist.shift();
          rho.shift();
        }
      }
      const converged = f - fNew < 1e-10 * Math.max(1, Math.abs(f));
      x.set(xNew);
      g.set(gNew);
      f = fNew;
      if (converged) break;
    }
    this.w = new Float64Array(this.dim);
    columns.forEach((column, k) => (this.w[column] = x[k]!));
    this.theta = x[n - 1]!;
    this.refreshPrecision(all);
    return iterations;
  }

  /** The Laplace precision's diagonal at the current (w, θ). */
  refreshPrecision(pairs: readonly Pair[]): void {
    this.precision.fill(this.l2);
    for (const pair of pairs) {
      const t = terms(dot(this.w, pair.diff), this.theta, pair.y);
      const { idx, val } = pair.diff;
      for (let k = 0; k < idx.length; k++) this.precision[idx[k]!]! += t.hd * val[k]! * val[k]!;
    }
  }

  /** A fresh model of the same size with its own settings: for cross-validation folds. */
  blank(l2 = this.l2): BradleyTerry {
    return new BradleyTerry(this.dim, l2);
  }
}

/** The columns the pairs use (ascending) and the pairs re-indexed over them. */
function compact(pairs: readonly Pair[], dim: number): { columns: Int32Array; pairs: Pair[] } {
  const position = new Int32Array(dim).fill(-1);
  for (const pair of pairs) for (const column of pair.diff.idx) position[column] = 0;
  const used: number[] = [];
  for (let column = 0; column < dim; column++) if (position[column] === 0) position[column] = used.push(column) - 1;
  return {
    columns: Int32Array.from(used),
    pairs: pairs.map((pair) => ({ diff: { idx: pair.diff.idx.map((column) => position[column]!), val: pair.diff.val }, y: pair.y })),
  };
}

function dotDense(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += alpha * x[i]!;
}
