import { expect, test } from 'vitest';
import type { SparseVector } from '../featurizers/vector.js';
import { chooseCandidate, crossValidate, type CandidateScore } from './model-selection.js';

/** 60 rows of two classes: feature 0 or 1 carries the class under 'signal', a row-specific feature only under 'noise'. */
function rows(kind: 'signal' | 'noise'): { rows: SparseVector[]; targets: Int32Array } {
  const targets = Int32Array.from({ length: 60 }, (_, i) => i % 2);
  const out = Array.from(targets, (t, i) =>
    kind === 'signal'
      ? { indices: Int32Array.of(t, 10 + i), values: Float32Array.of(0.8, 0.6) }
      : { indices: Int32Array.of(10 + i), values: Float32Array.of(1) },
  );
  return { rows: out, targets };
}

test('cross-validation scores the candidate whose rows carry the class above the one whose rows do not', async () => {
  const { targets } = rows('signal');
  const scores = await crossValidate({
    candidates: ['noise', 'signal'] as const,
    rowsFor: (kind) => rows(kind).rows,
    targets,
    classes: 2,
    inputDim: 100,
    folds: 5,
  });
  expect(scores.map((s) => s.candidate)).toEqual(['noise', 'signal']);
  expect(scores[1]!.accuracy).toBe(1);
  // Features seen only in training say nothing about held-out rows: a tie at best, so accuracy is at most half.
  expect(scores[0]!.accuracy).toBeLessThanOrEqual(0.5);
  expect(scores.every((s) => s.folds.length === 5)).toBe(true);
  expect(chooseCandidate(scores, 'noise')).toBe('signal');
});

test('a candidate that is better by less than the labels can tell does not replace the current one', () => {
  /** 100 rows: right on the first `right` of them, then wrong, with `swapped` rows moved to the end and back. */
  const score = (candidate: string, right: (i: number) => boolean): CandidateScore<string> => {
    const rows = Uint8Array.from({ length: 100 }, (_, i) => (right(i) ? 1 : 0));
    const accuracy = rows.reduce((a, b) => a + b, 0) / rows.length;
    return { candidate, accuracy, folds: [accuracy], right: rows };
  };
  const current = score('words', (i) => i < 80);
  // 3 points better, but right and wrong on different rows: 18 rows won, 15 lost.
  const noisy = score('chars', (i) => (i < 80 ? i >= 15 : i < 98));
  expect(noisy.accuracy).toBeCloseTo(0.83, 6);
  expect(chooseCandidate([current, noisy], 'words')).toBe('words');
  // 5 points better on 5 rows and worse on none: a difference the labels do show.
  const steady = score('chars', (i) => i < 85);
  expect(chooseCandidate([current, steady], 'words')).toBe('chars');
  // The current one is kept when it is the best; with no current candidate scored, the best is taken.
  expect(chooseCandidate([current, score('x', (i) => i < 10)], 'words')).toBe('words');
  expect(chooseCandidate([noisy, steady], 'words')).toBe('chars');
  expect(chooseCandidate([score('a', (i) => i < 50), score('b', (i) => i < 60)], 'none')).toBe('b');
});
