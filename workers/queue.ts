import type { ReviewStrategy } from '../src/protocol.js';
import type { Vector } from './featurizers/vector.js';
import { rankForReview, uncertainty } from './review.js';
import type { Similarity } from './similarity.js';

export interface Rankable {
  probs: ArrayLike<number>;
  vector: Vector;
  /** 0: not skipped; else the skip order. */
  skipped: number;
}

/**
 * The review queue's order: items not skipped ranked exactly as `selectForReview` ranks a pool (same strategy,
 * same scores), then skipped items, earliest skip first. Ties keep the given order, so callers pass oldest first.
 */
export function rankQueue(items: readonly Rankable[], strategy: ReviewStrategy, similarity: Similarity): { order: number[]; scores: number[] } {
  const base = strategy === 'diverse' ? 'margin' : strategy;
  const scores = items.map((item) => uncertainty(item.probs, base));
  const fresh = items.map((_, i) => i).filter((i) => items[i]!.skipped === 0);
  const ranked = rankForReview(
    fresh.map((i) => items[i]!.probs),
    fresh.map((i) => items[i]!.vector),
    fresh.length,
    strategy,
    similarity,
  ).map((j) => fresh[j]!);
  const skipped = items
    .map((_, i) => i)
    .filter((i) => items[i]!.skipped !== 0)
    .sort((a, b) => items[a]!.skipped - items[b]!.skipped);
  return { order: [...ranked, ...skipped], scores };
}

/** The ids of the `n` items a full queue can best lose: the least uncertain under `strategy` (diverse: margin). */
export function leastInformative(items: readonly { id: string; probs: ArrayLike<number> }[], n: number, strategy: ReviewStrategy): string[] {
  const base = strategy === 'diverse' ? 'margin' : strategy;
  return items
    .map((item, i) => ({ id: item.id, i, score: uncertainty(item.probs, base) }))
    .sort((a, b) => a.score - b.score || a.i - b.i)
    .slice(0, Math.max(0, n))
    .map((item) => item.id);
}
