import type { Vector } from '../featurizers/vector.js';
import { assignFolds } from '../audit/label-check.js';
import { blend, expectedCalibrationError, heldOutRight, nearestVote } from './calibration.js';
import { chooseNearDuplicateBar, fitFollowTemperature, followAll } from '../memory/near-duplicate.js';
import { classPrior, fitServing, unevenMix, withPrior } from './class-prior.js';
import { ServingHead, trainHeads, type HeadParams, type TrainHeadOptions } from './head.js';
import { shuffleInPlace } from './shuffle.js';

/** Below this many labels a held-out fifth is too small to say anything about calibration. */
const MIN_EXAMPLES = 30;
const HELD_OUT_SHARE = 0.2;
/**
 * Below this many labels a fifth holds fewer than 30, too few to fit the vote's weight (10 held-out labels at 50 once
 * put 0.75 on a vote 6 points worse than the head on cmudict): every label is held out once instead, by FOLDS heads
 * trained in the same passes. They cost more than the one held-out head, which is why it stops here, where a training
 * costs little anyway.
 */
const ALL_HELD_OUT_BELOW = 150;
const FOLDS = 5;

export interface Calibration {
  temperature: number;
  /** Weight of the nearest-neighbour vote in served probabilities, fitted with the temperature (0: the head alone). */
  voteWeight: number;
  /**
   * The labels' class mix (centred log shares, one per class) added to the head's logits before the temperature, when
   * the held-out labels showed it (class-prior.ts); absent: the head answers as trained, as if the classes were equally common.
   */
  classPrior?: number[];
  /** The near-duplicate bar chosen on held-out labels (near-duplicate.ts), when above its kind's floor; absent: the floor. */
  nearDuplicate?: number;
  /** The temperature of answers that follow a near-duplicate (fitFollowTemperature), when not 1; absent: 1. */
  followTemperature?: number;
  heldOut: number;
  /** True when only labels nobody picked for review were held out (see trainCalibrated's `picked`). */
  heldOutUnpicked: boolean;
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
 * With fewer than ALL_HELD_OUT_BELOW labels, five such heads each predict the fifth they never saw, so every label
 * is held out once. The caller divides the served head's logits by it. The heads train together (trainHeads), so
 * calibrating costs a fraction of a second run.
 */
export async function trainCalibrated(
  rows: readonly Vector[],
  targets: Int32Array,
  classes: number,
  inputDim: number,
  options: Pick<TrainHeadOptions, 'onEpoch' | 'shouldStop' | 'start' | 'l2' | 'rareGrams'> & {
    /**
     * The labelled examples near each held-out row: the best similarity of each class's examples to it (held-out
     * rows × classes, row-major, −∞ for none), counting only the rows its head trained on, as serving would with
     * those labels. From them the vote's weight and the near-duplicate bar are fitted; without them the head is
     * served alone and the bar stays at `nearDuplicate`.
     */
    neighbours?: (heldOut: readonly number[], trainedOn: Uint8Array) => Float64Array | Promise<Float64Array>;
    /**
     * The neighbours are for the near-duplicate rule only, not for the vote: serving has none past VOTE_MAX_EXAMPLES,
     * and there only a sample of the held-out rows is looked up (the others −∞, as rows with no neighbour).
     */
    followOnly?: boolean;
    /** The near-duplicate bar's floor for the model's kind of input (NEAR_DUPLICATE); needed with `neighbours`. */
    nearDuplicate?: number;
    /**
     * 1 for each label whose input `selectForReview` or the review queue picked for its uncertainty (or typicality):
     * such labels are harder than the inputs the model will answer, so a temperature fitted on them makes it
     * under-confident there. When at least MIN_EXAMPLES labels were not picked, only those are held out.
     */
    picked?: Uint8Array;
  } = {},
): Promise<CalibratedHead> {
  const { neighbours: neighboursOf, nearDuplicate: floor, picked, followOnly, ...trainOptions } = options;
  const all = new Uint8Array(rows.length).fill(1);
  const heldOut = heldOutFolds(targets, classes, picked);
  if (!heldOut) {
    const [head] = await trainHeads({ rows, targets, classes, inputDim, ...trainOptions, subsets: [all] });
    return { head: head!, calibration: null };
  }
  const [head, ...partials] = await trainHeads({
    rows,
    targets,
    classes,
    inputDim,
    ...trainOptions,
    subsets: [all, ...heldOut.folds.map((f) => f.train)],
  });
  const indices = heldOut.folds.flatMap((f) => f.held);
  const probs = new Float32Array(indices.length * classes);
  const near = neighboursOf ? new Float64Array(indices.length * classes) : null;
  // Only an uneven mix is tried (unevenMix), and each held-out row gets the mix of the labels its fold's head trained
  // on, never one counting the row itself: a mix read off the held-out labels would fit them by construction.
  const source = mixSource(targets.length, picked, heldOut.unpicked);
  const eligible = source && unevenMix(targets, classes, source) ? source : null;
  const shifts = eligible ? new Float64Array(indices.length * classes) : null;
  let offset = 0;
  for (const [k, fold] of heldOut.folds.entries()) {
    if (shifts) {
      const prior = classPrior(
        targets,
        classes,
        Uint8Array.from(fold.train, (t, i) => t & eligible![i]!),
      );
      for (let r = 0; r < fold.held.length; r++) shifts.set(prior, (offset + r) * classes);
    }
    const probe = new ServingHead({ ...partials[k]!, labels: Array.from({ length: classes }, (_, c) => String(c)) });
    try {
      probs.set(await probe.predict(fold.held.map((i) => rows[i]!)), offset * classes);
    } finally {
      probe.dispose();
    }
    near?.set(await neighboursOf!(fold.held, fold.train), offset * classes);
    offset += fold.held.length;
  }
  const heldTargets = Int32Array.from(indices, (i) => targets[i]!);
  const votes = near && !followOnly ? votesOf(near, classes) : null;
  const logProbs = Float64Array.from(probs, (p) => Math.log(Math.max(p, 1e-30)));
  const { temperature, voteWeight, withMix } = fitServing(logProbs, votes, heldTargets, classes, shifts);
  const served = withMix ? withPrior(logProbs, shifts!, classes) : logProbs;
  const prior = withMix ? classPrior(targets, classes, eligible!) : null;
  const answered = blend(served, votes, classes, temperature, voteWeight);
  const bar = near && floor !== undefined ? chooseNearDuplicateBar(answered, near, heldTargets, classes, floor) : null;
  const followTemperature = bar === null ? 1 : fitFollowTemperature(answered, near!, heldTargets, classes, bar);
  return {
    heldOutAccuracy: heldOutRight(served, heldTargets, classes) / heldTargets.length,
    head: head!,
    calibration: {
      temperature,
      voteWeight,
      heldOut: indices.length,
      heldOutUnpicked: heldOut.unpicked,
      eceBefore: expectedCalibrationError(probs, heldTargets, classes),
      eceAfter: expectedCalibrationError(bar === null ? answered : followAll(answered, near!, classes, bar, followTemperature), heldTargets, classes),
      ...(prior ? { classPrior: Array.from(prior) } : {}),
      ...(bar !== null && bar !== floor ? { nearDuplicate: bar } : {}),
      ...(followTemperature !== 1 ? { followTemperature } : {}),
    },
  };
}

/**
 * Which labels say how common each class is (class-prior.ts): those nobody picked for review when those were held out,
 * every label when none was picked; none when labels were picked and too few were not, since then the mix is the
 * selection strategy's, not that of the inputs the model will be asked about.
 */
function mixSource(count: number, picked: Uint8Array | undefined, unpicked: boolean): Uint8Array | null {
  if (unpicked) return Uint8Array.from(picked!, (p) => 1 - p);
  return picked?.some((p) => p) ? null : new Uint8Array(count).fill(1);
}

interface HeldOutFold {
  /** The rows this fold's head predicts, never having trained on them. */
  held: number[];
  /** 1 for the rows this fold's head trains on. */
  train: Uint8Array;
}

/**
 * Which labels are held out, and from which heads: every label once (FOLDS stratified folds) below
 * ALL_HELD_OUT_BELOW labels, a stratified fifth above; null when that is too little to measure. When some labels
 * were picked for review and at least MIN_EXAMPLES were not, only labels not picked are held out (unpickedFolds).
 */
function heldOutFolds(targets: Int32Array, classes: number, picked?: Uint8Array): { folds: HeldOutFold[]; unpicked: boolean } | null {
  if (targets.length < MIN_EXAMPLES) return null;
  const unpicked = picked ? unpickedFolds(targets, classes, picked) : null;
  if (unpicked) return { folds: unpicked, unpicked: true };
  if (targets.length < ALL_HELD_OUT_BELOW) {
    const folds = foldsOf([...targets.keys()], targets, classes, FOLDS);
    if (folds) return { folds, unpicked: false };
  }
  const fifth = heldOutSplit(targets, classes);
  return fifth && { folds: [{ held: fifth.indices, train: Uint8Array.from(fifth.isHeld, (held) => 1 - held) }], unpicked: false };
}

/**
 * Held-out labels drawn only from those nobody picked for review: labels given in the order inputs came (or a
 * review batch's random picks) are a sample of what the model will be asked, which the labels chosen for their
 * uncertainty are not (docs/learning.md, Calibration). Below ALL_HELD_OUT_BELOW labels in all, FOLDS folds of the
 * unpicked labels, each head training on every other label, as heldOutFolds does with all of them. Above, no head
 * misses more than a fifth of all labels or half of the unpicked ones: a head trained on the picked labels alone
 * answers typical inputs worse than the served head, and the temperature fitted on it came out too high (cmudict,
 * 400 labels: ECE 0.092–0.096 after `diverse` with every unpicked label held out by one head, 0.020–0.058 with two).
 * So two heads each hold out half of the unpicked labels while they are at most two fifths of all; past that, one
 * head holds out a fifth of all, from the unpicked. Null when no label was picked, or fewer than MIN_EXAMPLES were not
 * (then every label may be held out, as before).
 */
function unpickedFolds(targets: Int32Array, classes: number, picked: Uint8Array): HeldOutFold[] | null {
  const eligible = [...picked.keys()].filter((i) => !picked[i]);
  if (eligible.length === targets.length || eligible.length < MIN_EXAMPLES) return null;
  const fifth = Math.round(targets.length * HELD_OUT_SHARE);
  const count = targets.length < ALL_HELD_OUT_BELOW ? FOLDS : eligible.length <= 2 * fifth ? 2 : 1;
  if (count > 1) return foldsOf(eligible, targets, classes, count);
  const order = [...eligible];
  shuffleInPlace(order, targets.length);
  const fold = trainingWithout(
    order.slice(0, fifth).sort((a, b) => a - b),
    targets,
  );
  return trainsTwoClasses(fold.train, targets) ? [fold] : null;
}

/**
 * `count` stratified folds of `members` (indices into `targets`), each head training on every label but its fold's;
 * null when some head would see fewer than two classes.
 */
function foldsOf(members: readonly number[], targets: Int32Array, classes: number, count: number): HeldOutFold[] | null {
  const fold = assignFolds(
    Int32Array.from(members, (i) => targets[i]!),
    classes,
    count,
  );
  const folds = Array.from({ length: count }, (_, k) =>
    trainingWithout(
      members.filter((_, m) => fold[m] === k),
      targets,
    ),
  );
  return folds.every(({ train }) => trainsTwoClasses(train, targets)) ? folds : null;
}

function trainingWithout(held: number[], targets: Int32Array): HeldOutFold {
  const train = new Uint8Array(targets.length).fill(1);
  for (const i of held) train[i] = 0;
  return { held, train };
}

function trainsTwoClasses(train: Uint8Array, targets: Int32Array): boolean {
  return new Set(targets.filter((_, i) => train[i])).size >= 2;
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

/** The soft vote of each held-out row's nearest labelled examples, from their best similarity per class. */
function votesOf(near: Float64Array, classes: number): Float64Array {
  const out = new Float64Array(near.length);
  for (let r = 0; r < near.length / classes; r++) out.set(nearestVote(near.subarray(r * classes, (r + 1) * classes)), r * classes);
  return out;
}
