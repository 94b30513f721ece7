import type { Vector } from '../featurizers/vector.js';
import { blend, expectedCalibrationError, fitBlend } from './calibration.js';
import { ServingHead, trainHeads, type HeadParams, type TrainHeadOptions } from './head.js';
import { shuffleInPlace } from './shuffle.js';

/** Below this many labels a held-out fifth is too small to say anything about calibration. */
const MIN_EXAMPLES = 30;
const HELD_OUT_SHARE = 0.2;

export interface Calibration {
  temperature: number;
  /** Weight of the nearest-neighbour vote in served probabilities, fitted with the temperature (0: the head alone). */
  voteWeight: number;
  heldOut: number;
  eceBefore: number;
  eceAfter: number;
}

/** What a training run produced: the head to serve (trained on every row) and its calibration, if any. */
export interface CalibratedHead {
  head: HeadParams & { loss: number };
  calibration: Calibration | null;
  /** The held-out head's accuracy on the fifth it never saw (with a calibration only): a model version's metric. */
  heldOutAccuracy?: number;
}

/**
 * Trains the head on every row and, when there are enough labels, measures its calibration with temperature
 * scaling on held-out human labels: a second head, trained in the same passes on four fifths (stratified,
 * seeded), predicts the fifth it never saw, and the temperature that makes those labels most likely is fitted.
 * The caller divides the served head's logits by it. Both heads train together (trainHeads), so calibrating
 * costs a fraction of a second run.
 */
export async function trainCalibrated(
  rows: readonly Vector[],
  targets: Int32Array,
  classes: number,
  inputDim: number,
  options: Pick<TrainHeadOptions, 'onEpoch' | 'shouldStop' | 'start'> & {
    /**
     * The soft vote of the nearest labelled examples for each held-out row (held-out rows × classes, row-major),
     * counting only the rows the second head trained on, as serving would with those labels. Without it the
     * head is served alone.
     */
    votes?: (heldOut: readonly number[], trainedOn: Uint8Array) => Float64Array;
  } = {},
): Promise<CalibratedHead> {
  const { votes: voteFor, ...trainOptions } = options;
  const all = new Uint8Array(rows.length).fill(1);
  const heldOut = heldOutSplit(targets, classes);
  if (!heldOut) {
    const [head] = await trainHeads({ rows, targets, classes, inputDim, ...trainOptions, subsets: [all] });
    return { head: head!, calibration: null };
  }
  const train = Uint8Array.from(heldOut.isHeld, (held) => 1 - held);
  const [head, partial] = await trainHeads({ rows, targets, classes, inputDim, ...trainOptions, subsets: [all, train] });
  const probe = new ServingHead({ ...partial!, labels: Array.from({ length: classes }, (_, c) => String(c)) });
  let probs: Float32Array;
  try {
    probs = await probe.predict(heldOut.indices.map((i) => rows[i]!));
  } finally {
    probe.dispose();
  }
  const heldTargets = Int32Array.from(heldOut.indices, (i) => targets[i]!);
  const logProbs = Float64Array.from(probs, (p) => Math.log(Math.max(p, 1e-30)));
  const votes = voteFor ? voteFor(heldOut.indices, train) : null;
  const { temperature, voteWeight } = fitBlend(logProbs, votes, heldTargets, classes);
  let right = 0;
  heldTargets.forEach((target, r) => {
    const row = probs.subarray(r * classes, (r + 1) * classes);
    if (row.indexOf(Math.max(...row)) === target) right += 1;
  });
  return {
    heldOutAccuracy: right / heldTargets.length,
    head: head!,
    calibration: {
      temperature,
      voteWeight,
      heldOut: heldOut.indices.length,
      eceBefore: expectedCalibrationError(probs, heldTargets, classes),
      eceAfter: expectedCalibrationError(blend(logProbs, votes, classes, temperature, voteWeight), heldTargets, classes),
    },
  };
}

/** A stratified, seeded fifth of each class with at least 3 labels; null when that is too little to measure. */
function heldOutSplit(targets: Int32Array, classes: number): { indices: number[]; isHeld: Uint8Array } | null {
  if (targets.length < MIN_EXAMPLES) return null;
  const byClass = Array.from({ length: classes }, () => [] as number[]);
  targets.forEach((t, i) => byClass[t]!.push(i));
  const indices: number[] = [];
  byClass.forEach((members, c) => {
    if (members.length < 3) return;
    shuffleInPlace(members, c + 1);
    indices.push(...members.slice(0, Math.max(1, Math.round(members.length * HELD_OUT_SHARE))));
  });
  const isHeld = new Uint8Array(targets.length);
  indices.forEach((i) => (isHeld[i] = 1));
  const trainClasses = new Set<number>();
  targets.forEach((t, i) => !isHeld[i] && trainClasses.add(t));
  if (indices.length < 8 || trainClasses.size < 2) return null;
  return { indices, isHeld };
}
