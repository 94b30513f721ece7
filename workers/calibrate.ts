import type { Vector } from './featurizers/vector.js';
import { expectedCalibrationError, fitTemperature, withTemperature } from './calibration.js';
import { ServingHead, trainHead } from './head.js';
import { shuffleInPlace } from './shuffle.js';

/** Below this many labels a held-out fifth is too small to say anything about calibration. */
const MIN_EXAMPLES = 30;
const HELD_OUT_SHARE = 0.2;

export interface Calibration {
  temperature: number;
  heldOut: number;
  eceBefore: number;
  eceAfter: number;
}

/**
 * Temperature scaling on held-out human labels: trains on four fifths (stratified, seeded), measures the
 * fifth it never saw, and fits the temperature that makes those labels most likely. The caller trains on
 * everything and divides its logits by the temperature. Returns null when there are too few labels.
 */
export async function calibrate(
  rows: readonly Vector[],
  targets: Int32Array,
  classes: number,
  inputDim: number,
  shouldStop: () => Error | null,
): Promise<Calibration | null> {
  if (rows.length < MIN_EXAMPLES) return null;
  const byClass = Array.from({ length: classes }, () => [] as number[]);
  targets.forEach((t, i) => byClass[t]!.push(i));
  const heldOut: number[] = [];
  byClass.forEach((indices, c) => {
    if (indices.length < 3) return;
    shuffleInPlace(indices, c + 1);
    heldOut.push(...indices.slice(0, Math.max(1, Math.round(indices.length * HELD_OUT_SHARE))));
  });
  const isHeld = new Uint8Array(rows.length);
  heldOut.forEach((i) => (isHeld[i] = 1));
  const train = Array.from({ length: rows.length }, (_, i) => i).filter((i) => !isHeld[i]);
  if (heldOut.length < 8 || new Set(train.map((i) => targets[i])).size < 2) return null;

  const partial = await trainHead({
    rows: train.map((i) => rows[i]!),
    targets: Int32Array.from(train, (i) => targets[i]!),
    classes,
    inputDim,
    shouldStop,
  });
  const head = new ServingHead({ ...partial, labels: Array.from({ length: classes }, (_, c) => String(c)) });
  let probs: Float32Array;
  try {
    probs = await head.predict(heldOut.map((i) => rows[i]!));
  } finally {
    head.dispose();
  }
  const heldTargets = Int32Array.from(heldOut, (i) => targets[i]!);
  const logProbs = Float64Array.from(probs, (p) => Math.log(Math.max(p, 1e-30)));
  const temperature = fitTemperature(logProbs, heldTargets, classes);
  return {
    temperature,
    heldOut: heldOut.length,
    eceBefore: expectedCalibrationError(probs, heldTargets, classes),
    eceAfter: expectedCalibrationError(withTemperature(logProbs, classes, temperature), heldTargets, classes),
  };
}
