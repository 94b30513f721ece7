// Where predictBatch over 10,000 short texts spends its time with 10,000 stored (issue 7: ≥ 5,000 texts/s).
//   BENCH_FILE=bench/batch-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import { test } from 'vitest';
import { useBackend } from '../workers/backend.js';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import { ServingHead, trainHead } from '../workers/head.js';
import { ExampleMemory, NEAR_DUPLICATE } from '../workers/memory.js';
import { Similarity } from '../workers/similarity.js';

type Item = { text: string; label: string };

test('predictBatch phases', async () => {
  await useBackend('wasm');
  const texts = (await (await fetch(new URL('./data/perf-texts.json', import.meta.url))).json()) as Item[];
  const stored = texts.slice(0, 10_000);
  const pool = texts.slice(10_000, 20_000).map((t) => t.text);
  let t = performance.now();
  const rows = stored.map((i) => featurizeText(i.text));
  console.log(
    `featurize 10k stored ${(performance.now() - t).toFixed(0)} ms, mean nnz ${(rows.reduce((a, r) => a + r.indices.length, 0) / rows.length).toFixed(0)}`,
  );
  const memory = new ExampleMemory(
    new Similarity(
      'cosine',
      () => TEXT_DIM,
      () => null,
    ),
  );
  t = performance.now();
  rows.forEach((r, i) => memory.upsert(String(i), stored[i]!.label === 'spam' ? 1 : 0, r, i));
  console.log(`index ${(performance.now() - t).toFixed(0)} ms`);
  const targets = Int32Array.from(stored, (i) => (i.label === 'spam' ? 1 : 0));
  t = performance.now();
  const params = await trainHead({ rows: rows.slice(0, 1000), targets: targets.slice(0, 1000), classes: 2, inputDim: TEXT_DIM });
  console.log(`train 1000 ${(performance.now() - t).toFixed(0)} ms`);
  const head = new ServingHead({ ...params, labels: ['ham', 'spam'] });
  for (let r = 0; r < 2; r++) {
    t = performance.now();
    const vectors = pool.map((p) => featurizeText(p));
    const f = performance.now() - t;
    t = performance.now();
    await head.predict(vectors);
    const h = performance.now() - t;
    t = performance.now();
    for (const v of vectors) memory.nearest(v, 2, NEAR_DUPLICATE.text);
    const m = performance.now() - t;
    t = performance.now();
    for (const v of vectors.slice(0, 1000)) memory.nearest(v, 2);
    const full = performance.now() - t;
    console.log(
      `10k pool: featurize ${f.toFixed(0)} ms, head ${h.toFixed(0)} ms, memory(floor) ${m.toFixed(0)} ms, memory full scan 1k ${full.toFixed(0)} ms`,
    );
  }
});
