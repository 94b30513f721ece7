import type { ClassFigures } from '../../src/protocol.js';
import { shuffleInPlace } from '../learning/shuffle.js';
import { FEW_LABELS, perClassFigures } from './per-class.js';

/**
 * A check on the human labels by confident learning (Northcutt, Jiang and Chuang, "Confident learning: estimating
 * uncertainty in dataset labels", JAIR 2021): each labelled example is predicted by a head that never saw it
 * (out of fold, as in cross-validation), and a label is suspicious when another label's out-of-fold probability
 * reaches the threshold that label's own examples reach on average, and beats the given one.
 */

/** Folds of the cross-validation: each head learns from four fifths of the labels and predicts the fifth it never saw. */
export const FOLDS = 5;
/**
 * A label takes part (as given or as suggested) once it has this many examples, the same bar under which a label is
 * warned about as too few to learn (per-class.ts): fewer, and every fold but one lacks most of them.
 */
export const MIN_PER_CLASS = FEW_LABELS;

/** Out-of-fold probabilities: row r's probability of label c is `probs[r * classes + c]`. */
export interface OutOfFold {
  targets: Int32Array;
  probs: Float32Array;
  classes: number;
}

/** One label the out-of-fold predictions contradict. */
export interface Suspect {
  row: number;
  /** The label given, as a label index. */
  label: number;
  /** The label the out-of-fold prediction confidently prefers. */
  suggested: number;
  /** Its out-of-fold probability. */
  confidence: number;
  /** How far it beats the given label's probability: the ranking key, largest first. */
  margin: number;
}

/** Labels with at least MIN_PER_CLASS examples, by label index. */
export function eligibleClasses(targets: Int32Array, classes: number): boolean[] {
  const counts = new Array<number>(classes).fill(0);
  for (const t of targets) counts[t]! += 1;
  return counts.map((c) => c >= MIN_PER_CLASS);
}

/**
 * The fold of each row: each label's rows are shuffled (seeded, so the same labels give the same folds) and dealt
 * round the folds, continuing where the previous label stopped, so every fold holds a share of every label.
 */
export function assignFolds(targets: Int32Array, classes: number, folds: number): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer of at least 2, got ${folds}.`);
  const byClass = Array.from({ length: classes }, () => [] as number[]);
  targets.forEach((t, i) => byClass[t]!.push(i));
  const fold = new Int32Array(targets.length);
  let dealt = 0;
  byClass.forEach((members, c) => {
    shuffleInPlace(members, c + 1);
    for (const i of members) fold[i] = dealt++ % folds;
  });
  return fold;
}

/** t_j: the mean out-of-fold probability of label j over the rows labelled j (NaN for a label nobody gave). */
export function classThresholds({ targets, probs, classes }: OutOfFold): Float64Array {
  const sums = new Float64Array(classes);
  const counts = new Float64Array(classes);
  targets.forEach((t, r) => {
    sums[t]! += probs[r * classes + t]!;
    counts[t]! += 1;
  });
  return sums.map((s, c) => (counts[c]! > 0 ? s / counts[c]! : NaN));
}

/**
 * Rows whose given label i is contradicted: some other label j with p_j ≥ t_j (the out-of-fold prediction is as
 * confident in j as j's own examples are on average) and p_j > p_i. The suggestion is the most probable such j.
 * Only labels in `eligible` are checked or suggested. Largest margin first.
 */
export function findSuspects(oof: OutOfFold, eligible: readonly boolean[]): Suspect[] {
  const { targets, probs, classes } = oof;
  const thresholds = classThresholds(oof);
  const suspects: Suspect[] = [];
  targets.forEach((given, r) => {
    if (!eligible[given]) return;
    const own = probs[r * classes + given]!;
    let best = -1;
    for (let j = 0; j < classes; j++) {
      if (j === given || !eligible[j]) continue;
      const p = probs[r * classes + j]!;
      if (p >= thresholds[j]! && p > own && (best < 0 || p > probs[r * classes + best]!)) best = j;
    }
    if (best >= 0) {
      const confidence = probs[r * classes + best]!;
      suspects.push({ row: r, label: given, suggested: best, confidence, margin: confidence - own });
    }
  });
  return suspects.sort((a, b) => b.margin - a.margin || a.row - b.row);
}

/** Per label, the out-of-fold prediction (its most probable label) against the label people gave. */
export function outOfFoldFigures({ targets, probs, classes }: OutOfFold, labels: readonly string[]): ClassFigures[] {
  const pairs = Array.from(targets, (given, r) => {
    let top = 0;
    for (let c = 1; c < classes; c++) if (probs[r * classes + c]! > probs[r * classes + top]!) top = c;
    return { human: labels[given]!, predicted: labels[top]! };
  });
  return perClassFigures(pairs, labels);
}
