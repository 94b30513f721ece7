import type { ReviewStrategy } from '../src/protocol.js';
import type { Vector } from './featurizers/vector.js';
import { measureOf, rankForReview, uncertainty } from './review.js';
import type { Similarity } from './memory/similarity.js';

export interface Rankable {
  probs: ArrayLike<number>;
  vector: Vector;
  /** 0: not skipped; else the skip order. */
  skipped: number;
}

/**
 * The review queue's order: items not skipped ranked exactly as `selectForReview` ranks a pool (same strategy,
 * same scores), then skipped items, earliest skip first. Ties keep the given order, so callers pass oldest first.
 * Only the first `limit` are picked by the strategy itself: `diverse` compares each pick with every candidate, which
 * over a full queue of 10,000 would be quadratic; the fresh items after them follow by their uncertainty alone.
 */
export function rankQueue(
  items: readonly Rankable[],
  strategy: ReviewStrategy,
  similarity: Similarity,
  limit = items.length,
): { order: number[]; scores: number[] } {
  const base = measureOf(strategy);
  const scores = items.map((item) => uncertainty(item.probs, base));
  const fresh = items.map((_, i) => i).filter((i) => items[i]!.skipped === 0);
  const ranked = rankForReview(
    fresh.map((i) => items[i]!.probs),
    fresh.map((i) => items[i]!.vector),
    Math.min(limit, fresh.length),
    strategy,
    similarity,
  ).map((j) => fresh[j]!);
  const picked = new Set(ranked);
  const rest = fresh.filter((i) => !picked.has(i)).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const skipped = items
    .map((_, i) => i)
    .filter((i) => items[i]!.skipped !== 0)
    .sort((a, b) => items[a]!.skipped - items[b]!.skipped);
  return { order: [...ranked, ...rest, ...skipped], scores };
}

/** The ids of the `n` items a full queue can best lose: the least uncertain under `strategy` (diverse: margin). */
export function leastInformative(items: readonly { id: string; probs: ArrayLike<number> }[], n: number, strategy: ReviewStrategy): string[] {
  const base = measureOf(strategy);
  return items
    .map((item, i) => ({ id: item.id, i, score: uncertainty(item.probs, base) }))
    .sort((a, b) => a.score - b.score || a.i - b.i)
    .slice(0, Math.max(0, n))
    .map((item) => item.id);
}
