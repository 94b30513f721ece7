import { expect, test } from 'vitest';
import { joinShortGrams, shortGramOccurrences, shortGrams } from './text-short-grams.js';
import { featurizeText, normalizeText } from './text.js';
import { countScaleOf, extraGroup } from './head-views.js';

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

test('the counts group keeps how many of each short gram a word has, over one scale for every text', () => {
  const scale = countScaleOf(['banana', 'kiwi']);
  // Mean length of the plain counts: banana's grams repeat (a ×3, an and na ×2), kiwi's barely.
  const lengthOf = (text: string) => Math.hypot(...extraGroup(text, 'counts', 1).values);
  expect(scale).toBeCloseTo((lengthOf('banana') + lengthOf('kiwi')) / 2, 6);
  const counted = extraGroup('banana', 'counts', scale);
  const unit = extraGroup('banana', 'letters');
  expect(Math.hypot(...unit.values)).toBeCloseTo(1, 6);
  // Unit length divides by the word's own length and damps repeats; counted, banana's three a's are 3 (over the scale).
  const values = [...counted.values].map((v) => Math.abs(v * scale)).sort((x, y) => y - x);
  expect(values[0]).toBeCloseTo(3, 5);
  expect(countScaleOf([])).toBe(1);
});
