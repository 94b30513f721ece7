/** Registers the streaming review benchmark on bench/review.html, for scripts/bench-review.mjs. */
import { runReview, type ReviewConfig, type ReviewResult } from './stream.js';

declare global {
  interface Window {
    runReviewBenchmark?: (config: ReviewConfig) => Promise<ReviewResult>;
    benchProgress?: (message: string) => void;
  }
}

window.runReviewBenchmark = (config) => runReview(config, (message) => window.benchProgress?.(message));
