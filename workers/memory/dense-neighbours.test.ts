import { beforeAll, expect, test } from 'vitest';
import { gaussian, seededRandom } from '../../scripts/seeded-random.mjs';
import { useBackend } from '../backend.js';
import { RunningStats } from '../featurizers/features.js';
import { denseBestPerClass } from './dense-neighbours.js';
import { ExampleMemory } from './example-memory.js';
import { Similarity } from './similarity.js';

// The fallback backend, what the products run on without a GPU.
beforeAll(() => useBackend('wasm'));

/** Rows of 40 columns in 4 classes, spread unevenly over the columns, and queries among which some copy a row. */
function data(seed: number) {
  const random = seededRandom(seed);
  const row = () => Float32Array.from({ length: 40 }, (_, i) => gaussian(random) * (1 + (i % 5)) + (i % 3));
  const rows = Array.from({ length: 2_500 }, row);
  const targets = Int32Array.from(rows, () => Math.floor(random() * 4));
  const queries = Array.from({ length: 30 }, (_, k) => (k % 3 === 0 ? Float32Array.from(rows[k * 7]!) : row()));
  return { rows, targets, queries };
}

for (const metric of ['cosine', 'gaussian'] as const) {
  test(`by matrix products, the best ${metric} similarity per class is the memory's exact scan's, in blocks`, async () => {
    const { rows, targets, queries } = data(metric === 'cosine' ? 3 : 4);
    const stats = new RunningStats(40);
    for (const r of rows) stats.add(r);
    const similarity = new Similarity(
      metric,
      () => 40,
      () => (metric === 'gaussian' ? stats.snapshot().std : null),
    );
    const memory = new ExampleMemory(similarity);
    rows.forEach((r, i) => memory.upsert(String(i), targets[i]!, r, i));
    let pauses = 0;
    const best = await denseBestPerClass(queries, rows, targets, 4, similarity, async () => void (pauses += 1));
    // 2,500 rows are two blocks, with a pause after each.
    expect(pauses).toBe(2);
    queries.forEach((q, k) => {
      const exact = memory.nearest(q, 4).perClass;
      for (let c = 0; c < 4; c++) expect(best[k * 4 + c]).toBeCloseTo(exact[c]!, 5);
      if (k % 3 === 0) expect(Math.max(...best.subarray(k * 4, k * 4 + 4))).toBeCloseTo(1, 5);
    });
  });
}

test('no rows: every class −∞', async () => {
  const similarity = new Similarity(
    'cosine',
    () => 2,
    () => null,
  );
  const best = await denseBestPerClass([Float32Array.of(1, 0)], [], [], 3, similarity, async () => {});
  expect([...best]).toEqual([-Infinity, -Infinity, -Infinity]);
});
