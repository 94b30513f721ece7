import { fitTemperature, heldOutRight, moreLikely, negativeLogLikelihood, withTemperature } from '../learning/calibration.js';
import { ExampleMemory } from './example-memory.js';

/**
 * Near-duplicates of a labelled example follow its human label; elsewhere the head generalises. Above the bar the
 * memory's sharp vote among the near-duplicates takes over, the more the closer (alpha rises from 0 at the bar to 1
 * at an exact copy). Serving applies it to each answer, and trainCalibrated to held-out labels to choose the bar.
 * `temperature` sharpens (below 1) or softens such a blend; it leaves the answer and the rows that follow nothing as
 * they are (fitFollowTemperature).
 */
export function followNearDuplicates(head: Float64Array, perClass: Float64Array, top: number, bar: number, temperature = 1): Float64Array {
  const alpha = top > bar ? Math.min(1, ((top - bar) / (1 - bar)) ** 2) : 0;
  if (alpha === 0) return head;
  const near = ExampleMemory.distribution(perClass, false, bar);
  const blended = head.map((p, c) => (1 - alpha) * p + alpha * near[c]!);
  if (temperature === 1) return blended;
  return withTemperature(
    Float64Array.from(blended, (p) => Math.log(Math.max(p, 1e-30))),
    blended.length,
    temperature,
  );
}

/** Fewer held-out rows than this following a near-duplicate say too little about how sure such answers should be. */
const MIN_FOLLOWED = 30;

/**
 * The temperature of the answers that follow a near-duplicate at `bar`, fitted on the held-out rows that do
 * (`served`: what serving answers them before near-duplicates; `perClass`: as for chooseNearDuplicateBar). The
 * head's temperature is fitted before following, and the memory's vote among the near-duplicates has a fixed
 * sharpness, so where near-duplicates of other classes are common the blend can be much less sure than it is right:
 * Fashion-MNIST (a task nobody tuned on) at 8,000 labels was right 99 % of the time where it said 0.8 or more, and
 * said so for 37 % of the test images (ECE 0.20; with following off 0.02, 1.4 points less accurate; with this
 * temperature 0.045, as accurate). 1 unless at least MIN_FOLLOWED rows follow and the fitted one makes them more
 * likely by more than one standard error.
 */
export function fitFollowTemperature(served: Float64Array, perClass: Float64Array, targets: ArrayLike<number>, classes: number, bar: number): number {
  const rows = [...Array(targets.length).keys()].filter((r) => Math.max(...perClass.subarray(r * classes, (r + 1) * classes)) > bar);
  if (rows.length < MIN_FOLLOWED) return 1;
  const all = followAll(served, perClass, classes, bar);
  const followed = new Float64Array(rows.length * classes);
  rows.forEach((r, i) => followed.set(all.subarray(r * classes, (r + 1) * classes), i * classes));
  const held = Int32Array.from(rows, (r) => targets[r]!);
  const logFollowed = Float64Array.from(followed, (p) => Math.log(Math.max(p, 1e-30)));
  const temperature = fitTemperature(logFollowed, held, classes);
  return moreLikely(withTemperature(logFollowed, classes, temperature), followed, held, classes) ? temperature : 1;
}

/**
 * The bars a training may choose among for an input kind whose floor is `floor` (NEAR_DUPLICATE): the floor, and
 * bars halfway, three quarters and nineteen twentieths of the way from it to an exact copy. Never off: a copy of a
 * labelled input always follows the human label, whatever held-out labels say. Never below the floor either, so
 * lookups made with the floor still find every example a chosen bar counts (serving's `found`).
 */
export function nearDuplicateBars(floor: number): number[] {
  return [1, 1 / 2, 1 / 4, 1 / 20].map((rest) => 1 - rest * (1 - floor));
}

/**
 * The bar to serve with, chosen on held-out labels: `served` is what serving would answer each held-out row before
 * near-duplicates (rows × classes, row-major), `perClass` the best similarity of each class's labelled examples to
 * it among those its head trained on (−∞ for none). The floor stays unless a higher bar makes the held-out labels
 * more likely by more than one standard error and answers no fewer right (the rules the vote's weight is kept by,
 * calibration.ts): the floor was set on the first benchmark tasks, where near-duplicates were copies and templates,
 * and on a task whose neighbours disagree more (gapminder's countries by region, a numeric task nobody tuned on)
 * serving without the rule was a point more accurate.
 */
export function chooseNearDuplicateBar(
  served: Float64Array,
  perClass: Float64Array,
  targets: ArrayLike<number>,
  classes: number,
  floor: number,
): number {
  const bars = nearDuplicateBars(floor);
  const answers = bars.map((bar) => followAll(served, perClass, classes, bar));
  const losses = answers.map((probs) => negativeLogLikelihood(probs, targets, classes));
  let best = 0;
  for (let b = 1; b < bars.length; b++) if (losses[b]! < losses[best]! - 1e-12) best = b;
  if (best === 0) return floor;
  const kept =
    moreLikely(answers[best]!, answers[0]!, targets, classes) &&
    heldOutRight(answers[best]!, targets, classes) >= heldOutRight(answers[0]!, targets, classes);
  return kept ? bars[best]! : floor;
}

/** followNearDuplicates on every row (rows × classes, row-major). */
export function followAll(served: Float64Array, perClass: Float64Array, classes: number, bar: number, temperature = 1): Float64Array {
  const out = new Float64Array(served.length);
  for (let r = 0; r < served.length / classes; r++) {
    const scores = perClass.subarray(r * classes, (r + 1) * classes);
    let top = -Infinity;
    for (const s of scores) top = Math.max(top, s);
    out.set(followNearDuplicates(served.slice(r * classes, (r + 1) * classes), scores, top, bar, temperature), r * classes);
  }
  return out;
}
