// Runs the image featurizer experiment (bench/image-experiment.bench-test.ts) in headless Chromium, apart from
// the test suite: `npx vitest run --config bench/vitest.image.config.ts` (IMAGE_EXPERIMENT=full for the ablations).
// BENCH_FILE=bench/mm-probe.bench-test.ts or bench/train-probe.bench-test.ts run the head-training timing probes instead;
// bench/helper-probe.bench-test.ts times a 10,000-text batch shared with the lookup helper against the engine alone.
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs';

export default defineConfig({
  root: import.meta.dirname + '/..',
  publicDir: false,
  optimizeDeps: {
    // Pre-bundled up front: a dependency discovered mid-run makes Vite reload the page and the run fails.
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
    ],
  },
  worker: { format: 'es' },
  test: {
    include: [process.env.BENCH_FILE ?? 'bench/image-experiment.bench-test.ts'],
    testTimeout: 1_800_000,
    provide: { imageExperiment: process.env.IMAGE_EXPERIMENT ?? 'default' },
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS } }),
      instances: [{ browser: 'chromium' }],
      screenshotFailures: false,
    },
  },
});
