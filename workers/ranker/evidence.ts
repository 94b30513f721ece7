import type { BradleyTerry, Pair } from './bt-model.js';
import { terms } from './davidson.js';
import { EXACT_COMPARISONS } from './posterior.js';

/**
 * The Laplace approximation of the log marginal likelihood (the evidence) of the comparisons under the model's prior
 * strength, at the model's fitted weights (MacKay 1992):
 *
 *     log p(y | λ) ≈ −NLL(w*) − λ/2·‖w*‖² + (m/2)·log λ − ½·log det(λI + DᵀHD)
 *
 * over the m columns some comparison uses (any other column's prior and posterior are the same and cancel), D the
 * comparisons' difference rows and H their curvature at w*. As in PoolPosterior, the newest EXACT_COMPARISONS enter
 * the determinant exactly and older ones through the diagonal of their curvature, Λ = λ + diag(older): then
 * log det(Λ + DₑᵀHₑDₑ) = Σ log Λⱼ + log det(I + Hₑ^½ DₑΛ⁻¹Dₑᵀ Hₑ^½), an n × n factor for n comparisons, however
 * many hashed columns there are. θ's prior is the same at every λ and is left out.
 *
 * Why it chooses the L2 strength: the comparisons a ranker learns from are often the ones it asked for, picked from
 * what it had learnt (selectPairs). A likelihood does not depend on how the pairs were picked when the picking only
 * read earlier answers, so the evidence compares strengths as if the pairs had been drawn at random; the out-of-fold
 * loss instead measures the model on pairs like the picked ones, pairs close in score, where a weak prior costs
 * nothing (docs/ranking.md).
 */
export function logEvidence(model: BradleyTerry, pairs: readonly Pair[]): number {
  const l2 = model.l2;
  const w = model.w;
  const exact = pairs.slice(-EXACT_COMPARISONS);
  const older = pairs.slice(0, pairs.length - exact.length);
  let value = 0;
  for (const pair of pairs) value -= terms(dotRow(w, pair), model.theta, pair.y).loss;
  // The prior's columns and Λ: λ plus the older comparisons' diagonal curvature, only over columns some pair uses.
  const lambda = new Map<number, number>();
  for (const pair of pairs) for (const j of pair.diff.idx) lambda.set(j, l2);
  for (const pair of older) {
    const h = terms(dotRow(w, pair), model.theta, pair.y).hd;
    const { idx, val } = pair.diff;
    for (let k = 0; k < idx.length; k++) lambda.set(idx[k]!, lambda.get(idx[k]!)! + h * val[k]! * val[k]!);
  }
  for (const [j, precision] of lambda) {
    value -= (l2 * w[j]! * w[j]!) / 2;
    value += Math.log(l2) / 2 - Math.log(precision) / 2;
  }
  const n = exact.length;
  const root = exact.map((pair) => Math.sqrt(terms(dotRow(w, pair), model.theta, pair.y).hd));
  const a = new Float64Array(n * n);
  const buffer = new Float64Array(model.dim);
  for (let k = 0; k < n; k++) {
    const dk = exact[k]!.diff;
    for (let t = 0; t < dk.idx.length; t++) buffer[dk.idx[t]!] = dk.val[t]! / lambda.get(dk.idx[t]!)!;
    for (let l = 0; l <= k; l++) {
      const dl = exact[l]!.diff;
      let sum = 0;
      for (let t = 0; t < dl.idx.length; t++) sum += buffer[dl.idx[t]!]! * dl.val[t]!;
      a[k * n + l] = root[k]! * root[l]! * sum + (k === l ? 1 : 0);
    }
    for (let t = 0; t < dk.idx.length; t++) buffer[dk.idx[t]!] = 0;
  }
  return value - logDetCholesky(a, n) / 2;
}

function dotRow(w: Float64Array, pair: Pair): number {
  const { idx, val } = pair.diff;
  let sum = 0;
  for (let k = 0; k < idx.length; k++) sum += w[idx[k]!]! * val[k]!;
  return sum;
}

/** log det of a symmetric positive definite matrix given by its lower triangle (row-major), by Cholesky in place. */
function logDetCholesky(a: Float64Array, n: number): number {
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= a[i * n + k]! * a[j * n + k]!;
      if (i === j) {
        // I + a positive semi-definite matrix: every pivot is at least 1 but for rounding.
        const pivot = Math.sqrt(Math.max(sum, 1e-12));
        a[i * n + i] = pivot;
        logDet += 2 * Math.log(pivot);
      } else {
        a[i * n + j] = sum / a[j * n + j]!;
      }
    }
  }
  return logDet;
}
