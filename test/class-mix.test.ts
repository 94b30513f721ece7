import { afterEach, expect, test } from 'vitest';
import { gaussian, seededRandom } from '../scripts/seeded-random.mjs';
import { classifier, closeAll } from './helpers.js';

afterEach(closeAll);

/**
 * Ten numbers per row: the first is 1.5 higher for 'rare', the rest are noise, so no row is a near-duplicate of
 * another and the answer is the head's. One row in six is 'rare'.
 */
function rows(n: number, seed: number): { input: number[]; label: string }[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const rare = i % 6 === 0;
    return { input: Array.from({ length: 10 }, (_, j) => (j === 0 && rare ? 1.5 : 0) + gaussian(random)), label: rare ? 'rare' : 'common' };
  });
}

test('labels of a rare class: the model answers with the labels’ class mix, reports it, and is right more often than by balance', async () => {
  const clf = await classifier({ storage: 'memory', input: 'features', labels: ['common', 'rare'] });
  await clf.labelBatch(rows(300, 1));
  await clf.train();
  const { calibration } = await clf.stats();
  expect(calibration!.classPrior).toHaveLength(2);
  expect(calibration!.classPrior![0]).toBeGreaterThan(calibration!.classPrior![1]!);
  const test_ = rows(600, 2);
  const predictions = await clf.predictBatch(test_.map((r) => r.input));
  const right = predictions.filter((p, i) => p.label === test_[i]!.label).length / test_.length;
  // A head answering as if the classes were equally common puts the line halfway between them, where about a fifth
  // of 'common' rows fall on the wrong side: 0.75–0.8 right. With the mix the line moves toward 'rare': ≥ 0.83.
  expect(right).toBeGreaterThan(0.82);
});
