import type { ReviewStrategy } from '../../src/protocol.js';

/**
 * Choices the engine makes for every model unless a caller says otherwise. They live here, not in the wire types,
 * because they are the engine's policy: the page only passes what a person or a site asked for.
 */

/**
 * The strategy with the highest mean test accuracy over every (dataset, budget) point all four reached in
 * `npm run bench:learning` (docs/benchmarks.md has the latest run's figures). `diverse` leads since its redundancy is
 * measured against the pool's typical similarity (image features of different digits sit at ~0.9 cosine, which made
 * every candidate look redundant); it is also the only one at 95 % on iris with 20 labels. It also ranks the
 * persistent review queue. `cold-start` (typical items until the head is calibrated, then diverse) came out 0.3 and
 * 0.6 points ahead of it on that mean in two runs (issue 17, item 2): inside the noise (cmudict moved 5 points
 * between two runs of diverse at 50 labels), and below random by 2.3 points on SpamAssassin at 16 labels where
 * diverse is 4 above, so the default stays. Making it the default would also need the queue to rank by typicality
 * while the model is uncalibrated (rankQueue ranks it as diverse).
 */
export const DEFAULT_REVIEW_STRATEGY: ReviewStrategy = 'diverse';

/**
 * The nearest-neighbour vote (see Serving.voteWeight) while there are at most this many labels: it gains most with
 * few labels (SpamAssassin: +3.6 points at 20, +0.2 at 800) and costs a scan of every label per prediction.
 */
export const VOTE_MAX_EXAMPLES = 1000;

/** The vote's weight before there are enough labels to fit it: 0.5 gave 87.4 % against 83.8 % for the head alone on SpamAssassin at 20 labels. */
export const DEFAULT_VOTE_WEIGHT = 0.5;

/** The window the engine watches drift over, as `quality()` does by default. */
export const DRIFT_WINDOW = 200;

/**
 * Predictions queue themselves up to this many pending items; past it the least uncertain pending item makes room
 * (explicit `enqueue` is not limited). Every label re-ranks the queue, so its size is what a review step costs.
 */
export const QUEUE_AUTO_LIMIT = 10_000;
