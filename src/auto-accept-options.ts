import type { AutoAcceptSettings } from './protocol.js';
import type { ClassifierOptions } from './classifier-options.js';
import { describe } from './checks.js';

// Loaded by createClassifier only when a page passes autoAccept or spotCheckRate: the checks stay off the main
// thread's first load (test/e2e/size.e2e.test.ts).

/**
 * The default spot-check rate: 5 % of the predictions it would let through. At maxError 0.02 and confidence 0.9 a
 * threshold rests on at least ~230 right checks (workers/auto-accept/threshold.ts); at 5 % a model that lets 2,000
 * predictions through in a week renews about 100 of them a week, at the cost of reviewing 1 in 20 of what it saves.
 */
const DEFAULT_SPOT_CHECK_RATE = 0.05;

/** `autoAccept` and `spotCheckRate` checked; undefined without autoAccept. */
export function resolveAutoAccept(options: ClassifierOptions): AutoAcceptSettings | undefined {
  const { autoAccept, spotCheckRate } = options;
  if (autoAccept === undefined) {
    if (spotCheckRate !== undefined)
      throw new TypeError('spotCheckRate only applies with autoAccept: pass autoAccept: { maxError, confidence } too.');
    return undefined;
  }
  if (autoAccept === null || typeof autoAccept !== 'object') {
    throw new TypeError(`autoAccept must be { maxError, confidence, perClass? }, got ${describe(autoAccept)}.`);
  }
  if (options.threshold !== undefined) {
    throw new TypeError('Pass autoAccept or threshold, not both: with autoAccept the engine chooses the threshold from the evidence.');
  }
  const { maxError, confidence, perClass = false } = autoAccept;
  for (const [name, value] of [
    ['maxError', maxError],
    ['confidence', confidence],
  ] as const) {
    if (typeof value !== 'number') throw new TypeError(`autoAccept.${name} must be a number in (0, 1), got ${describe(value)}.`);
    if (!(value > 0 && value < 1)) throw new RangeError(`autoAccept.${name} must be in (0, 1), got ${value}.`);
  }
  if (typeof perClass !== 'boolean') throw new TypeError(`autoAccept.perClass must be a boolean, got ${describe(perClass)}.`);
  const rate = spotCheckRate ?? DEFAULT_SPOT_CHECK_RATE;
  if (typeof rate !== 'number') throw new TypeError(`spotCheckRate must be a number in (0, 1], got ${describe(rate)}.`);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`spotCheckRate must be in (0, 1], got ${rate}.`);
  return { maxError, confidence, perClass, spotCheckRate: rate };
}
