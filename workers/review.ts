import type { ReviewStrategy } from '../src/protocol.js';
import type { Vector } from './featurizers/vector.js';
import type { Similarity } from './memory/similarity.js';
import { shuffleInPlace } from './learning/shuffle.js';

export type UncertaintyMeasure = Exclude<ReviewStrategy, 'diverse' | 'cold-start'>;

/** The uncertainty a strategy ranks by: the spread-aware ones (and cold start once it ends) by margin. */
export function measureOf(strategy: ReviewStrategy): UncertaintyMeasure {
  return strategy === 'diverse' || strategy === 'cold-start' ? 'margin' : strategy;
}

/** How unsure a probability vector is, in [0, 1]: higher means a person's answer teaches the model more. */
export function uncertainty(probs: ArrayLike<number>, strategy: UncertaintyMeasure): number {
  let first = 0;
  let second = 0;
  let entropy = 0;
  for (let c = 0; c < probs.length; c++) {
    const p = probs[c]!;
    if (p > first) {
      second = first;
      first = p;
    } else if (p > second) {
      second = p;
    }
    if (p > 0) entropy -= p * Math.log(p);
  }
  switch (strategy) {
    case 'least-confidence':
      return 1 - first;
    case 'margin':
      return 1 - (first - second);
    case 'entropy':
      return probs.length > 1 ? entropy / Math.log(probs.length) : 0;
  }
}

/**
 * How many of a pool the memory refines before a review ranking (see reviewCandidates): REFINE_PER_PICK × k, at
 * least REFINE_MIN. The memory changes an answer only near a labelled example (above the near-duplicate bar), and
 * there it mostly sharpens it: of the head's most uncertain, some become certain and drop out, and the ranking needs
 * k left. Ten per pick is the diverse strategy's own margin (DIVERSE_CANDIDATES_PER_PICK), so that strategy sees the
 * same candidates as before; the floor of 200 covers small k.
 */
export const REFINE_PER_PICK = 10;
export const REFINE_MIN = 200;

/** How many of a pool of `n` a ranking for `k` picks refines with the memory. */
export function refineCount(n: number, k: number): number {
  return Math.min(n, Math.max(REFINE_MIN, k * REFINE_PER_PICK));
}

/**
 * The indices of the `count` most uncertain answers of `probs` under `strategy` (diverse: margin), most uncertain
 * first, ties in pool order: the candidates a review ranking refines with the memory, from the head's answers alone.
 */
export function reviewCandidates(probs: readonly ArrayLike<number>[], count: number, strategy: ReviewStrategy): number[] {
  const base = measureOf(strategy);
  const scores = Float64Array.from(probs, (p) => uncertainty(p, base));
  return Array.from({ length: probs.length }, (_, i) => i)
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, count);
}

/**
 * The share of a review batch drawn at random from the rest of the pool, after the ranked picks (batches of 10 or
 * more: one in ten; smaller batches have none). Labels chosen for uncertainty are the inputs the model finds hard,
 * and no held-out split of them says how confident it should be on the rest, or whether it is going wrong where it is
 * sure; a few labels drawn at random do (docs/learning.md, Calibration). One in ten is the usual epsilon of
 * epsilon-greedy exploration, not a value chosen on a benchmark; `selectForReview`'s `explore` option sets it.
 */
export const EXPLORE_SHARE = 0.1;

/** How many of a batch of `k` from a pool of `n` are drawn at random. */
export function exploreCount(k: number, n: number, share: number): number {
  return Math.floor(Math.min(k, n) * share + 1e-9);
}

/** The indices of a pool of `n` not in `taken`, in a uniformly random order (seeded): where a batch's random picks come from. */
export function randomOrder(n: number, taken: ReadonlySet<number>, seed: number): number[] {
  const rest = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !taken.has(i));
  shuffleInPlace(rest, seed);
  return Array.from(rest);
}

/** Candidates the diverse strategy considers: the most uncertain few times k, so its cost does not grow with the pool. */
const DIVERSE_CANDIDATES_PER_PICK = 10;
const DIVERSE_MIN_CANDIDATES = 200;

/**
 * Ranks a pool for human review, most informative first. `diverse` picks greedily by margin uncertainty times
 * distance from what is already picked, so a batch of k covers k different things rather than k near-copies.
 * Ties keep pool order, so the answer is deterministic.
 */
export function rankForReview(
  probs: readonly ArrayLike<number>[],
  vectors: readonly Vector[],
  k: number,
  strategy: ReviewStrategy,
  similarity: Similarity,
): number[] {
  const n = probs.length;
  const take = Math.min(k, n);
  const base = measureOf(strategy);
  const scores = probs.map((p) => uncertainty(p, base));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  // Cold start's own phase is chosen by the session (typicalFirst); past it, it ranks as diverse.
  if (strategy !== 'diverse' && strategy !== 'cold-start') return order.slice(0, take);

  const candidates = order.slice(0, Math.min(n, Math.max(DIVERSE_MIN_CANDIDATES, take * DIVERSE_CANDIDATES_PER_PICK)));
  const closest = new Float64Array(candidates.length);
  const picked: number[] = [];
  const taken = new Uint8Array(candidates.length);
  // What similarity means depends on the featurizer: two unrelated texts sit near 0.1, two different digits' image
  // features near 0.9. Redundancy is measured from the candidates' typical similarity to the first pick (0) to an
  // exact copy (1); on raw similarity, image candidates were all nearly redundant and the ranking followed noise.
  let typical = 0;
  for (let t = 0; t < take; t++) {
    let best = -1;
    let bestScore = -Infinity;
    candidates.forEach((index, c) => {
      if (taken[c]) return;
      const redundancy = Math.max(0, Math.min(1, (closest[c]! - typical) / (1 - typical)));
      const score = scores[index]! * (1 - redundancy);
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    });
    taken[best] = 1;
    picked.push(candidates[best]!);
    similarity.around(vectors[candidates[best]!]!, (similarTo) => {
      candidates.forEach((index, c) => {
        if (!taken[c]) closest[c] = Math.max(closest[c]!, similarTo(vectors[index]!));
      });
    });
    if (t === 0) typical = Math.min(0.99, Math.max(0, median(closest.filter((_, c) => !taken[c]))));
  }
  return picked;
}

function median(values: Float64Array): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1]!;
}
