import { logGamma } from '../auto-accept/binomial.js';
import { blend, fitBlend, moreLikely } from './calibration.js';

/**
 * The labels' class mix, added to the head's log-odds unless held-out labels show that it hurts.
 *
 * The head trains on class-balanced cross-entropy (head.ts): every labelled class pulls equally, so a class with few
 * labels is still learned, and the labels a selection strategy picked (more of the confusing classes) do not tilt the
 * answer. The price is that the head answers as if every class were equally common. Where they are not, that costs
 * accuracy: on daily Seattle weather (rain and sun 44 % of days each, snow 2 %; a task nobody tuned on) the balanced
 * head was right on 69.8 % of test days at 800 labels against 76.0 % for the same head trained without the balance.
 * Adding log π (π: the share of each class among the labels) to the logits of a balanced head is the textbook way
 * back to the unbalanced answer (Menon et al. 2021, "Long-tail learning via logit adjustment", in reverse), and it
 * costs no second training. It is tried only when the labels' mix is uneven (UNEVEN_EVIDENCE), and then added unless the
 * held-out labels (each judged with the mix of the labels its head trained on) are more likely without it by a
 * standard error. The burden of proof is on leaving it out: labels nobody picked are a sample of what the model will
 * be asked, so their mix is the best estimate of the classes' shares there, and a balanced head without it answers as
 * if the rare classes were common. Asking the mix to prove itself on a fifth of the labels (39 held-out days at 200)
 * left it out on noise: Seattle weather in random order went 82.0 → 69.0 → 83.1 % at 160 / 200 / 320 labels, and the
 * `diverse` run fell to 71.7 % at 800 (the head converged, at the L2 strength chosen; docs/learning.md).
 */

/** Added to each class's count: a class with one label is not made near-impossible by a small sample. */
const SMOOTHING = 1;
/**
 * The evidence at which the labels' mix counts as uneven: a Bayes factor of 20 for some mix (every mix as likely as
 * any other beforehand: Dirichlet(1), the smoothing's own prior) against the even one. The check runs at every
 * training, on labels that grow a few at a time, and a test at a fixed level looked at again and again is no longer
 * at that level: the G-test at 5 % used before, checked every 5 labels from 30 to 400 drawn from four even classes,
 * passed at some point in 32 % of runs. On cmudict's even classes it passed on 47 labels nobody picked (9 / 8 / 22 / 8,
 * p = 0.015, beside 353 that `diverse` picked), and the mix it let in cost 16 points on the test words (60.8 → 44.4 %;
 * docs/learning.md). Such a Bayes factor, against a single mix, is a test martingale under that mix, so by Ville's
 * inequality an even mix reaches 20 with probability at most 1/20 however often it is looked at: the usual 5 %, kept
 * under repetition. The price is more labels before a real mix shows: 70 / 30 passes from about 60 labels (the G-test:
 * 30), Seattle weather's 44 / 44 / 2 % … at once. Below it the mix is taken as even, and none is added: a mix read off
 * few labels drawn evenly is noise the held-out labels share (64 paraphrase labels in 8 classes, 4–12 a class: such a
 * mix passed the held-out rules and cost the test sentences 6.5 points with the text encoder).
 */
const UNEVEN_EVIDENCE = 20;

/** Whether the classes' counts among the labels `eligible` marks are uneven: see UNEVEN_EVIDENCE. */
export function unevenMix(targets: Int32Array, classes: number, eligible: Uint8Array): boolean {
  const counts = classCounts(targets, classes, eligible);
  const n = counts.reduce((a, c) => a + c, 0);
  if (n === 0 || classes < 2) return false;
  // log Dirichlet-multinomial(counts; 1) − log multinomial(counts; 1/K): the multinomial coefficient cancels.
  let logBayesFactor = logGamma(classes) - logGamma(n + classes) + n * Math.log(classes);
  for (const count of counts) logBayesFactor += logGamma(count + 1);
  return logBayesFactor >= Math.log(UNEVEN_EVIDENCE);
}

/**
 * The centred log shares of the classes among the labels `eligible` marks: the caller passes those that say what the
 * model will be asked, the labels nobody picked for review (trainCalibrated).
 */
export function classPrior(targets: Int32Array, classes: number, eligible: Uint8Array): Float64Array {
  const counts = classCounts(targets, classes, eligible).map((c) => c + SMOOTHING);
  const n = counts.reduce((a, c) => a + c, 0);
  const logs = Float64Array.from(counts, (c) => Math.log(c / n));
  const mean = logs.reduce((a, b) => a + b, 0) / classes;
  return logs.map((l) => l - mean);
}

/** How many of the labels `eligible` marks are of each class. */
function classCounts(targets: Int32Array, classes: number, eligible: Uint8Array): Float64Array {
  const counts = new Float64Array(classes);
  targets.forEach((t, i) => {
    if (eligible[i]) counts[t]! += 1;
  });
  return counts;
}

/** Log-probabilities (rows × classes, row-major) with each row's class mix (`shifts`, the same layout) added, renormalised. */
export function withPrior(logProbs: ArrayLike<number>, shifts: ArrayLike<number>, classes: number): Float64Array {
  const out = new Float64Array(logProbs.length);
  for (let r = 0; r < logProbs.length / classes; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, (out[r * classes + c] = logProbs[r * classes + c]! + shifts[r * classes + c]!));
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(out[r * classes + c]! - max);
    const log = max + Math.log(sum);
    for (let c = 0; c < classes; c++) out[r * classes + c]! -= log;
  }
  return out;
}

/** What serving applies to the head: its temperature, the vote's weight, and whether to add the class mix. */
export interface FittedServing {
  temperature: number;
  voteWeight: number;
  withMix: boolean;
}

/**
 * fitBlend on the held-out head's log-probabilities as they are, and again with each row's class mix (`shifts`, read
 * off labels that did not include the row) added; the second is kept unless the first makes the held-out labels more
 * likely by more than a standard error (moreLikely).
 */
export function fitServing(
  logProbs: ArrayLike<number>,
  votes: ArrayLike<number> | null,
  targets: ArrayLike<number>,
  classes: number,
  shifts: ArrayLike<number> | null,
): FittedServing {
  const plain = fitBlend(logProbs, votes, targets, classes);
  if (!shifts) return { ...plain, withMix: false };
  const shifted = withPrior(logProbs, shifts, classes);
  const adjusted = fitBlend(shifted, votes, targets, classes);
  const alone = blend(logProbs, votes, classes, plain.temperature, plain.voteWeight);
  const mixed = blend(shifted, votes, classes, adjusted.temperature, adjusted.voteWeight);
  const kept = !moreLikely(alone, mixed, targets, classes);
  return kept ? { ...adjusted, withMix: true } : { ...plain, withMix: false };
}
