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

test('a candidate that is better by less than the folds can tell does not replace the current one', () => {
  const score = (candidate: string, folds: number[]): CandidateScore<string> => ({
    candidate,
    folds,
    accuracy: folds.reduce((a, b) => a + b, 0) / folds.length,
  });
  const current = score('words', [0.8, 0.7, 0.9, 0.75, 0.85]);
  const noisy = score('chars', [0.9, 0.6, 0.95, 0.7, 0.9]);
  expect(chooseCandidate([current, noisy], 'words')).toBe('words');
  const steady = score('chars', [0.85, 0.76, 0.94, 0.8, 0.9]);
  expect(chooseCandidate([current, steady], 'words')).toBe('chars');
  // The current one is kept when it is the best; with no current candidate scored, the best is taken.
  expect(chooseCandidate([current, score('x', [0.1, 0.1, 0.1, 0.1, 0.1])], 'words')).toBe('words');
  expect(chooseCandidate([noisy, score('other', [0.9, 0.8, 0.95, 0.85, 0.9])], 'words')).toBe('other');
});
