import { expect, test } from 'vitest';
import type { CandidateScore } from '../learning/model-selection.js';
import { HEAD_VIEWS, MAX_LETTER_SHARE, nextLetterView, type HeadView } from './feature-choice.js';

/**
 * A candidate's out-of-fold score: rows' log-likelihoods at `mean` give or take 0.05, differently for each share, so
 * two candidates' paired differences have a standard error of about 0.007.
 */
function scored(candidate: HeadView, mean: number): CandidateScore<HeadView> {
  const phase = candidate.share * 10 + (candidate.extra === 'words' ? 5 : 0);
  const logLikelihoods = Float64Array.from({ length: 100 }, (_, i) => mean + 0.05 * Math.sin(i * 1.7 + phase));
  return { candidate, accuracy: 0, folds: [], right: new Uint8Array(100), logLikelihood: mean, logLikelihoods };
}

const letters = (share: number): HeadView => ({ extra: 'letters', share });

test('the letters grid goes past its edge only where the labels clearly point there, a step in odds at a time, up to 9:1', () => {
  // Letters at ½ best, clearly ahead of ¼: try 3:1.
  const grid = (means: number[]) => HEAD_VIEWS.map((view, i) => scored(view, means[i]!));
  let scores = grid([-1.2, -1.0, -0.9, -1.1]);
  expect(nextLetterView(scores[2]!, scores)).toEqual(letters(0.75));
  scores = [...scores, scored(letters(0.75), -0.8)];
  expect(nextLetterView(scores[4]!, scores)).toEqual(letters(0.9));
  scores = [...scores, scored(letters(MAX_LETTER_SHARE), -0.7)];
  expect(nextLetterView(scores[5]!, scores)).toBeNull();

  // Ahead by less than a standard error: no further step.
  const close = grid([-1.2, -1.0, -0.999, -1.1]);
  expect(nextLetterView(close[2]!, close)).toBeNull();
  // Inside the grid, the n-grams alone, or the words: nothing more to try.
  const inside = grid([-1.2, -0.9, -1.0, -1.1]);
  expect(nextLetterView(inside[1]!, inside)).toBeNull();
  const plain = grid([-0.9, -1.0, -1.0, -1.1]);
  expect(nextLetterView(plain[0]!, plain)).toBeNull();
  const words = grid([-1.2, -1.0, -0.9, -0.8]);
  expect(nextLetterView(words[3]!, words)).toBeNull();
});
