import { expect, test } from 'vitest';
import { joinShortGrams, shortGrams } from '../featurizers/text-short-grams.js';
import { featurizeText, ngramOccurrences, normalizeText } from '../featurizers/text.js';
import { linearTextSpans, textWords } from './text-spans.js';
import { headView } from '../featurizers/head-views.js';

const SAMPLES = [
  'Refund for an invoice charged twice',
  'refund for an INVOICE charged twice!!!',
  'Ｉｎｖｏｉｃｅ　ｏｖｅｒｄｕｅ',
  'Die Rechnung wurde zweimal belastet. Straße, Öl, Äpfel.',
  '请退还重复扣款的发票 😀👍🏽 — ok?',
  'e\u0301cole école ﬁne ﬀ ①② İstanbul ¼ ǅ',
  'the the the the cat',
  '',
];

test('the occurrences sum to the very features featurizeText computes', () => {
  for (const text of SAMPLES) {
    const { occurrences } = ngramOccurrences(normalizeText(text));
    const counts = new Map<number, number>();
    for (const { bucket, weight } of occurrences) counts.set(bucket, (counts.get(bucket) ?? 0) + weight);
    const kept = [...counts].filter(([, count]) => count !== 0).sort((a, b) => a[0] - b[0]);
    const norm = Math.hypot(...kept.map(([, count]) => Math.log1p(Math.abs(count))));
    const { indices, values } = featurizeText(text);
    expect(Array.from(indices)).toEqual(kept.map(([bucket]) => bucket));
    kept.forEach(([, count], j) => expect(values[j]).toBeCloseTo((Math.sign(count) * Math.log1p(Math.abs(count))) / norm, 6));
  }
});

test('linear spans add up to the weighted features, and each word gets what its n-grams carry', () => {
  // A weight per bucket from a fixed rule: any linear head will do.
  const weight = (bucket: number) => ((bucket * 2654435761) % 1000) / 1000 - 0.5;
  for (const text of SAMPLES) {
    const spans = linearTextSpans(text, weight);
    const { indices, values } = featurizeText(text);
    let expected = 0;
    indices.forEach((bucket, j) => (expected += weight(bucket) * values[j]!));
    expect(spans.reduce((a, s) => a + s.contribution, 0)).toBeCloseTo(expected, 5);
    for (const span of spans) expect(span.text).toBe(text.slice(span.start, span.end));
  }
  // A word that appears alone in a text takes all of it: only its own n-grams are in the vector.
  const [only] = linearTextSpans('hello', () => 1);
  expect(only).toMatchObject({ start: 0, end: 5, text: 'hello' });
});

test('words map back to the characters they came from, or to the whole run when normalisation joins them', () => {
  const text = 'Ｈｉ ﬁne e\u0301cole ¼';
  const { spans } = textWords(text);
  expect(spans.map(({ start, end }) => text.slice(start, end))).toEqual(['Ｈｉ', 'ﬁne', 'e\u0301cole', '¼']);
});

test('with short character grams in the head, the spans add up to the weighted head row, for every share', () => {
  const weight = (bucket: number) => ((bucket * 2246822519) % 997) / 997 - 0.5;
  for (const share of [0.25, 0.5]) {
    for (const text of SAMPLES) {
      const row = joinShortGrams(featurizeText(text), shortGrams(text), share);
      let expected = 0;
      row.indices.forEach((bucket, j) => (expected += weight(bucket) * row.values[j]!));
      expect(linearTextSpans(text, weight, share).reduce((a, s) => a + s.contribution, 0)).toBeCloseTo(expected, 5);
    }
  }
});

test('with the short grams counted, the spans add up to the weighted head row, at any scale', () => {
  const weight = (bucket: number) => ((bucket * 2246822519) % 997) / 997 - 0.5;
  for (const scale of [1, 3.7]) {
    for (const text of SAMPLES) {
      const row = headView(featurizeText(text), text, 'counts', 0.5, scale);
      let expected = 0;
      row.indices.forEach((bucket, j) => (expected += weight(bucket) * row.values[j]!));
      expect(linearTextSpans(text, weight, 0.5, 'counts', scale).reduce((a, s) => a + s.contribution, 0)).toBeCloseTo(expected, 5);
    }
  }
});
