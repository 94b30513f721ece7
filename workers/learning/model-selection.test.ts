import { expect, test } from 'vitest';
import { gaussian, seededRandom } from '../../scripts/seeded-random.mjs';
import { useBackend } from '../backend.js';
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
  // Each row's held-out log-likelihood: a right answer between two classes gave its label more than half.
  for (const score of scores) {
    expect(score.logLikelihoods).toHaveLength(60);
    score.right.forEach((r, i) => {
      expect(score.logLikelihoods[i]!).toBeLessThanOrEqual(0);
      if (r) expect(score.logLikelihoods[i]!).toBeGreaterThan(Math.log(0.5));
    });
    expect(score.logLikelihood).toBeCloseTo(score.logLikelihoods.reduce((a, b) => a + b, 0) / 60, 9);
  }
  expect(scores[1]!.logLikelihood).toBeGreaterThan(scores[0]!.logLikelihood);
  expect(chooseCandidate(scores, 'noise')).toBe('signal');
  expect(chooseCandidate(scores, null)).toBe('signal');
});

/** A score from per-row held-out log-likelihoods (100 rows); a row counts as right where its label got over half. */
function score(candidate: string, logLikelihood: (i: number) => number): CandidateScore<string> {
  const logLikelihoods = Float64Array.from({ length: 100 }, (_, i) => logLikelihood(i));
  const right = Uint8Array.from(logLikelihoods, (l) => (l > Math.log(0.5) ? 1 : 0));
  const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
  const raw = { logLikelihood: mean(logLikelihoods), logLikelihoods };
  return { candidate, accuracy: mean(right), folds: [mean(right)], right, ...raw, scaled: raw };
}

test('a candidate that is better by less than the labels can tell does not replace the current one, unless nothing was chosen yet', () => {
  const current = score('words', () => -0.5);
  // Better on average (−0.48 against −0.5) but by a lot on some rows and worse on others: within one standard error.
  const noisy = score('chars', (i) => (i % 2 === 0 ? -0.2 : -0.76));
  expect(noisy.logLikelihood).toBeCloseTo(-0.48, 9);
  expect(chooseCandidate([current, noisy], 'words')).toBe('words');
  // Nothing chosen from labels yet: no choice to protect, so the best is taken.
  expect(chooseCandidate([current, noisy], null)).toBe('chars');
  // A little better on every row: a difference the labels do show.
  const steady = score('chars', (i) => -0.49 + (i % 2) * 0.001);
  expect(chooseCandidate([current, steady], 'words')).toBe('chars');
  // The current one is kept when it is the best; a current one not among the scores gives way to the best.
  expect(chooseCandidate([current, score('x', () => -2)], 'words')).toBe('words');
  expect(chooseCandidate([noisy, steady], 'words')).toBe('chars');
});

test('candidates are ranked by held-out likelihood, not accuracy: confident mistakes cost more than narrow wins gain', () => {
  // 'bold' is right on 60 rows with little margin and confidently wrong on 40; 'careful' is right on 55 rows and
  // gives the others' labels 0.4.
  const bold = score('bold', (i) => (i < 60 ? Math.log(0.55) : Math.log(0.02)));
  const careful = score('careful', (i) => (i < 55 ? Math.log(0.7) : Math.log(0.4)));
  expect(bold.accuracy).toBeGreaterThan(careful.accuracy);
  expect(chooseCandidate([bold, careful], null)).toBe('careful');
});

test('L2 strengths judged at their own temperature: the answers are the same, the likelihood as served', async () => {
  await useBackend('cpu');
  // Wet or dry read off a long-tailed amount just above 0, as in a weather record: the weak penalty answers better
  // but more boldly, which the raw likelihood holds against it.
  const random = seededRandom(3);
  const targets = Int32Array.from({ length: 60 }, (_, i) => i % 2);
  const dense = Array.from(targets, (t) => Float32Array.of(t ? 0.02 + -Math.log(1 - random()) * 5 : 0, gaussian(random), random()));
  const mean = [0, 1, 2].map((a) => dense.reduce((s, r) => s + r[a]!, 0) / dense.length);
  const sd = [0, 1, 2].map((a) => Math.sqrt(dense.reduce((s, r) => s + (r[a]! - mean[a]!) ** 2, 0) / dense.length));
  const standardised = dense.map((r) => r.map((v, a) => (v - mean[a]!) / sd[a]!));
  const options = { candidates: [1e-2, 1e-6], rowsFor: () => standardised, l2For: (l2: number) => l2, targets, classes: 2, inputDim: 3, folds: 5 };
  const raw = await crossValidate(options);
  const scaled = await crossValidate({ ...options, temperatureScaled: true });
  scaled.forEach((s, k) => {
    expect(s.accuracy).toBe(raw[k]!.accuracy);
    expect(s.logLikelihood).toBeGreaterThan(raw[k]!.logLikelihood - 0.01);
  });
  expect(raw[1]!.accuracy).toBeGreaterThan(raw[0]!.accuracy);
  expect(chooseCandidate(scaled, null)).toBe(1e-6);
});

test('candidates that differ only in their penalty score the same trained together as trained one by one', async () => {
  const random = seededRandom(11);
  // Rows of hashed-looking sparse vectors: a class word among shared noise words. Two classes (one column a head) and
  // three (whose five folds' 15 outputs pad to 16 slots, so four candidates train together and the fifth alone).
  for (const classes of [2, 3]) {
    const targets = Int32Array.from({ length: 120 }, (_, i) => i % classes);
    const rows: SparseVector[] = Array.from(targets, (t) => {
      const columns = new Set<number>([200 + t * 7 + Math.floor(random() * 3)]);
      while (columns.size < 8) columns.add(Math.floor(random() * 180));
      const indices = Int32Array.from([...columns].sort((a, b) => a - b));
      const values = Float32Array.from(indices, () => 0.2 + random());
      const norm = Math.hypot(...values);
      return { indices, values: values.map((v) => v / norm) };
    });
    const candidates = [
      { l2: undefined, rareGrams: false },
      { l2: 1e-3, rareGrams: false },
      { l2: 1e-2, rareGrams: false },
      { l2: undefined, rareGrams: true },
      { l2: 1e-2, rareGrams: true },
    ];
    const common = {
      candidates,
      rowsFor: () => rows,
      l2For: (c: (typeof candidates)[number]) => c.l2,
      rareGramsFor: (c: (typeof candidates)[number]) => c.rareGrams,
      targets,
      classes,
      inputDim: 256,
      folds: 5,
    };
    const alone = await crossValidate(common);
    const together = await crossValidate({ ...common, rowsKey: () => 'the same rows' });
    expect(together.map((s) => s.candidate)).toEqual(candidates);
    together.forEach((score, c) => {
      // The same numbers, not only close ones: each weight's updates are the same arithmetic in either training.
      expect(Array.from(score.logLikelihoods)).toEqual(Array.from(alone[c]!.logLikelihoods));
      expect(score.folds).toEqual(alone[c]!.folds);
    });
    // The penalties did differ: the strongest one is less sure of the labels it was trained on.
    expect(new Set(together.map((s) => s.logLikelihood)).size).toBe(candidates.length);
  }
});
