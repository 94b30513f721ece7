import { expect, test } from 'vitest';
import { featurizeText, MAX_TEXT_CHARS, TEXT_DIM } from './text.js';

const SAMPLES = [
  'Refund for an invoice charged twice',
  'refund for an INVOICE charged twice!!!',
  'Ｉｎｖｏｉｃｅ　ｏｖｅｒｄｕｅ',
  'Die Rechnung wurde zweimal belastet. Straße, Öl, Äpfel.',
  '请退还重复扣款的发票 😀👍🏽 — ok?',
  'مرحبا بالعالم، الفاتورة مكررة',
  'a',
  '',
  '   \n\t ',
  'x'.repeat(50) + ' ' + 'y z '.repeat(30),
  'e\u0301cole école ﬁne ﬀ ①②',
  '\ud83d lone surrogate \udc00 and <script>alert(1)</script>',
];

/** FNV-1a over the exact bits of every index and value: any change to the features changes it. */
function digest(texts: readonly string[]): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h ^= x;
    h = Math.imul(h, 0x01000193);
  };
  for (const text of texts) {
    const { indices, values } = featurizeText(text);
    mix(indices.length);
    indices.forEach(mix);
    new Int32Array(values.buffer, values.byteOffset, values.length).forEach(mix);
  }
  return (h >>> 0).toString(16);
}

// Stored models are weights over these features: a featurizer that changes them silently breaks every saved model.
// A change must be deliberate (a new featurizer id, which makes stored heads retrain); then update the digest.
test('text features are exactly the ones stored models were trained on', () => {
  expect(digest(SAMPLES)).toBe('cab854d2');
});

test('text features are sorted, unique, in range and unit length', () => {
  for (const text of SAMPLES) {
    const { indices, values } = featurizeText(text);
    for (let j = 1; j < indices.length; j++) expect(indices[j]).toBeGreaterThan(indices[j - 1]!);
    indices.forEach((i) => expect(i >= 0 && i < TEXT_DIM).toBe(true));
    const norm = values.reduce((a, v) => a + v * v, 0);
    if (indices.length > 0) expect(norm).toBeCloseTo(1, 5);
  }
});

test('work is capped for huge texts, and what is read stays the same', () => {
  const head = 'invoice refund charged twice '.repeat(100);
  const huge = head + 'z'.repeat(MAX_TEXT_CHARS * 5);
  const capped = (head + 'z'.repeat(MAX_TEXT_CHARS * 5)).slice(0, MAX_TEXT_CHARS);
  expect(featurizeText(huge)).toEqual(featurizeText(capped));
});
