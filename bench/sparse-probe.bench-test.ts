// Sparse head training cost at 800 e-mails (issue 3: full train() ≤ 3 s): non-zeros and per-step time.
//   BENCH_FILE=bench/sparse-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import { test } from 'vitest';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import { trainSparseHeads } from '../workers/sparse-head.js';

type Item = { text: string; label: string };

test('sparse steps', async () => {
  const data = (await (await fetch(new URL('./data/spam.json', import.meta.url))).json()) as { train: Item[]; test: Item[] };
  const items = data.train.slice(0, 800);
  const rows = items.map((i) => featurizeText(i.text));
  const nnz = rows.reduce((a, r) => a + r.indices.length, 0);
  console.log(`nnz total ${nnz}, mean ${(nnz / rows.length).toFixed(0)}, max ${Math.max(...rows.map((r) => r.indices.length))}`);
  const targets = Int32Array.from(items, (i) => (i.label === 'spam' ? 1 : 0));
  for (const heads of [1, 2, 2, 2, 2]) {
    const sw = Array.from({ length: heads }, () => new Float32Array(rows.length).fill(1 / rows.length));
    const t = performance.now();
    await trainSparseHeads({
      rows,
      targets,
      classes: 2,
      inputDim: TEXT_DIM,
      sampleWeights: sw,
      steps: 80,
      learningRate: 0.1,
      l2: 1e-4,
      reportEvery: 10,
      breathe: async () => {},
    });
    const ms = performance.now() - t;
    console.log(`heads ${heads}: ${ms.toFixed(0)} ms, ${((ms * 1e6) / (80 * nnz * 2 * heads * 2)).toFixed(2)} ns per MAC`);
  }
});
