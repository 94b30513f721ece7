import { assignFolds } from '../audit/label-check.js';
import { isSparse, type SparseVector, type Vector } from '../featurizers/vector.js';
import { fitTemperature, withTemperature } from './calibration.js';
import { predictDense, trainHeads, type HeadParams } from './head.js';
import { predictSparse, strideFor } from './sparse-head.js';

/** How a candidate setting did out of fold: its accuracy, each fold's, which rows it got right, and how likely it found each label. */
export interface CandidateScore<T> {
  candidate: T;
  accuracy: number;
  folds: number[];
  /** 1 where the row's out-of-fold prediction was its label, per row in the order of `targets`. */
  right: Uint8Array;
  /** The mean of `logLikelihoods`: what the choice ranks candidates by. */
  logLikelihood: number;
  /** Natural log of the out-of-fold probability of each row's label, per row in the order of `targets`. */
  logLikelihoods: Float64Array;
  /** The same at the temperature that suits this candidate best (see `temperatureScaled`), whichever one ranks. */
  scaled: { logLikelihood: number; logLikelihoods: Float64Array };
}

/**
 * A held-out probability is never taken below this when its log is summed: one label a head found impossible
 * (float32 underflow) would otherwise outweigh every other row.
 */
const MIN_PROBABILITY = 1e-6;

export interface CrossValidateOptions<T> {
  candidates: readonly T[];
  /** The head's rows for one candidate setting, in the order of `targets`. */
  rowsFor: (candidate: T) => readonly Vector[];
  /** The L2 strength each candidate's heads train with (trainHeads' `l2`); absent: the head's default. */
  l2For?: (candidate: T) => number | undefined;
  /** Whether each candidate's heads hold rare n-grams less firmly (trainHeads' `rareGrams`); absent: no. */
  rareGramsFor?: (candidate: T) => boolean;
  /**
   * Text rows only: candidates with the same key have the same rows (they differ in their penalty), so their folds
   * train as heads of one training, sharing its passes over the rows. Absent: each candidate trains on its own.
   */
  rowsKey?: (candidate: T) => string;
  /**
   * Judge each candidate's held-out likelihood at the temperature that suits it best (fitted on its own out-of-fold
   * answers), as it will be served. For candidates that differ in how far they let the weights go (L2 strengths): the
   * raw likelihood would reward the strongest penalty for its modest confidence, which the served temperature gives any
   * candidate, rather than for its answers. Weather at 40 labels chose λ = 1e-2 on raw likelihood although 1e-6 was
   * right on 57.5 % of held-out labels against 47.5 %.
   */
  temperatureScaled?: boolean;
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
  const { candidates, rowsFor, l2For, rareGramsFor, rowsKey, targets, classes, inputDim, folds, shouldStop, breathe } = options;
  const fold = assignFolds(targets, classes, folds);
  const subsets = Array.from({ length: folds }, (_, k) => Uint8Array.from(fold, (f) => (f === k ? 0 : 1)));
  const members = Array.from({ length: folds }, (_, k) => [...fold.keys()].filter((i) => fold[i] === k));
  const penaltyOf = (candidate: T) => ({ l2: l2For?.(candidate), rareGrams: rareGramsFor?.(candidate) === true });
  const scores = new Map<T, CandidateScore<T>>();
  for (const group of trainingGroups(candidates, rowsKey, folds * (classes === 2 ? 1 : classes))) {
    const rows = rowsFor(group[0]!);
    const heads = await trainHeads({
      rows,
      targets,
      classes,
      inputDim,
      subsets: group.flatMap(() => subsets),
      // One candidate trains with its penalty as every head's; several with one per head (dense heads take only the former).
      ...(group.length === 1 ? onePenalty(penaltyOf(group[0]!)) : { penalties: group.flatMap((c) => subsets.map(() => penaltyOf(c))) }),
      ...(shouldStop ? { shouldStop } : {}),
      ...(breathe ? { breathe } : {}),
    });
    group.forEach((candidate, g) =>
      scores.set(candidate, scoreOutOfFold(candidate, rows, heads.slice(g * folds, (g + 1) * folds), members, options)),
    );
  }
  return candidates.map((candidate) => scores.get(candidate)!);
}

function onePenalty({ l2, rareGrams }: { l2: number | undefined; rareGrams: boolean }): { l2?: number; rareGrams?: true } {
  return { ...(l2 !== undefined ? { l2 } : {}), ...(rareGrams ? { rareGrams } : {}) };
}

/**
 * Outputs (heads × trained columns per head) one merged training holds at most: its weights and Adam moments take
 * inputDim × outputs × 24 bytes, 25 MB at 64 outputs over 16,384 hashed columns.
 */
const MAX_MERGED_OUTPUTS = 64;

/**
 * How many candidates of `outputsEach` outputs one training takes: the most, within MAX_MERGED_OUTPUTS, that fill
 * fewer slots together than apart (strideFor pads a head's outputs to a multiple of 4). A two-class head's five folds
 * fill 8 slots for 5 outputs, and five such candidates fill 28 together instead of 40 apart: 22–28 % less time on
 * e-mails and passages (Node, 300 labels). Four classes' 20 outputs fill their slots already, and merged they took
 * as long as apart, so they train one by one.
 */
