/**
 * Rankers, opt in: `createRanker()` and `<hitl-compare>` (defined on import). Apart from the package's main entry on
 * purpose: joined to the main entry's graph as a lazy chunk, the bundler moved Lit, the engine client and the
 * argument checks out of the entry into shared chunks, which broke the main thread's 30 KB budget (+1.8 KB gzip) and
 * the one-worker-in-the-entry rule of the package build (measured, see docs/ranking.md).
 */
export { openRanker as createRanker, Ranker, RankerChangeEvent } from './ranker.js';
export type { RankerOptions } from './ranker.js';
export { HitlCompare, HitlCompareEvent, HITL_COMPARE_STRINGS } from './components/hitl-compare/hitl-compare.js';
export type { HitlCompareStrings } from './components/hitl-compare/hitl-compare.js';
