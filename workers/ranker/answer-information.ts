import { davidson, terms } from './davidson.js';

/** Beyond this |difference| (plus twice a positive tie parameter) an answer is settled: P(the other side or a tie) < e^−6. */
const SETTLED = 12;
/** Quadrature step, in score units and in standard deviations, whichever is finer. */
const STEP = 0.5;

function entropy(a: number, b: number, tie: number): number {
  return -(a > 0 ? a * Math.log(a) : 0) - (b > 0 ? b * Math.log(b) : 0) - (tie > 0 ? tie * Math.log(tie) : 0);
}

/** The standard normal's upper tail, P(Z > z) (erfc by Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
function upperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + x / 2);
  const poly =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851973 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * The precision of the Gaussian channel that stands for a comparison whose score difference is d ± √v: the one that
 * tells as much about the difference as the answer does. The answer's mutual information with the difference (BALD,
 * Houlsby et al. 2011), I = H(E[P(y | δ)]) − E[H(P(y | δ))] over δ ~ N(d, v), is what a Gaussian observation of δ with
 * noise 1/h tells when ½·log(1 + h·v) = I. The curvature at the moderated difference instead grows without bound as v
 * grows: it valued a long word against a short one, both uncertain under the prior, as a near-exact measurement,
 * though a person's answer there is nearly certain and tells little (docs/ranking.md). For small v both agree.
 * The expectation is a quadrature over the differences where the answer is not settled; the normal's mass beyond
 * them counts as a sure answer for that side.
 */
export function channelPrecision(d: number, v: number, theta: number): number {
  if (!(v > 1e-9)) return terms(d, theta, 0).hd;
  const sd = Math.sqrt(v);
  const edge = SETTLED + 2 * Math.max(0, theta);
  const lo = Math.max(d - 8 * sd, -edge);
  const hi = Math.min(d + 8 * sd, edge);
  // Mass settled for a (above hi) and for b (below lo).
  let a = upperTail((hi - d) / sd);
  let b = 1 - upperTail((lo - d) / sd);
  let tie = 0;
  let expected = 0;
  if (hi > lo) {
    const step = Math.min(STEP, STEP * sd);
    const cells = Math.max(1, Math.ceil((hi - lo) / step));
    const width = (hi - lo) / cells;
    // Each cell's answer read at its midpoint, weighted by the normal density there. The weights are scaled to the
    // mass between the edges so that they sum exactly with the tails': the information is a small difference of two
    // entropies, which a tail function's rounding (~1e-7) would swamp when v is small.
    let weights = 0;
    let sa = 0;
    let sb = 0;
    let st = 0;
    let sh = 0;
    for (let k = 0; k < cells; k++) {
      const c = lo + (k + 0.5) * width;
      const z = (c - d) / sd;
      const w = Math.exp(-(z * z) / 2);
      const p = davidson(c, theta);
      weights += w;
      sa += w * p.a;
      sb += w * p.b;
      st += w * p.tie;
      sh += w * entropy(p.a, p.b, p.tie);
    }
    const scale = (1 - a - b) / weights;
    a += sa * scale;
    b += sb * scale;
    tie = st * scale;
    expected = sh * scale;
  }
  const information = Math.max(0, entropy(a, b, tie) - expected);
  return Math.expm1(2 * information) / v;
}

/** The table's range of variances: below it the curvature is the limit the precision tends to (a relative gap of order v). */
const MIN_VARIANCE = 1e-3;
const MAX_VARIANCE = 1e4;
/** Table steps: in |d|, and in log v. */
const D_STEP = 0.25;
const LOG_V_STEP = 0.25;

/**
 * channelPrecision for one tie parameter, read from a table of the information over |d| and log v (bilinear; the
 * information is smooth in both, and symmetric in d): a selection asks it for tens of thousands of candidate pairs,
 * and the quadrature costs some 40 evaluations of the model each. Outside the table it is computed exactly.
 */
export function channelTable(theta: number): (d: number, v: number) => number {
  const maxD = SETTLED + 2 * Math.max(0, theta);
  const rows = Math.ceil(maxD / D_STEP) + 1;
  const logMin = Math.log(MIN_VARIANCE);
  const columns = Math.ceil((Math.log(MAX_VARIANCE) - logMin) / LOG_V_STEP) + 1;
  const table = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) {
      const v = Math.exp(logMin + c * LOG_V_STEP);
      table[r * columns + c] = Math.log1p(channelPrecision(r * D_STEP, v, theta) * v) / 2;
    }
  return (d, v) => {
    const x = Math.abs(d) / D_STEP;
    const y = (Math.log(v) - logMin) / LOG_V_STEP;
    // Below the table the curvature is the limit; past its edges (rare) the quadrature itself.
    if (!(y >= 0)) return terms(d, theta, 0).hd;
    if (!(x < rows - 1) || !(y < columns - 1)) return channelPrecision(d, v, theta);
    const r = Math.floor(x);
    const c = Math.floor(y);
    const fx = x - r;
    const fy = y - c;
    const at = (i: number, j: number) => table[i * columns + j]!;
    const information = (1 - fx) * ((1 - fy) * at(r, c) + fy * at(r, c + 1)) + fx * ((1 - fy) * at(r + 1, c) + fy * at(r + 1, c + 1));
    return Math.expm1(2 * information) / v;
  };
}
