/**
 * Bradley–Terry with ties as in Davidson (1970): for a score difference d = s(a) − s(b) and ν = e^θ,
 * P(a) = e^{d/2}/Z, P(b) = e^{−d/2}/Z, P(tie) = ν/Z with Z = e^{d/2} + e^{−d/2} + ν. Without ties (ν → 0) it is the
 * logistic model σ(d). Its negative log-likelihood is convex in (d, θ), so fitting a linear score is a convex problem.
 */
export interface Outcomes {
  a: number;
  b: number;
  tie: number;
}

export function davidson(d: number, theta: number): Outcomes {
  const half = d / 2;
  const top = Math.max(half, -half, theta);
  const ea = Math.exp(half - top);
  const eb = Math.exp(-half - top);
  const et = Math.exp(theta - top);
  const z = ea + eb + et;
  return { a: ea / z, b: eb / z, tie: et / z };
}

/** y: +1 when a won, −1 when b won, 0 for a tie. */
export interface Terms {
  loss: number;
  /** ∂loss/∂d and ∂loss/∂θ. */
  gd: number;
  gt: number;
  /** ∂²loss/∂d²: the curvature a Laplace approximation adds along the pair's direction. */
  hd: number;
}

export function terms(d: number, theta: number, y: number): Terms {
  const half = d / 2;
  const top = Math.max(half, -half, theta);
  const logZ = top + Math.log(Math.exp(half - top) + Math.exp(-half - top) + Math.exp(theta - top));
  const p = davidson(d, theta);
  const won = y > 0 ? half : y < 0 ? -half : theta;
  return {
    loss: logZ - won,
    gd: (p.a - p.b) / 2 - y / 2,
    gt: p.tie - (y === 0 ? 1 : 0),
    hd: Math.max((p.a + p.b) / 4 - ((p.a - p.b) * (p.a - p.b)) / 4, 1e-12),
  };
}
