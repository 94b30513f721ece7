/** Confidence bins for the expected calibration error, equal-width over [0, 1]. */
const BINS = 10;
/** Variance of the prior on log T; see fitTemperature. */
const PRIOR_VARIANCE = 1;

/**
 * Expected calibration error: the gap between confidence and accuracy, averaged over equal-width confidence
 * bins and weighted by how many predictions fall in each. 0 means "90 % sure" is right 90 % of the time.
 */
export function expectedCalibrationError(probs: ArrayLike<number>, targets: ArrayLike<number>, classes: number): number {
  const n = targets.length;
  if (n === 0) return 0;
  const count = new Float64Array(BINS);
  const confidence = new Float64Array(BINS);
  const correct = new Float64Array(BINS);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[r * classes + c]! > probs[r * classes + best]!) best = c;
    const p = probs[r * classes + best]!;
    const bin = Math.min(BINS - 1, Math.floor(p * BINS));
    count[bin]! += 1;
    confidence[bin]! += p;
    if (best === targets[r]) correct[bin]! += 1;
  }
  let ece = 0;
  for (let b = 0; b < BINS; b++) if (count[b]! > 0) ece += Math.abs(correct[b]! - confidence[b]!) / n;
  return ece;
}

/** Softmax of log-probabilities divided by a temperature: the same ranking, sharper (T < 1) or softer (T > 1). */
export function withTemperature(logProbs: ArrayLike<number>, classes: number, temperature: number): Float64Array {
  const out = new Float64Array(logProbs.length);
  for (let r = 0; r < logProbs.length / classes; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logProbs[r * classes + c]! / temperature);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(logProbs[r * classes + c]! / temperature - max);
      out[r * classes + c] = e;
      sum += e;
    }
    for (let c = 0; c < classes; c++) out[r * classes + c]! /= sum;
  }
  return out;
}

function negativeLogLikelihood(logProbs: ArrayLike<number>, targets: ArrayLike<number>, classes: number, temperature: number): number {
  const probs = withTemperature(logProbs, classes, temperature);
  let nll = 0;
  for (let r = 0; r < targets.length; r++) nll -= Math.log(Math.max(probs[r * classes + targets[r]!]!, 1e-12));
  return nll / targets.length;
}

/**
 * Temperature scaling (Guo et al. 2017): the one number that makes held-out human labels most likely.
 * A golden-section search over log T in [1/20, 20]; NLL (and NLL plus the prior) is unimodal in log T.
 */
export function fitTemperature(logProbs: ArrayLike<number>, targets: ArrayLike<number>, classes: number): number {
  const phi = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(1 / 20);
  let hi = Math.log(20);
  // A standard-normal prior on log T (MAP, not maximum likelihood): a handful of held-out labels that the model
  // all gets right would otherwise drive T to the search bound and make every later answer near-certain; with
  // hundreds of held-out labels the data outweighs the prior.
  const f = (logT: number) =>
    negativeLogLikelihood(logProbs, targets, classes, Math.exp(logT)) + (logT * logT) / (2 * PRIOR_VARIANCE * targets.length);
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 40; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}
