import type { Ranker, RankerOptions } from './ranker.js';

/**
 * Opens (or creates) a ranker: a reward model that learns from people's pairwise choices (docs/ranking.md). The
 * ranker's code loads on the first call, so pages that only classify do not pay for it on their first load.
 */
export async function createRanker(options: RankerOptions): Promise<Ranker> {
  return (await import('./ranker.js')).openRanker(options);
}
