import { expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { extraGroup, plainCounts, wordGramOccurrences } from './head-views.js';
import { shortGramOccurrences } from './text-short-grams.js';
import { TEXT_DIM, WORD, finish, fnv, normalizeText } from './text.js';
import type { SparseVector } from './vector.js';

/** The groups as they were summed before the typed-array sums: a Map, in the order of the occurrences. */
function mapSums(occurrences: readonly { bucket: number; weight: number }[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { bucket, weight } of occurrences) counts.set(bucket, (counts.get(bucket) ?? 0) + weight);
  return counts;
}
function mapUnit(occurrences: readonly { bucket: number; weight: number }[]): SparseVector {
  const counts = mapSums(occurrences);
  const indices = Int32Array.from([...counts.keys()].filter((bucket) => counts.get(bucket) !== 0)).sort();
  const values = Float32Array.from(indices, (bucket) => {
    const count = counts.get(bucket)!;
    return Math.sign(count) * Math.log1p(Math.abs(count));
  });
  let norm = 0;
  for (const v of values) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < values.length; j++) values[j]! /= norm;
  return { indices, values };
}
function mapPlain(occurrences: readonly { bucket: number; weight: number }[]): SparseVector {
  const counts = mapSums(occurrences);
  const indices = Int32Array.from([...counts.keys()].filter((bucket) => counts.get(bucket) !== 0)).sort();
  return { indices, values: Float32Array.from(indices, (bucket) => counts.get(bucket)!) };
}

/** The short grams' hashing loop as first written: unigrams of a word's letters, then its bigrams with boundaries. */
function shortGramsAsWritten(normalized: string): { bucket: number; weight: number }[] {
  const out: { bucket: number; weight: number }[] = [];
  for (const match of normalized.matchAll(WORD)) {
    const padded = ` ${match[0]} `;
    const codes = Uint16Array.from({ length: padded.length }, (_, i) => padded.charCodeAt(i));
    for (const n of [1, 2]) {
      const seed = (0x2545f491 + n) >>> 0;
      const [from, to] = n === 1 ? [1, codes.length - 1] : [0, codes.length - 1];
      for (let i = from; i < to; i++) {
        const h = finish(fnv(seed, codes, i, i + n));
        out.push({ bucket: h & (TEXT_DIM - 1), weight: h & 0x80000000 ? -1 : 1 });
      }
    }
  }
  return out;
}

const same = (got: SparseVector, want: SparseVector) => {
  expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
  expect(Array.from(got.values)).toEqual(Array.from(want.values));
};

test('the head groups summed in typed arrays are the numbers a Map of occurrences gave, short texts and long', () => {
  const random = seededRandom(9);
  const words = 'the invoice was charged twice again café naïve Straße 東京 données !!! 42 re: fwd'.split(' ');
  const texts = [
    '',
    '  ',
    'a',
    'Hello, world!',
    'ünïcödé and 日本語 mixed with emoji 🎉🎉',
    // Long texts (a whole e-mail): many buckets, most hit many times, some summing to exactly zero.
    ...Array.from({ length: 4 }, () => Array.from({ length: 1500 }, () => words[Math.floor(random() * words.length)]!).join(' ')),
  ];
  for (const text of texts) {
    const normalized = normalizeText(text);
    expect(shortGramOccurrences(normalized).map(({ bucket, weight }) => ({ bucket, weight }))).toEqual(shortGramsAsWritten(normalized));
    same(extraGroup(text, 'letters'), mapUnit(shortGramOccurrences(normalized)));
    same(extraGroup(text, 'words'), mapUnit(wordGramOccurrences(normalized)));
    const counts = mapPlain(shortGramOccurrences(normalized));
    same(extraGroup(text, 'counts', 3), { indices: counts.indices, values: counts.values.map((v) => v / 3) });
    same(plainCounts(wordGramOccurrences(normalized)), mapPlain(wordGramOccurrences(normalized)));
  }
});
