// Sparse head training cost by shape (classes × heads, the calibration head included) on 3,000 short texts, and a
// full calibrated training of 3 classes, as the soak's retrains run it.
//   BENCH_FILE=bench/train3-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import { test } from 'vitest';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import { trainCalibrated } from '../workers/calibrate.js';
import { trainSparseHeads } from '../workers/sparse-head.js';

type Item = { text: string; label: string };

test('train 3,000 short texts', async () => {
  const texts = (await (await fetch(new URL('./data/perf-texts.json', import.meta.url))).json()) as Item[];
  const items = texts.slice(0, 3000);
  const rows = items.map((i) => featurizeText(i.text));
  const targets = Int32Array.from(items, (i, k) => (i.label === 'spam' ? 1 : k % 7 === 0 ? 2 : 0));
  console.log(`non-zeros ${rows.reduce((a, r) => a + r.indices.length, 0)}`);
  for (const [classes, heads] of [
    [2, 1],
    [3, 1],
    [2, 2],
    [3, 2],
  ] as const) {
    const t = performance.now();
    await trainSparseHeads({
      rows,
      targets: targets.map((x) => Math.min(x, classes - 1)),
      classes,
      inputDim: TEXT_DIM,
      sampleWeights: Array.from({ length: heads }, () => new Float32Array(rows.length).fill(1 / rows.length)),
      steps: 80,
      learningRate: 0.1,
      l2: 1e-4,
      reportEvery: 10,
      breathe: async () => {},
    });
    console.log(`${classes} classes, ${heads} head(s): ${(performance.now() - t).toFixed(0)} ms`);
  }
  const t = performance.now();
  await trainCalibrated(rows, targets, 3, TEXT_DIM);
  console.log(`calibrated training, 3 classes: ${(performance.now() - t).toFixed(0)} ms`);
});
