import type { DriftReport } from '../../src/protocol.js';

/**
 * Drift is flagged when any shift between the reference and the recent window exceeds 0.3. Every shift is on one
 * 0…1 scale: total-variation distance (TVD, half the summed absolute difference of two distributions: the share of
 * predictions that would have to change bucket) for predicted labels and for confidence, and the absolute change of
 * the human agreement rate. 0.3 sits well above sampling noise at the minimum window sizes below (two samples of
 * one distribution differ by ~0.1–0.2 TVD at 50 items and 5 buckets) and well below a real change of what is being
 * classified (a class that goes from a fifth to half of the traffic is a 0.3 shift on its own).
 */
export const DRIFT_THRESHOLD = 0.3;
/** Predictions per window before label and confidence shifts are reported; at least 10 per label as well. */
export const DRIFT_MIN_PREDICTIONS = 50;
const MIN_PER_LABEL = 10;
/** Human decisions per window before the agreement shift is reported: a rate from fewer is too noisy. */
export const DRIFT_MIN_DECISIONS = 40;
/** Confidence buckets, equal width over 0…1: coarse enough that 50 predictions fill them. */
export const CONFIDENCE_BINS = 5;

export interface DriftPrediction {
  label: string | null;
  confidence: number;
}

/** Half the L1 distance between two count vectors, each normalised. */
export function totalVariation(a: readonly number[], b: readonly number[]): number {
  const na = a.reduce((s, x) => s + x, 0);
  const nb = b.reduce((s, x) => s + x, 0);
  if (na === 0 || nb === 0) return 0;
  let sum = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) sum += Math.abs((a[i] ?? 0) / na - (b[i] ?? 0) / nb);
  return sum / 2;
}

/** The last `size` items as the recent window and the `size` before them as the reference. */
function split<T>(items: readonly T[], window: number): { reference: T[]; recent: T[] } {
  const size = Math.min(window, Math.floor(items.length / 2));
  return { reference: items.slice(items.length - 2 * size, items.length - size), recent: items.slice(items.length - size) };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/**
 * Compares the most recent `window` predictions a person saw (and human decisions) with the `window` before them:
 * a change within the last 2 × window items is what it detects. Fewer than 2 × the minimum: null shifts.
 */
export function detectDrift(
  predictions: readonly DriftPrediction[],
  decisions: readonly { agreed: boolean }[],
  window: number,
  labels: readonly string[],
): DriftReport {
  const { reference, recent } = split(predictions, window);
  const minPredictions = Math.max(DRIFT_MIN_PREDICTIONS, MIN_PER_LABEL * labels.length);
  const reasons: string[] = [];
  let labelShift: number | null = null;
  let confidenceShift: number | null = null;
  if (recent.length >= minPredictions) {
    const names = [...labels, ...new Set(predictions.map((p) => p.label ?? '(none)').filter((l) => !labels.includes(l)))];
    const count = (items: DriftPrediction[]) => names.map((name) => items.filter((p) => (p.label ?? '(none)') === name).length);
    const before = count(reference);
    const after = count(recent);
    labelShift = totalVariation(before, after);
    if (labelShift > DRIFT_THRESHOLD) {
      const moves = names
        .map((name, i) => ({ name, from: before[i]! / reference.length, to: after[i]! / recent.length }))
        .sort((x, y) => Math.abs(y.to - y.from) - Math.abs(x.to - x.from))
        .slice(0, 2);
      for (const m of moves) reasons.push(`predicted '${m.name}' share ${pct(m.from)} → ${pct(m.to)}`);
    }
    const histogram = (items: DriftPrediction[]) => {
      const bins = new Array<number>(CONFIDENCE_BINS).fill(0);
      for (const p of items) bins[Math.min(CONFIDENCE_BINS - 1, Math.floor(p.confidence * CONFIDENCE_BINS))]! += 1;
      return bins;
    };
    confidenceShift = totalVariation(histogram(reference), histogram(recent));
    if (confidenceShift > DRIFT_THRESHOLD) {
      const mean = (items: DriftPrediction[]) => items.reduce((s, p) => s + p.confidence, 0) / items.length;
      reasons.push(`mean confidence ${mean(reference).toFixed(2)} → ${mean(recent).toFixed(2)}`);
    }
  }
  let agreementShift: number | null = null;
  const d = split(decisions, window);
  if (d.recent.length >= DRIFT_MIN_DECISIONS) {
    const rate = (items: { agreed: boolean }[]) => items.filter((x) => x.agreed).length / items.length;
    agreementShift = Math.abs(rate(d.recent) - rate(d.reference));
    if (agreementShift > DRIFT_THRESHOLD) reasons.push(`agreement with people ${pct(rate(d.reference))} → ${pct(rate(d.recent))}`);
  }
  const shifts = [labelShift, confidenceShift, agreementShift].filter((s): s is number => s !== null);
  const score = shifts.length > 0 ? Math.max(...shifts) : null;
  return {
    drifted: score !== null && score > DRIFT_THRESHOLD,
    threshold: DRIFT_THRESHOLD,
    score,
    labelShift,
    confidenceShift,
    agreementShift,
    referenceSize: reference.length,
    recentSize: recent.length,
    reasons,
  };
}
