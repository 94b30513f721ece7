/** Registers the label-check benchmark on the trust benchmark page (bench/trust.html), for scripts/bench-trust.mjs. */
import { runLabelCheck, type LabelCheckConfig, type LabelCheckResult } from './label-check.js';

declare global {
  interface Window {
    runLabelCheckBenchmark?: (config: LabelCheckConfig) => Promise<LabelCheckResult>;
    benchProgress?: (message: string) => void;
  }
}

window.runLabelCheckBenchmark = (config) => runLabelCheck(config, (message) => window.benchProgress?.(message));
