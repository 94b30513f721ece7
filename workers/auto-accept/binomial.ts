/**
 * Exact binomial bounds (Clopper–Pearson) for an error rate seen as `errors` wrong out of `n` checked: the upper
 * bound is the largest rate under which seeing so few errors still has probability at least `delta`, so the true
 * rate is above it with probability at most `delta`, for every n (no normal approximation).
 */

/** log of n choose k, exact enough for n up to millions (lgamma through a Lanczos series). */
function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** Lanczos coefficients (g = 7, n = 9) for logGamma. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS.length - 1.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(X ≤ k) for X ~ Binomial(n, p), summed in log space so that tiny terms do not underflow to a wrong 0. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let total = 0;
  for (let i = 0; i <= k; i++) total += Math.exp(logChoose(n, i) + i * logP + (n - i) * logQ);
  return Math.min(1, total);
}

function checkCounts(errors: number, n: number, delta: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${n}.`);
  if (!Number.isInteger(errors) || errors < 0 || errors > n) throw new RangeError(`errors must be a whole number in [0, n = ${n}], got ${errors}.`);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}.`);
}

/**
 * The one-sided Clopper–Pearson upper bound at level 1 − delta: the p with P(Binomial(n, p) ≤ errors) = delta
 * (1 when nothing was checked, or every check was wrong). Bisection to 1e-9, far below any rate a person states.
 */
export function clopperPearsonUpper(errors: number, n: number, delta: number): number {
  checkCounts(errors, n, delta);
  if (n === 0 || errors === n) return 1;
  // Closed form without errors: (1 − p)^n = delta.
  if (errors === 0) return 1 - Math.pow(delta, 1 / n);
  let lo = errors / n;
  let hi = 1;
  while (hi - lo > 1e-9) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(errors, n, mid) > delta) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * How many more checks, all of them right, would bring the upper bound for `errors` in `n` to `maxError` or below:
 * the fewest the evidence could still need. 0 when it is there already.
 */
export function checksNeeded(errors: number, n: number, maxError: number, delta: number): number {
  checkCounts(errors, n, delta);
  if (clopperPearsonUpper(errors, n, delta) <= maxError) return 0;
  // The bound only falls as right checks are added: double to bracket, then bisect on the count.
  let lo = 0;
  let hi = 1;
  while (clopperPearsonUpper(errors, n + hi, delta) > maxError) {
    lo = hi;
    hi *= 2;
    if (hi > 1e9) return Number.POSITIVE_INFINITY;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (clopperPearsonUpper(errors, n + mid, delta) > maxError) lo = mid;
    else hi = mid;
  }
  return hi;
}
