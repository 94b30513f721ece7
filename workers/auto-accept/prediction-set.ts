/**
 * Conformal prediction sets (split conformal, the "least ambiguous" score 1 − p(true label); Sadinle et al., 2019):
 * from n checked predictions, the set of labels whose probability is at least 1 − q̂ holds the true label with
 * probability at least 1 − epsilon for a new prediction exchangeable with them.
 */

/** One calibration item: the probability the model gave the label the person chose (null: not known, counted as 0). */
export interface ConformalScore {
  trueLabelProbability: number | null;
}

/**
 * q̂: the ⌈(n + 1)(1 − epsilon)⌉-th smallest nonconformity score, or 1 (every label) when there are too few
 * checks for that rank to exist. A check whose probability for the true label was not kept counts as the worst
 * score, which can only make sets larger.
 */
export function conformalQuantile(scores: readonly ConformalScore[], epsilon: number): number {
  if (!(epsilon > 0 && epsilon < 1)) throw new RangeError(`epsilon must be in (0, 1), got ${epsilon}.`);
  const n = scores.length;
  const rank = Math.ceil((n + 1) * (1 - epsilon));
  if (rank > n) return 1;
  const sorted = scores.map((s) => 1 - (s.trueLabelProbability ?? 0)).sort((a, b) => a - b);
  return sorted[rank - 1]!;
}

/** The labels whose probability reaches 1 − q̂, most probable first. Empty or every label: the model does not know. */
export function predictionSet(scores: Readonly<Record<string, number>>, quantile: number): string[] {
  return Object.entries(scores)
    .filter(([, p]) => 1 - p <= quantile + 1e-12)
    .sort((a, b) => b[1] - a[1])
    .map(([label]) => label);
}
