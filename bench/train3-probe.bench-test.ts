import { test } from 'vitest';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import { trainCalibrated } from '../workers/calibrate.js';
import { trainSparseHeads } from '../workers/sparse-head.js';
type Item = { text: string; label: string };
test('train 3000 short texts, 3 classes', async () => {
  const texts = (await (await fetch(new URL('./data/perf-texts.json', import.meta.url))).json()) as Item[];
  const items = texts.slice(0, 3000);
  const rows = items.map((i) => featurizeText(i.text));
  const targets = Int32Array.from(items, (i, k) => (i.label === 'spam' ? 1 : k % 7 === 0 ? 2 : 0));
  console.log(`nnz ${rows.reduce((a, r) => a + r.indices.length, 0)}`);
  for (const [classes, heads] of [
    [2, 1],
    [3, 1],
    [2, 2],
    [3, 2],
    [3, 2],
  ] as const) {
    const t = performance.now();
    const sw = Array.from({ length: heads }, () => new Float32Array(rows.length).fill(1 / rows.length));
    const tg = targets.map((x) => Math.min(x, classes - 1));
    await trainSparseHeads({
      rows,
      targets: tg,
      classes,
      inputDim: TEXT_DIM,
      sampleWeights: sw,
      steps: 80,
      learningRate: 0.1,
      l2: 1e-4,
      reportEvery: 10,
      breathe: async () => {},
    });
    console.log(`classes ${classes} heads ${heads}: no breathe ${(performance.now() - t).toFixed(0)} ms`);
  }
  for (const kind of ['timeout', 'channel']) {
    const state = { last: performance.now() };
    const channel = new MessageChannel();
    const yieldNow =
      kind === 'timeout'
        ? () => new Promise((r) => setTimeout(r, 0))
        : () =>
            new Promise((r) => {
              channel.port1.onmessage = r;
              channel.port2.postMessage(0);
            });
    const breathe = async () => {
      if (performance.now() - state.last < 20) return;
      await yieldNow();
      state.last = performance.now();
    };
    const t0 = performance.now();
    const sw = Array.from({ length: 2 }, () => new Float32Array(rows.length).fill(1 / rows.length));
    await trainSparseHeads({
      rows,
      targets,
      classes: 3,
      inputDim: TEXT_DIM,
      sampleWeights: sw,
      steps: 80,
      learningRate: 0.1,
      l2: 1e-4,
      reportEvery: 10,
      breathe,
    });
    console.log(`classes 3 heads 2, ${kind} breathe ${(performance.now() - t0).toFixed(0)} ms`);
  }
  const t = performance.now();
  await trainCalibrated(rows, targets, 3, TEXT_DIM);
  console.log(`calibrated ${(performance.now() - t).toFixed(0)} ms`);
});
