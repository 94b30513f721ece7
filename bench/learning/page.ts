/**
 * The learning benchmark page's entry: scripts/bench-learning.mjs serves bench/learning.html, calls
 * `runLearningBenchmark` once per dataset and prints what it returns.
 */
import { run } from './run.js';
import { describeError, progress } from './util.js';

window.runLearningBenchmark = async (config) => {
  try {
    return await run(config);
  } catch (error) {
    progress(`${config.dataset}: failed: ${describeError(error)}`);
    throw error;
  }
};
progress('ready');
