// Where a single image prediction spends its time on wasm (issue 7: warm predict p95 ≤ 10 ms): the scattering
// features and the head, each timed over many single-image calls.
//   BENCH_FILE=bench/image-predict-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import { test } from 'vitest';
import { digitPixels, loadMnist } from './image-experiment.js';
import { useBackend } from '../workers/backend.js';
import { IMAGE_FEATURE_DIM, featurizeImages } from '../workers/featurizers/image.js';
import { ServingHead } from '../workers/head.js';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!.toFixed(2);

test('single image predict phases', async () => {
  await useBackend('wasm');
  const mnist = await loadMnist();
  const images = Array.from({ length: 300 }, (_, i) => digitPixels(mnist, i));
  const weights = Float32Array.from({ length: IMAGE_FEATURE_DIM * 10 }, (_, i) => Math.sin(i));
  const head = new ServingHead({
    inputDim: IMAGE_FEATURE_DIM,
    labels: Array.from({ length: 10 }, (_, c) => String(c)),
    weights,
    bias: new Float32Array(10),
  });
  const feat: number[] = [];
  const served: number[] = [];
  for (const image of images) {
    let t = performance.now();
    const [row] = await featurizeImages([image]);
    feat.push(performance.now() - t);
    t = performance.now();
    await head.predict([row!]);
    served.push(performance.now() - t);
  }
  console.log(
    `dim ${IMAGE_FEATURE_DIM}; features p50 ${pct(feat, 0.5)} p95 ${pct(feat, 0.95)} ms; head p50 ${pct(served, 0.5)} p95 ${pct(served, 0.95)} ms`,
  );
});
