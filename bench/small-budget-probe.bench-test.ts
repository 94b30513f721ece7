// Spam at the smallest budgets: the trained head against 1-NN on the same features, and blends of the two
// (issue 3: beat knn-classifier at every budget). Same pool order as bench/learning.ts (seed 7).
//   BENCH_FILE=bench/small-budget-probe.bench-test.ts npx vitest run --config bench/vitest.image.config.ts
import { test } from 'vitest';
import { seededRandom } from '../scripts/seeded-random.mjs';
import { useBackend } from '../workers/backend.js';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import type { SparseVector } from '../workers/featurizers/vector.js';
import { nearestVote } from '../workers/calibration.js';
import { ServingHead, trainHead } from '../workers/head.js';

type Item = { text: string; label: string };

function dot(a: SparseVector, b: SparseVector): number {
  let i = 0,
    j = 0,
    s = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!,
      y = b.indices[j]!;
    if (x === y) s += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}

test('spam at 20, 50, 100 labels', async () => {
  await useBackend('wasm');
  // Read at run time: bench/data/ is made by `npm run data` and is not in git.
  const data = (await (await fetch(new URL('./data/spam.json', import.meta.url))).json()) as { train: Item[]; test: Item[] };
  const random = seededRandom(7);
  const order = Array.from({ length: data.train.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const testRows = data.test.map((i) => featurizeText(i.text));
  const truth = Int32Array.from(data.test, (i) => (i.label === 'spam' ? 1 : 0));
  for (const n of (import.meta.env.VITE_NS ?? '20,50,100').split(',').map(Number)) {
    const items = order.slice(0, n).map((i) => data.train[i]!);
    const rows = items.map((i) => featurizeText(i.text));
    const targets = Int32Array.from(items, (i) => (i.label === 'spam' ? 1 : 0));
    const line: string[] = [`n=${n}`];
    const trained = await trainHead({ rows, targets, classes: 2, inputDim: TEXT_DIM });
    const head = new ServingHead({ weights: trained.weights, bias: trained.bias, inputDim: TEXT_DIM, labels: ['ham', 'spam'] });
    const probs = await head.predict(testRows);
    head.dispose();
    const sims = testRows.map((t) => rows.map((r) => dot(t, r)));
    const nn = sims.map((s) => targets[s.indexOf(Math.max(...s))]!);
    const acc = (pred: (i: number) => number) => ((100 * truth.reduce((a, t, i) => a + Number(pred(i) === t), 0)) / truth.length).toFixed(1);
    line.push(`head ${acc((i) => (probs[2 * i + 1]! > probs[2 * i]! ? 1 : 0))}`, `1-NN ${acc((i) => nn[i]!)}`);
    // The head mixed with a soft vote of the nearest labelled example per class, as workers/engine.ts serves it.
    for (const beta of [0.25, 0.5, 0.75]) {
      line.push(
        `blend β=${beta} ${acc((i) => {
          const s = sims[i]!;
          const best = [-Infinity, -Infinity];
          s.forEach((v, r) => (best[targets[r]!] = Math.max(best[targets[r]!]!, v)));
          const p = (1 - beta) * probs[2 * i + 1]! + beta * nearestVote(best)[1]!;
          return p > 0.5 ? 1 : 0;
        })}`,
      );
    }
    console.log(line.join(' | '));
  }
});
