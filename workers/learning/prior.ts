import type { Vector } from '../featurizers/vector.js';
import type { HeadParams } from './head.js';

// A shipped head (a Teachable Machine export's own classifier) as the starting point of ours. Its answer joins the
// featurizer's vector as log-probability columns, scaled down by PRIOR_SCALE; a linear head with PRIOR_SCALE on those
// columns and zeros elsewhere then answers exactly as the shipped head does, since softmax(log p) = p, whatever that
// head's layers were (Teachable Machine's has a ReLU between two dense layers, which no single dense layer equals).
// Training starts from that head, pulls back toward it, and replays its answers on inputs nobody labelled.

/**
 * Log-probability columns are divided by this, and the prior weights on them are this: the columns stay short next to
 * the unit-length embedding, so similarity between inputs is the embedding's, and an Adam step of the head's
 * learning rate moves a prior weight by a thousandth of itself, so the shipped knowledge is not trained away.
 */
export const PRIOR_SCALE = 100;

/** Probabilities are floored at e^-30 before the log: a float32 softmax can give 0, whose log would be -Infinity. */
export const LOG_FLOOR = -30;

/** Inputs nobody labelled whose vectors are kept for replay: enough to cover every class of a small export. */
export const REPLAY_LIMIT = 256;

/** What a featurizer that ships a head (teachable-machine.ts) offers the engine. */
export interface ShippedHead {
  /** The export's class names, in its output order. */
  labels: readonly string[];
  /** Length of the embedding at the front of each vector; the log-probability columns follow it. */
  embeddingDim: number;
  /** Recent vectors this featurizer computed, for replay: never stored, never labels. */
  seen(): readonly Float32Array[];
}

/** The vector's tail for shipped probabilities `probs` (one row): scaled, floored log-probabilities. */
export function priorColumns(probs: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: probs.length }, (_, c) => Math.max(Math.log(probs[c]!), LOG_FLOOR) / PRIOR_SCALE);
}

/**
 * The head that answers as the shipped one, over `labels` (the model's, which may extend the export's): each shipped
 * label reads its own log-probability column; a label the export does not know starts 4 below the lowest bias, as a
 * label added after training does in serving.
 */
export function shippedHeadParams(shipped: ShippedHead, labels: readonly string[]): HeadParams {
  const classes = labels.length;
  const inputDim = shipped.embeddingDim + shipped.labels.length;
  const weights = new Float32Array(inputDim * classes);
  const bias = new Float32Array(classes);
  labels.forEach((label, c) => {
    const source = shipped.labels.indexOf(label);
    if (source < 0) bias[c] = -4;
    else weights[(shipped.embeddingDim + source) * classes + c] = PRIOR_SCALE;
  });
  return { inputDim, labels: [...labels], weights, bias };
}

/** The shipped head's label for a vector, as an index into `labels`; -1 when the export's top label is not one of them. */
function shippedLabel(vector: Float32Array, shipped: ShippedHead, labels: readonly string[]): number {
  let best = 0;
  for (let c = 1; c < shipped.labels.length; c++) {
    if (vector[shipped.embeddingDim + c]! > vector[shipped.embeddingDim + best]!) best = c;
  }
  return labels.indexOf(shipped.labels[best]!);
}

function embeddingDot(a: Float32Array, b: Float32Array, dim: number): number {
  let sum = 0;
  for (let i = 0; i < dim; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * What a training run learns from when the featurizer ships a head: the human labels, plus the shipped head's own
 * answers on the inputs it saw lately, and the shipped head as the start. A replayed answer is dropped where a human
 * label disagrees: on a near-duplicate of a labelled input, and where a person corrected that same answer on an input
 * closer to this one than the shipped head's typical input for that answer is (the centre of the replayed inputs it
 * gives that answer), so a correction is not outvoted by the mistake it corrects. The extra rows exist only for this
 * run: they are never stored or logged.
 */
export function withShippedHead(
  shipped: ShippedHead,
  labels: readonly string[],
  human: { vectors: readonly Vector[]; targets: Int32Array },
  nearDuplicate: number,
): { vectors: Vector[]; targets: Int32Array; start: HeadParams } {
  const dim = shipped.embeddingDim;
  const labelled = human.vectors as readonly Float32Array[];
  // Each correction: the labelled input and the shipped answer a person overruled there.
  const corrections = labelled.flatMap((row, i) => {
    const answer = shippedLabel(row, shipped, labels);
    return answer >= 0 && answer !== human.targets[i] ? [{ row, answer }] : [];
  });
  const candidates = shipped
    .seen()
    .map((vector) => ({ vector, target: shippedLabel(vector, shipped, labels) }))
    .filter(({ vector, target }) => target >= 0 && !labelled.some((row) => embeddingDot(row, vector, dim) >= nearDuplicate));
  const centres = new Map<number, Float32Array>();
  for (const { vector, target } of candidates) {
    let centre = centres.get(target);
    if (!centre) centres.set(target, (centre = new Float32Array(dim)));
    for (let i = 0; i < dim; i++) centre[i]! += vector[i]!;
  }
  for (const centre of centres.values()) {
    const norm = Math.sqrt(embeddingDot(centre, centre, dim)) || 1;
    for (let i = 0; i < dim; i++) centre[i]! /= norm;
  }
  const replay = candidates.filter(({ vector, target }) => {
    const typical = embeddingDot(vector, centres.get(target)!, dim);
    return !corrections.some(({ row, answer }) => answer === target && embeddingDot(row, vector, dim) >= typical);
  });
  return {
    vectors: [...human.vectors, ...replay.map(({ vector }) => vector)],
    targets: Int32Array.from([...human.targets, ...replay.map(({ target }) => target)]),
    start: shippedHeadParams(shipped, labels),
  };
}
