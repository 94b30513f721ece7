import { assignFolds } from '../audit/label-check.js';
import type { SparseVector } from '../featurizers/vector.js';
import { trainHeads } from './head.js';
import { predictSparse } from './sparse-head.js';

/** How a candidate setting did over the folds: its mean accuracy and each fold's. */
export interface CandidateScore<T> {
  candidate: T;
  accuracy: number;
  folds: number[];
}

export interface CrossValidateOptions<T> {
  candidates: readonly T[];
  /** The head's rows for one candidate setting, in the order of `targets`. */
  rowsFor: (candidate: T) => SparseVector[];
  targets: Int32Array;
  classes: number;
  inputDim: number;
  folds: number;
  shouldStop?: () => Error | null;
  breathe?: () => Promise<void>;
}

/**
 * K-fold cross-validation of the same head (trainHeads: the served head's optimiser, regularisation and class
 * balance) on each candidate's rows, every candidate on the same folds so their scores pair up fold by fold.
 */
export async function crossValidate<T>(options: CrossValidateOptions<T>): Promise<CandidateScore<T>[]> {
  const { candidates, rowsFor, targets, classes, inputDim, folds, shouldStop, breathe } = options;
  const fold = assignFolds(targets, classes, folds);
  const subsets = Array.from({ length: folds }, (_, k) => Uint8Array.from(fold, (f) => (f === k ? 0 : 1)));
  const members = Array.from({ length: folds }, (_, k) => [...fold.keys()].filter((i) => fold[i] === k));
  const scores: CandidateScore<T>[] = [];
  for (const candidate of candidates) {
    const rows = rowsFor(candidate);
    const heads = await trainHeads({
      rows,
      targets,
      classes,
      inputDim,
      subsets,
      ...(shouldStop ? { shouldStop } : {}),
      ...(breathe ? { breathe } : {}),
    });
    const perFold = heads.map((head, k) => {
      const held = members[k]!;
      if (held.length === 0) return NaN;
      const probs = predictSparse(
        held.map((i) => rows[i]!),
        head.weights,
        head.bias,
        classes,
      );
      let right = 0;
      held.forEach((i, m) => {
        let best = 0;
        for (let c = 1; c < classes; c++) if (probs[m * classes + c]! > probs[m * classes + best]!) best = c;
        if (best === targets[i]) right += 1;
      });
      return right / held.length;
    });
    const counted = perFold.filter((a) => !Number.isNaN(a));
    scores.push({ candidate, accuracy: counted.reduce((a, b) => a + b, 0) / counted.length, folds: perFold });
  }
  return scores;
}

/**
 * The candidate to use: the best by mean accuracy, unless it does not beat `current` by more than one standard
 * error of their paired fold-by-fold difference. Changing the features means a retrain from zeros and answers that
 * move, so a difference the folds cannot tell from noise is not worth it (the "one standard error" rule).
 */
export function chooseCandidate<T>(scores: readonly CandidateScore<T>[], current: T): T {
  const base = scores.find((s) => s.candidate === current);
  const best = scores.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  if (!base || best === base) return best.candidate;
  const diffs = best.folds.map((a, k) => a - base.folds[k]!).filter((d) => !Number.isNaN(d));
  if (diffs.length < 2) return current;
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const variance = diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / (diffs.length - 1);
  const standardError = Math.sqrt(variance / diffs.length);
  return mean > standardError ? best.candidate : current;
}
