import { expect, test } from 'vitest';
import { joinShortGrams, shortGramOccurrences, shortGrams } from './text-short-grams.js';
import { featurizeText, normalizeText } from './text.js';

test('short grams are the letters of each word and its boundary pairs, unit length', () => {
  // "ab": unigrams a, b; bigrams " a", "ab", "b ": five grams, none shared.
  expect(shortGramOccurrences(normalizeText('AB'))).toHaveLength(5);
  expect(shortGramOccurrences('ab cd').map((o) => o.word)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  const { values } = shortGrams('A longer sentence, with punctuation!');
  expect(Math.hypot(...values)).toBeCloseTo(1, 6);
  expect(shortGrams('')).toEqual({ indices: new Int32Array(0), values: new Float32Array(0) });
  // Words that share letters in another order share unigrams, which the n-grams of featurizeText do not see.
  const dot = (a: ReturnType<typeof shortGrams>, b: ReturnType<typeof shortGrams>) => {
    let sum = 0;
    a.indices.forEach((index, i) => {
      const j = b.indices.indexOf(index);
      if (j >= 0) sum += a.values[i]! * b.values[j]!;
    });
    return sum;
  };
  expect(dot(shortGrams('listen'), shortGrams('silent'))).toBeGreaterThan(0.5);
});

test('joining keeps the n-grams at share 0 and gives the short grams their share of the squared length', () => {
  const text = 'syllables decide the class';
  const ngrams = featurizeText(text);
  const short = shortGrams(text);
  expect(joinShortGrams(ngrams, short, 0)).toBe(ngrams);
  for (const share of [0.25, 0.5]) {
    const joined = joinShortGrams(ngrams, short, share);
    expect(Array.from(joined.indices)).toEqual([...joined.indices].sort((a, b) => a - b));
    // Buckets shared by both groups are rare in 2^14; the squared length is 1 up to them.
    expect(joined.values.reduce((a, v) => a + v * v, 0)).toBeCloseTo(1, 1);
  }
});
