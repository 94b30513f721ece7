import { checksNeeded, clopperPearsonUpper } from './binomial.js';

/** One spot check: what the model said with what confidence, and whether the person agreed. */
export interface Check {
  /** The predicted label. */
  label: string;
  confidence: number;
  correct: boolean;
}

/**
 * The thresholds tested, highest first. Fixed before any evidence is seen (a grid chosen from the data would void
 * the test's level); the steps are finer near 1, where most of a trained model's confident answers lie.
 */
export const THRESHOLD_GRID: readonly number[] = [0.995, 0.99, 0.98, 0.97, 0.96, 0.95, 0.93, 0.9, 0.85, 0.8];

/** One point of the risk–coverage curve. */
export interface RiskPoint {
  threshold: number;
  /** Spot checks at or above the threshold, and how many of them the person corrected. */
  checked: number;
  errors: number;
  /** errors / checked; null before any check. */
  estimatedError: number | null;
  /** Clopper–Pearson upper bound at the level the procedure tested this threshold at. */
  upperBound: number;
  /** The significance level the threshold was tested at (its share of 1 − confidence, plus what passed down). */
  level: number;
  passed: boolean;
}

export interface ThresholdChoice {
  /** The lowest threshold the test let through; null: nothing may be auto-accepted yet. */
  threshold: number | null;
  /** The chosen threshold's upper bound on the error rate (≤ maxError); null without one. */
  errorUpperBound: number | null;
  evidence: number;
  /** Spot checks still to answer (all right, landing as the model's answers do) before anything passes; 0 once one did. */
  needed: number;
  points: RiskPoint[];
}

/**
 * Picks the auto-accept threshold with a finite-sample guarantee: with probability at least 1 − delta, the error rate
 * among predictions at or above it is at most `maxError`, provided the checks are an exchangeable sample of the
 * predictions (spot checks drawn at random, answered by a person who is right).
 *
 * Learn-then-Test (Angelopoulos et al., 2021): each threshold λ is a hypothesis "error above λ > maxError", tested
 * with the exact binomial bound over the checks above λ, and the family-wise error is held at delta by the fallback
 * procedure (Wiens, 2003) in the fixed order highest → lowest: each λ gets an equal share of delta, and a threshold
 * that passes hands its level on to the next. Unlike plain fixed-sequence testing, a top threshold with too few
 * checks above it does not block the ones below. The lowest passing threshold is served.
 *
 * `share(λ)` is the fraction of recent predictions at or above λ: it turns checks needed above λ into checks needed.
 */
export function chooseThreshold(
  checks: readonly Check[],
  maxError: number,
  confidence: number,
  share: (threshold: number) => number = (t) => (checks.length === 0 ? 1 : checks.filter((c) => c.confidence >= t).length / checks.length),
): ThresholdChoice {
  if (!(maxError > 0 && maxError < 1)) throw new RangeError(`maxError must be in (0, 1), got ${maxError}.`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}.`);
  const delta = 1 - confidence;
  const base = delta / THRESHOLD_GRID.length;
  const points: RiskPoint[] = [];
  let carried = 0;
  let chosen: RiskPoint | null = null;
  for (const threshold of THRESHOLD_GRID) {
    let checked = 0;
    let errors = 0;
    for (const check of checks) {
      if (check.confidence < threshold) continue;
      checked += 1;
      if (!check.correct) errors += 1;
    }
    const level = base + carried;
    const upperBound = clopperPearsonUpper(errors, checked, level);
    const passed = upperBound <= maxError;
    const point: RiskPoint = { threshold, checked, errors, estimatedError: checked === 0 ? null : errors / checked, upperBound, level, passed };
    points.push(point);
    carried = passed ? level : 0;
    if (passed) chosen = point;
  }
  let needed = 0;
  if (!chosen) {
    needed = Number.POSITIVE_INFINITY;
    for (const point of points) {
      const above = share(point.threshold);
      if (!(above > 0)) continue;
      needed = Math.min(needed, Math.ceil(checksNeeded(point.errors, point.checked, maxError, base) / above));
    }
    if (!Number.isFinite(needed)) needed = checksNeeded(0, 0, maxError, base);
  }
  return {
    threshold: chosen?.threshold ?? null,
    errorUpperBound: chosen?.upperBound ?? null,
    evidence: checks.length,
    needed,
    points,
  };
}

/**
 * Mondrian: a threshold per predicted label, each from that label's checks alone, so that the bound holds among the
 * auto-accepted answers of every label, not only on average over them.
 */
export function chooseThresholdPerClass(
  checks: readonly Check[],
  labels: readonly string[],
  maxError: number,
  confidence: number,
  share: (label: string, threshold: number) => number,
): Record<string, ThresholdChoice> {
  const out: Record<string, ThresholdChoice> = {};
  for (const label of labels) {
    const own = checks.filter((c) => c.label === label);
    out[label] = chooseThreshold(own, maxError, confidence, (t) => share(label, t));
  }
  return out;
}
