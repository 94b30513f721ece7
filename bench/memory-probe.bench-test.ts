// The example memory's near-duplicate lookup at 10,000 stored short texts (issue 7: predictBatch ≥ 5,000 texts/s
// end to end leaves the memory ~0.05 ms per text).
//   BENCH_FILE=bench/memory-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import { expect, test } from 'vitest';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import type { SparseVector } from '../workers/featurizers/vector.js';
import { ExampleMemory, NEAR_DUPLICATE } from '../workers/memory.js';
import { Similarity } from '../workers/similarity.js';

type Item = { text: string; label: string };

const FLOOR = NEAR_DUPLICATE.text;

/** Keys of `v`'s entries in `order` ascending (ties by key), cut after the first whose running squared mass passes `mass`. */
function prefix(v: SparseVector, keyOf: (j: number) => number, order: (key: number) => number, mass: number): number[] {
  const positions = Array.from(v.indices.keys()).sort((a, b) => order(keyOf(a)) - order(keyOf(b)) || keyOf(a) - keyOf(b));
  const out: number[] = [];
  let total = 0;
  for (const j of positions) {
    if (total > mass + 1e-5) break;
    total += v.values[j]! ** 2;
    out.push(keyOf(j));
  }
  return out;
}

/**
 * Postings a lookup visits, modelled outside the memory. Before: the query's rarest features carrying more than
 * 2(1 − floor) of its mass, probed in an index of every feature of every example. After: tokens (feature and sign)
 * in one order (df² / Σv²), the query's prefix of mass 1 − floor² probed in an index of each example's own prefix.
 */
function postingsVisited(stored: SparseVector[], queries: SparseVector[]): { before: number; after: number } {
  const feature = (v: SparseVector) => (j: number) => 2 * v.indices[j]!;
  const token = (v: SparseVector) => (j: number) => 2 * v.indices[j]! + (v.values[j]! < 0 ? 1 : 0);
  const df = new Float64Array(2 * TEXT_DIM);
  const tokenDf = new Float64Array(2 * TEXT_DIM);
  const tokenMass = new Float64Array(2 * TEXT_DIM);
  for (const v of stored) {
    for (let j = 0; j < v.indices.length; j++) {
      df[2 * v.indices[j]!]! += 1;
      tokenDf[token(v)(j)]! += 1;
      tokenMass[token(v)(j)]! += v.values[j]! ** 2;
    }
  }
  const cost = (t: number) => (tokenDf[t] === 0 ? 0 : tokenDf[t]! ** 2 / tokenMass[t]!);
  const mass = 1 - FLOOR * FLOOR;
  const prefixDf = new Float64Array(2 * TEXT_DIM);
  for (const v of stored) for (const t of prefix(v, token(v), cost, mass)) prefixDf[t]! += 1;
  let before = 0;
  let after = 0;
  for (const q of queries) {
    for (const f of prefix(q, feature(q), (key) => df[key]!, 2 * (1 - FLOOR))) before += df[f]!;
    for (const t of prefix(q, token(q), cost, mass)) after += prefixDf[t]!;
  }
  return { before: before / queries.length, after: after / queries.length };
}

test('near-duplicate lookups at 10,000 stored texts', async () => {
  // Read at run time: bench/data/ is made by `npm run data` and is not in git.
  const texts = (await (await fetch(new URL('./data/perf-texts.json', import.meta.url))).json()) as Item[];
  const stored = texts.slice(0, 10_000).map((i) => featurizeText(i.text));
  const targets = texts.slice(0, 10_000).map((i) => (i.label === 'spam' ? 1 : 0));
  const queries = texts.slice(10_000, 20_000).map((i) => featurizeText(i.text));
  console.log(`mean nnz stored ${(stored.reduce((a, r) => a + r.indices.length, 0) / stored.length).toFixed(0)}`);
  const similarity = new Similarity(
    'cosine',
    () => TEXT_DIM,
    () => null,
  );

  for (let round = 0; round < 3; round++) {
    const memory = new ExampleMemory(similarity);
    let t = performance.now();
    stored.forEach((v, i) => memory.upsert(String(i), targets[i]!, v, i));
    const index = performance.now() - t;
    // The first lookup with a floor builds what the floor lookups need (lazily, so upserts stay cheap).
    t = performance.now();
    memory.nearest(queries[0]!, 2, FLOOR);
    const first = performance.now() - t;
    t = performance.now();
    memory.nearest(queries[1]!, 2, FLOOR);
    const second = performance.now() - t;
    t = performance.now();
    let near = 0;
    for (const q of queries) if (memory.nearest(q, 2, FLOOR).top > FLOOR) near += 1;
    const floorMs = performance.now() - t;
    console.log(
      `round ${round}: index 10k ${index.toFixed(0)} ms, first floor lookup (builds the prefix index) ${first.toFixed(1)} ms (second ${second.toFixed(2)} ms), ` +
        `10k floor lookups ${floorMs.toFixed(0)} ms = ${(floorMs / queries.length).toFixed(4)} ms each (${near} above ${FLOOR})`,
    );
  }

  // Growth past a rebuild point: 10k stored, then 10k more upserted with a floor lookup after each (the prefix index
  // is kept up to date by each upsert and rebuilt by the lookup after the 20,000th).
  {
    const memory = new ExampleMemory(similarity);
    stored.forEach((v, i) => memory.upsert(String(i), targets[i]!, v, i));
    memory.nearest(queries[0]!, 2, FLOOR);
    let upserts = 0;
    let lookups = 0;
    queries.forEach((v, i) => {
      let t = performance.now();
      memory.upsert(`q${i}`, 0, v, 10_000 + i);
      upserts += performance.now() - t;
      t = performance.now();
      memory.nearest(v, 2, FLOOR);
      lookups += performance.now() - t;
    });
    console.log(`10k → 20k stored: 10k upserts ${upserts.toFixed(0)} ms, a floor lookup after each ${lookups.toFixed(0)} ms`);
  }

  // The floor lookup reports exactly what the full scoring pass does above the floor.
  const memory = new ExampleMemory(similarity);
  stored.forEach((v, i) => memory.upsert(String(i), targets[i]!, v, i));
  const t = performance.now();
  for (const q of queries.slice(0, 1000)) {
    const full = memory.nearest(q, 2);
    const floor = memory.nearest(q, 2, FLOOR);
    if (full.top > FLOOR) expect(floor.top).toBe(full.top);
    for (let c = 0; c < 2; c++) if (full.perClass[c]! > FLOOR) expect(floor.perClass[c]).toBe(full.perClass[c]);
  }
  console.log(`1k full lookups (and 1k floor lookups, checked) ${(performance.now() - t).toFixed(0)} ms`);

  const visited = postingsVisited(stored, queries.slice(0, 2000));
  console.log(
    `postings visited per query (model): query-side feature prefix ${visited.before.toFixed(0)}, both-sided token prefix ${visited.after.toFixed(0)}`,
  );
});
