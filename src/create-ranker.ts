import type { Ranker, RankerOptions } from './ranker.js';

/**
 * Creates (or opens the stored) ranker `name`: a preference model learnt from people's comparisons. Its code loads on
 * first use, so pages that only classify keep within the main thread's budget.
 */
export async function createRanker(options: RankerOptions): Promise<Ranker> {
  const { openRanker } = await import('./ranker.js');
  return openRanker(options);
}