function candidatesPerTraining(outputsEach: number): number {
  let most = 1;
  for (let g = 2; g * outputsEach <= MAX_MERGED_OUTPUTS; g++) if (strideFor(g * outputsEach) < g * strideFor(outputsEach)) most = g;
  return most;
}

/** Candidates in the order given, those with the same rows key gathered into groups of candidatesPerTraining. */
function trainingGroups<T>(candidates: readonly T[], rowsKey: ((candidate: T) => string) | undefined, outputsEach: number): T[][] {
  const perGroup = candidatesPerTraining(outputsEach);
  if (!rowsKey || perGroup === 1) return candidates.map((c) => [c]);
  // Each key's group still taking candidates; a full one is left in `groups` and a new one opened.
  const open = new Map<string, T[]>();
  const groups: T[][] = [];
  for (const candidate of candidates) {
    const key = rowsKey(candidate);
    const group = open.get(key);
    if (group && group.length < perGroup) {
      group.push(candidate);
      continue;
    }
    const fresh = [candidate];
    open.set(key, fresh);
    groups.push(fresh);
  }
  return groups;
}

/** A candidate's out-of-fold score from its fold heads (head k trained without fold k). */
function scoreOutOfFold<T>(
  candidate: T,
  rows: readonly Vector[],
  heads: readonly HeadParams[],
  members: readonly number[][],
  { targets, classes, temperatureScaled }: CrossValidateOptions<T>,
): CandidateScore<T> {
  const right = new Uint8Array(targets.length);
  const logLikelihoods = new Float64Array(targets.length);
  // Every row's out-of-fold log-probabilities (rows × classes), for the temperature when one is fitted.
  const logProbs = new Float64Array(targets.length * classes);
  const perFold = heads.map((head, k) => {
    const held = members[k]!;
    if (held.length === 0) return NaN;
    const heldRows = held.map((i) => rows[i]!);
    const probs = heldRows.every(isSparse)
      ? predictSparse(heldRows as SparseVector[], head.weights, head.bias, classes)
      : predictDense(heldRows as Float32Array[], head.weights, head.bias, classes);
    let count = 0;
    held.forEach((i, m) => {
      for (let c = 0; c < classes; c++) logProbs[i * classes + c] = Math.log(Math.max(MIN_PROBABILITY, probs[m * classes + c]!));
      logLikelihoods[i] = logProbs[i * classes + targets[i]!]!;
      let best = 0;
      for (let c = 1; c < classes; c++) if (probs[m * classes + c]! > probs[m * classes + best]!) best = c;
      if (best === targets[i]) {
        right[i] = 1;
        count += 1;
      }
    });
    return count / held.length;
  });
  const atTemperature = withTemperature(logProbs, classes, fitTemperature(logProbs, targets, classes));
  const scaledLogLikelihoods = Float64Array.from(targets, (t, i) => Math.log(Math.max(MIN_PROBABILITY, atTemperature[i * classes + t]!)));
  const raw = { logLikelihood: mean(logLikelihoods), logLikelihoods };
  const scaled = { logLikelihood: mean(scaledLogLikelihoods), logLikelihoods: scaledLogLikelihoods };
  return {
    candidate,
    accuracy: right.reduce((a, b) => a + b, 0) / targets.length,
    folds: perFold,
    right,
    ...(temperatureScaled ? scaled : raw),
    scaled,
  };
}

function mean(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The same scores ranked by their temperature-scaled likelihood (CandidateScore.scaled). */
export function byScaledLikelihood<T>(scores: readonly CandidateScore<T>[]): CandidateScore<T>[] {
  return scores.map((score) => ({ ...score, ...score.scaled }));
}

/**
 * The candidate to use, ranked by out-of-fold log-likelihood (the mean log probability each held-out label got):
 * a proper score that sees every label's margin, where accuracy sees only the wins. With a few dozen labels,
 * accuracy moves by whole labels and ties or flips on noise (cmudict at 50 labels: 32 against 36 %, within one
 * standard error), while the likelihood still ranks candidates whose held-out labels are more probable higher.
 *
 * - `current` null (nothing chosen from labels yet, so no choice to protect): the best by likelihood.
 * - Otherwise the best replaces `current` only if it beats it by more than one standard error of their paired
 *   row-by-row difference in log-likelihood. Changing the features means a retrain from zeros and answers that move,
 *   so a difference the labels cannot tell from noise is not worth it (the "one standard error" rule). Row by row
 *   rather than fold by fold: five fold means are too few to see a difference of several points at a few hundred
 *   labels.
 */
export function chooseCandidate<T>(scores: readonly CandidateScore<T>[], current: T | null): T {
  const best = scores.reduce((a, b) => (b.logLikelihood > a.logLikelihood ? b : a));
  if (current === null) return best.candidate;
  const base = scores.find((s) => s.candidate === current);
  if (!base || best === base) return best.candidate;
  const n = base.logLikelihoods.length;
  if (n < 2) return current;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = best.logLikelihoods[i]! - base.logLikelihoods[i]!;
    sum += d;
    squares += d * d;
  }
  const mean = sum / n;
  const variance = Math.max(0, (squares - n * mean * mean) / (n - 1));
  return mean > Math.sqrt(variance / n) ? best.candidate : current;
}
