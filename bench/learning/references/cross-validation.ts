/**
 * Choosing a reference learner's setting from the labels it is given, never from the test split: stratified k-fold
 * cross-validation, the setting with the best pooled held-out accuracy winning. With few labels accuracy often ties
 * (every setting gets the same 13 of 16 right); the held-out log-likelihood then decides, which still tells a model
 * that is nearly right from one that only predicts the majority class. Exact ties go to the setting nearest the
 * learner's default.
 */
import type { Fitted, Learner } from './learner.js';
import type { SparseRow } from './sparse.js';

/**
 * Folds by the number of labels: 5 while labels are few (each fold then still trains on four fifths), 3 from 200 up,
 * where held-out estimates are steadier and a fit costs most (cost, not accuracy, sets this: 21 fits against 13).
 */
export function foldsFor(labels: number): number {
  return labels < 200 ? 5 : 3;
}

/** The fold of each item: each class's items dealt round-robin, continuing one counter, so folds differ by ≤ 1 item. */
export function stratifiedFolds(labels: Int32Array, classes: number, k: number): Int32Array {
  const folds = new Int32Array(labels.length);
  let next = 0;
  for (let c = 0; c < classes; c++) {
    labels.forEach((label, i) => {
      if (label === c) folds[i] = next++ % k;
    });
  }
  return folds;
}

export interface Trained {
  model: Fitted;
  setting: number;
  /** Pooled held-out accuracy of the chosen setting; null when there were too few labels to cross-validate. */
  cvAccuracy: number | null;
}

/** Cross-validates every setting, then fits the chosen one on all rows. */
export function trainWithCrossValidation(
  learner: Learner,
  rows: SparseRow[],
  labels: Int32Array,
  classes: number,
  k = foldsFor(rows.length),
): Trained {
  const present = new Set(labels).size;
  const folds = Math.min(k, rows.length);
  const all = learner.settings.map((_, s) => s);
  if (present < 2 || folds < 2) {
    return { model: learner.fit(rows, labels, classes, [learner.defaultSetting])[0]!, setting: learner.defaultSetting, cvAccuracy: null };
  }
  const fold = stratifiedFolds(labels, classes, folds);
  const correct = new Array<number>(all.length).fill(0);
  const logLikelihood = new Array<number>(all.length).fill(0);
  for (let f = 0; f < folds; f++) {
    const train = rows.flatMap((_, i) => (fold[i] !== f ? [i] : []));
    const held = rows.flatMap((_, i) => (fold[i] === f ? [i] : []));
    if (held.length === 0 || train.length === 0) continue;
    const models = learner.fit(
      train.map((i) => rows[i]!),
      Int32Array.from(train, (i) => labels[i]!),
      classes,
      all,
    );
    models.forEach((model, s) => {
      for (const i of held) {
        const p = model.probabilities(rows[i]!);
        if (argmax(p) === labels[i]) correct[s]! += 1;
        // Floored: naive Bayes can be certain and wrong, and one −∞ would hide every other difference.
        logLikelihood[s]! += Math.log(Math.max(p[labels[i]!]!, 1e-6));
      }
    });
  }
  const byNearness = all.slice().sort((a, b) => Math.abs(a - learner.defaultSetting) - Math.abs(b - learner.defaultSetting) || a - b);
  let best = byNearness[0]!;
  for (const s of byNearness) {
    if (correct[s]! > correct[best]! || (correct[s] === correct[best] && logLikelihood[s]! > logLikelihood[best]!)) best = s;
  }
  return { model: learner.fit(rows, labels, classes, [best])[0]!, setting: best, cvAccuracy: correct[best]! / rows.length };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
