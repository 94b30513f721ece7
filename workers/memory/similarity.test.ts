import { expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { TEXT_DIM, featurizeText } from '../featurizers/text.js';
import type { SparseVector } from '../featurizers/vector.js';
import { ExampleMemory } from './example-memory.js';
import { bestPerClass, Similarity } from './similarity.js';

const WORDS = 'invoice refund charged twice crash export login password dark mode sync mobile the a to my please help'.split(' ');

test('bestPerClass gives, for many queries at once, the per-class best similarity the memory reports', () => {
  const random = seededRandom(9);
  const text = () => Array.from({ length: 3 + Math.floor(random() * 12) }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ');
  const rows: SparseVector[] = Array.from({ length: 150 }, () => featurizeText(text()));
  rows.push(featurizeText(''));
  // Three classes, one of them with no rows at all: it must read −∞.
  const targets = Int32Array.from(rows, (_, i) => (i % 5 === 0 ? 1 : 0));
  const queries = [...Array.from({ length: 40 }, () => featurizeText(text())), rows[3]!, featurizeText('')];
  const memory = new ExampleMemory(
    new Similarity(
      'cosine',
      () => TEXT_DIM,
      () => null,
    ),
  );
  rows.forEach((row, i) => memory.upsert(String(i), targets[i]!, row, i));
  const got = bestPerClass(queries, rows, targets, 3, TEXT_DIM);
  queries.forEach((query, q) => {
    const { perClass, top } = memory.nearest(query, 3);
    for (let c = 0; c < 3; c++) {
      // The memory marks its top class 1e-9 higher to break ties; sums in another order differ by rounding only.
      const want = perClass[c] === top + 1e-9 ? top : perClass[c]!;
      if (want === -Infinity) expect(got[q]![c]).toBe(-Infinity);
      else expect(got[q]![c]).toBeCloseTo(want, 6);
    }
  });
  // An exact copy of a stored row is found at similarity 1.
  expect(Math.max(...got[40]!)).toBeCloseTo(1, 6);
});
