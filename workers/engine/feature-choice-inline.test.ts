import { expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { featurizeText } from '../featurizers/text.js';
import { sparseStepWork } from '../learning/sparse-head.js';
import { CHOICE_INLINE_MAX, choiceFitsInline } from './feature-choice.js';

test("a step's work counts each non-zero and each column in use, in slots of the heads' outputs", () => {
  const rows = [
    { indices: Int32Array.of(1, 5, 9), values: new Float32Array(3) },
    { indices: Int32Array.of(5, 9), values: new Float32Array(2) },
  ];
  // 5 non-zeros, 3 columns. Two classes: one output a head (the second is its negative); 5 heads → 8 slots.
  expect(sparseStepWork(rows, 2, 5)).toBe(8 * 8);
  // Three classes, 5 heads: 15 outputs → 16 slots.
  expect(sparseStepWork(rows, 3, 5)).toBe(16 * 8);
  expect(sparseStepWork(rows, 3, 1)).toBe(4 * 8);
});

test('a choice is made inline on short texts at the label bound, not on many classes of long passages far below it', () => {
  const random = seededRandom(5);
  const words = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`);
  const text = (length: number) => Array.from({ length }, () => words[Math.floor(random() * words.length)]!).join(' ');
  // Support requests of a dozen words, two classes: the bound is the label count.
  const requests = Array.from({ length: CHOICE_INLINE_MAX }, () => featurizeText(text(12)));
  expect(choiceFitsInline(requests, 2)).toBe(true);
  // 100 passages of ~60 words in 13 classes (the State of the Union by decade): over the work bound at a third of it.
  const passages = Array.from({ length: 100 }, () => featurizeText(text(60)));
  expect(choiceFitsInline(passages, 2)).toBe(true);
  expect(choiceFitsInline(passages, 13)).toBe(false);
  // Dense rows (numbers, image features) solve small heads: never held back.
  expect(choiceFitsInline([new Float32Array(4)], 13)).toBe(true);
});
