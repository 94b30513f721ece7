import { afterEach, expect, test } from 'vitest';
import { gaussian, seededRandom } from '../scripts/seeded-random.mjs';
import { classifier, closeAll, uniqueName } from './helpers.js';

// Issue 17, item 1: a numeric model chooses its head's L2 strength by cross-validation on its own labels.

afterEach(closeAll);

/**
 * Days as a weather record has them: no rain on half of them, and on the others an amount from a long-tailed
 * distribution, often a trace. Wet or dry is read off the amount just above 0, which a linear head on standardised
 * columns separates only with a large weight: a strong penalty (or too few steps) leaves the traces on the dry side.
 * The other two columns are noise.
 */
function days(count: number, seed: number): { input: number[]; label: string }[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const wet = random() < 0.5;
    const rain = wet ? 0.02 + -Math.log(1 - random()) * 5 : 0;
    return { input: [rain, 12 + 6 * gaussian(random), 3 + 2 * random()], label: wet ? 'wet' : 'dry' };
  });
}

test('where large weights are needed, a numeric model chooses a weak penalty, reports every candidate and keeps the choice', async () => {
  const name = uniqueName('penalty-choice');
  const clf = await classifier({ name, input: 'features', labels: ['dry', 'wet'], autoTrain: false });
  await clf.labelBatch(days(160, 3));
  await clf.train();
  const choice = (await clf.stats()).featureChoice!;
  expect(choice).not.toBeNull();
  expect(choice.examples).toBe(160);
  expect(choice.candidates.map((c) => c.l2)).toEqual([1e-2, 1e-3, 1e-4, 1e-5, 1e-6]);
  expect(choice.candidates.every((c) => c.shortGramShare === 0 && c.accuracy >= 0 && c.accuracy <= 1)).toBe(true);
  expect(choice.l2).toBeLessThan(1e-4);
  const accuracy = (l2: number) => choice.candidates.find((c) => c.l2 === l2)!.accuracy;
  expect(accuracy(choice.l2!)).toBeGreaterThan(accuracy(1e-2));

  // The head trained with it tells traces of rain from dry days it never saw.
  const test = days(400, 11);
  const right = async () => (await clf.predictBatch(test.map((d) => d.input))).filter((p, i) => p.label === test[i]!.label).length / test.length;
  expect(await right()).toBeGreaterThan(0.97);

  // Reopened: the same choice, the same answers.
  const before = (await clf.predictBatch(test.map((d) => d.input))).map((p) => p.confidence);
  await clf.close();
  const again = await classifier({ name, input: 'features', labels: ['dry', 'wet'], autoTrain: false });
  expect((await again.stats()).featureChoice).toEqual(choice);
  const reopened = (await again.predictBatch(test.map((d) => d.input))).map((p) => p.confidence);
  reopened.forEach((c, i) => expect(c).toBeCloseTo(before[i]!, 5));
});

test('below 40 labels a numeric model chooses nothing and trains with the default penalty', async () => {
  const clf = await classifier({ input: 'features', labels: ['dry', 'wet'], autoTrain: false, storage: 'memory' });
  await clf.labelBatch(days(30, 5));
  await clf.train();
  expect((await clf.stats()).featureChoice).toBeNull();
});
