/** Registers the ranking benchmark on bench/rank.html, for scripts/bench-rank.mjs. */
import { runRank, type RankConfig, type RankResult } from './rank.js';

declare global {
  interface Window {
    runRankBenchmark?: (config: RankConfig) => Promise<RankResult>;
    benchProgress?: (message: string) => void;
  }
}

window.runRankBenchmark = (config) => runRank(config, (message) => window.benchProgress?.(message));
