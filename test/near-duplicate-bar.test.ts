import { afterEach, expect, test } from 'vitest';
import { gaussian, seededRandom } from '../scripts/seeded-random.mjs';
import { classifier, closeAll, uniqueName } from './helpers.js';

// Issue 17, item 1: the near-duplicate bar is chosen on held-out labels, as the vote's weight is.

afterEach(closeAll);

/**
 * Points of the plane labelled by the side of a line, a quarter of the labels flipped: a labelled point's close
 * neighbours carry its label, right or wrong, while the head, fitted to all of them, has the side right. Dense enough
 * that most points have a labelled neighbour above the floor of 0.8.
 */
function points(count: number, seed: number, flipped = 0.25): { input: number[]; label: string; flipped: boolean }[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const input = [gaussian(random), gaussian(random)];
    const flip = random() < flipped;
    return { input, label: input[0]! > 0 !== flip ? 'east' : 'west', flipped: flip };
  });
}

test('where near neighbours disagree with the labels more than the head does, a higher bar is chosen and kept', async () => {
  const name = uniqueName('near-duplicate-bar');
  const clf = await classifier({ name, input: 'features', labels: ['east', 'west'], autoTrain: false });
  const labelled = points(300, 5);
  const { exampleIds } = await clf.labelBatch(labelled.map(({ input, label }) => ({ input, label })));
  await clf.train();
  const bar = (await clf.stats()).calibration!.nearDuplicate;
  expect(bar).toBeGreaterThan(0.8);

  // A label the head learnt, far from the line: a copy of it is a near-duplicate, a point beside it no longer is (it
  // would be at the floor).
  const kept = labelled.find((p) => !p.flipped && Math.abs(p.input[0]!) > 1.5)!;
  expect((await clf.explain(kept.input)).nearDuplicate).toBe(true);
  const explained = await clf.explain([kept.input[0]! + 0.05, kept.input[1]!]);
  expect(explained.nearDuplicate).toBe(false);

  // A flipped label far from the line. The check on the human labels that follows the training doubts it and holds it
  // out of the memory's answers until a person looks again (label-check.ts), so even a copy of it answers the side.
  // (Asserting that a copy follows it raced that check: it passed only while the check had not ended.)
  const wrong = labelled.find((p) => p.flipped && Math.abs(p.input[0]!) > 1.5)!;
  const side = wrong.input[0]! > 0 ? 'east' : 'west';
  const doubted = await clf.suspiciousLabels();
  expect(doubted.map((s) => s.id)).toContain(exampleIds[labelled.indexOf(wrong)]);
  expect((await clf.predict(wrong.input)).label).toBe(side);

  // A label given since the training is one the head has not learnt: inputs beside it follow it from the floor, at once.
  const corrected = [wrong.input[0]! > 0 ? 2.2 : -2.2, 0.4];
  const otherSide = side === 'east' ? 'west' : 'east';
  await clf.label(corrected, otherSide);
  expect((await clf.predict([corrected[0]! + 0.05, corrected[1]!])).label).toBe(otherSide);
  expect((await clf.explain([corrected[0]! + 0.05, corrected[1]!])).nearDuplicate).toBe(true);

  // Held-out points: the served answers are right more often than the flipped labels allow the floor's.
  const test = points(400, 11, 0);
  const right = (await clf.predictBatch(test.map((p) => p.input))).filter((p, i) => p.label === test[i]!.label).length / test.length;
  expect(right).toBeGreaterThan(0.9);

  // Reopened: the same bar.
  await clf.close();
  const again = await classifier({ name, input: 'features', labels: ['east', 'west'], autoTrain: false });
  expect((await again.stats()).calibration!.nearDuplicate).toBe(bar);
});

test('where near neighbours know what the head cannot, the floor stays', async () => {
  // Labelled by quadrant pairs (XOR), which no linear head can learn: the neighbours carry the answers.
  const random = seededRandom(7);
  const quadrants = Array.from({ length: 300 }, () => {
    const input = [gaussian(random), gaussian(random)];
    return { input, label: input[0]! * input[1]! > 0 ? 'east' : 'west' };
  });
  const clf = await classifier({ input: 'features', labels: ['east', 'west'], autoTrain: false, storage: 'memory' });
  await clf.labelBatch(quadrants);
  await clf.train();
  expect((await clf.stats()).calibration!.nearDuplicate).toBeUndefined();
});

test('past 1,000 labels, answers that follow near-duplicates are still calibrated on held-out labels', async () => {
  // The same quadrants, more of them: serving has no vote past 1,000 labels, but near-duplicates still follow their
  // labels, and the held-out labels a sample of them is looked up for still say how sure such answers should be.
  const random = seededRandom(9);
  const quadrant = () => {
    const input = [gaussian(random), gaussian(random)];
    return { input, label: input[0]! * input[1]! > 0 ? 'east' : 'west' };
  };
  const clf = await classifier({ input: 'features', labels: ['east', 'west'], autoTrain: false, storage: 'memory' });
  await clf.labelBatch(Array.from({ length: 1200 }, quadrant));
  await clf.train();
  const calibration = (await clf.stats()).calibration!;
  expect(calibration.voteWeight).toBe(0);
  expect(calibration.followTemperature).toBeLessThan(1);
  const test = Array.from({ length: 600 }, quadrant);
  const answers = await clf.predictBatch(test.map((p) => p.input));
  const right = answers.filter((p, i) => p.label === test[i]!.label).length / test.length;
  const sure = answers.reduce((sum, p) => sum + p.confidence, 0) / test.length;
  // The neighbours know the quadrants, so the answers are mostly right; following alone, with the memory's fixed
  // sharpness, said much less than that.
  expect(right).toBeGreaterThan(0.9);
  expect(Math.abs(sure - right)).toBeLessThan(0.03);
});
