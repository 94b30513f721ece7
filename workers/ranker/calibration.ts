import { davidson, terms, type Outcomes } from './davidson.js';

/**
 * How the model's (moderated) score difference m of a pair becomes the probabilities a page is given:
 * Davidson(scale·m, theta). The identity is { scale: 1, theta: the model's own θ }.
 */
export interface Calibration {
  scale: number;
  theta: number;
}

/**
 * A weak prior on both parameters: scale ~ N(1, 1) and θ ~ N(−2, 2²) (the model's own tie prior). With hundreds of
 * held-out comparisons it is negligible; with a dozen it keeps the fit near the model's own probabilities, and θ finite
 * when people never tie.
 */
const SCALE_PRIOR_VAR = 1;
const THETA_PRIOR_MEAN = -2;
const THETA_PRIOR_VAR = 4;
const MAX_STEPS = 50;

export function calibrated(margin: number, calibration: Calibration): Outcomes {
  return davidson(calibration.scale * margin, calibration.theta);
}

/** The penalised negative log-likelihood of the outcomes `ys` (+1 a, −1 b, 0 tie) under Davidson(scale·m, θ). */
function objective(margins: readonly number[], ys: readonly number[], scale: number, theta: number): number {
  let f = (scale - 1) ** 2 / (2 * SCALE_PRIOR_VAR) + (theta - THETA_PRIOR_MEAN) ** 2 / (2 * THETA_PRIOR_VAR);
  margins.forEach((m, i) => (f += terms(scale * m, theta, ys[i]!).loss));
  return f;
}

/**
 * Fits the scale and the tie parameter to held-out predictions: `margins` are the moderated score differences that
 * models which did not learn from a comparison gave it, `ys` what the person said. Davidson's negative log-likelihood
 * is convex in (d, θ) and d = scale·m is linear in the scale, so this is a smooth convex problem in two unknowns:
 * Newton's method with a backtracking line search. The scale is kept ≥ 0 (a model is never served backwards).
 */
export function fitCalibration(margins: readonly number[], ys: readonly number[], start: Calibration): Calibration {
  if (margins.length !== ys.length) throw new RangeError(`fitCalibration: ${margins.length} margins but ${ys.length} outcomes.`);
  let scale = Math.max(0, start.scale);
  let theta = start.theta;
  let f = objective(margins, ys, scale, theta);
  for (let step = 0; step < MAX_STEPS; step++) {
    let gs = (scale - 1) / SCALE_PRIOR_VAR;
    let gt = (theta - THETA_PRIOR_MEAN) / THETA_PRIOR_VAR;
    let hss = 1 / SCALE_PRIOR_VAR;
    let htt = 1 / THETA_PRIOR_VAR;
    let hst = 0;
    margins.forEach((m, i) => {
      const t = terms(scale * m, theta, ys[i]!);
      const p = davidson(scale * m, theta);
      gs += t.gd * m;
      gt += t.gt;
      hss += t.hd * m * m;
      htt += p.tie * (1 - p.tie);
      // ∂P(tie)/∂d = −P(tie)·(P(a) − P(b))/2.
      hst += (-p.tie * (p.a - p.b) * m) / 2;
    });
    if (Math.max(Math.abs(gs), Math.abs(gt)) < 1e-8) break;
    const det = hss * htt - hst * hst;
    const [ds, dt] = det > 1e-12 ? [-(htt * gs - hst * gt) / det, -(hss * gt - hst * gs) / det] : [-gs / hss, -gt / htt];
    let size = 1;
    let next = { scale, theta, f };
    for (let tries = 0; tries < 30; tries++, size /= 2) {
      const s = Math.max(0, scale + size * ds);
      const th = theta + size * dt;
      const fNew = objective(margins, ys, s, th);
      if (fNew < f) {
        next = { scale: s, theta: th, f: fNew };
        break;
      }
    }
    if (next.f >= f) break;
    const converged = f - next.f < 1e-12 * Math.max(1, Math.abs(f));
    ({ scale, theta, f } = next);
    if (converged) break;
  }
  return { scale, theta };
}
