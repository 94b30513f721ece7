/** Registers the faithfulness benchmark on the trust benchmark page, for bench/trust/faithfulness-report.mjs. */
import { runFaithfulness, type FaithfulnessConfig, type FaithfulnessResult } from './faithfulness.js';

declare global {
  interface Window {
    runFaithfulnessBenchmark?: (config: FaithfulnessConfig) => Promise<FaithfulnessResult>;
    benchProgress?: (message: string) => void;
  }
}

window.runFaithfulnessBenchmark = (config) => runFaithfulness(config, (message) => window.benchProgress?.(message));
