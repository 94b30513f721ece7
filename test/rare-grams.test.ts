import { afterEach, expect, test } from 'vitest';
import { classifier, closeAll, uniqueName } from './helpers.js';

// Issue 17, item 1: a text model chooses, from its own labels, whether rare n-grams may weigh more than common ones.

afterEach(closeAll);

/**
 * Words as a language-identification task has them: mostly common letters every class uses, and in each word one
 * letter pair that only its class has, drawn from a dozen per class, so each pair is in few words. The class is in
 * those rare pairs; the common letters, in every word, tell nothing.
 */
function words(count: number, seed: number): { input: string; label: string }[] {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const pick = (from: string) => from[Math.floor(next() * from.length)]!;
  const common = 'eeeeeeaaaaaassssttttrrnnoii';
  const rare = 'bcdfgjkmpqvwxyz';
  const markers: string[][] = [];
  const taken = new Set<string>();
  for (let c = 0; c < 3; c++) {
    markers.push([]);
    while (markers[c]!.length < 12) {
      const pair = pick(rare) + pick(rare);
      if (taken.has(pair)) continue;
      markers[c]!.push(pair);
      taken.add(pair);
    }
  }
  const filler = () => Array.from({ length: 2 + Math.floor(next() * 4) }, () => pick(common)).join('');
  return Array.from({ length: count }, () => {
    const c = Math.floor(next() * 3);
    return { input: filler() + markers[c]![Math.floor(next() * 12)]! + filler(), label: 'abc'[c]! };
  });
}

test('where rare letter pairs decide, the model chooses the rare-gram prior, keeps it warm and across a reload', async () => {
  const name = uniqueName('rare-grams');
  const labels = ['a', 'b', 'c'];
  // One seed of the generator for the markers, another for the words: the same dozen pairs per class in both sets.
  const all = words(2_600, 5);
  const train = all.slice(0, 200);
  const heldOut = all.slice(2_300);
  const clf = await classifier({ name, labels, autoTrain: false });
  await clf.labelBatch(train);
  await clf.train();
  const choice = (await clf.stats()).featureChoice!;
  // The prior is tried at each strength, beside the plain ones, on the view chosen, and wins here out of fold.
  const tried = choice.candidates.filter((c) => c.extra === choice.extra && c.shortGramShare === choice.shortGramShare);
  expect(tried.map((c) => `${c.rareGrams ? 'rare ' : ''}${c.l2}`)).toEqual(['null', '0.001', '0.01', 'rare null', 'rare 0.001', 'rare 0.01']);
  expect(choice.rareGrams).toBe(true);
  const rare = tried.find((c) => c.rareGrams && c.l2 === choice.l2)!;
  const plain = tried.find((c) => !c.rareGrams && c.l2 === null)!;
  expect(rare.accuracy).toBeGreaterThan(plain.accuracy);
  const accuracy = async (model: typeof clf) =>
    (await model.predictBatch(heldOut.map((w) => w.input))).filter((p, i) => p.label === heldOut[i]!.label).length / heldOut.length;
  const before = await accuracy(clf);
  // 0.85 on these words when this was written, 0.83 with the plain penalty (Node, the same head and labels).
  expect(before).toBeGreaterThan(0.75);

  // Past 2,000 labels a retrain may start from the served head: only when that head trained on the same objective.
  await clf.labelBatch(all.slice(200, 2_100));
  expect((await clf.train()).start).toBe('zeros');
  // The labels have doubled, so the choice is made again, in the background, after that training (asked about
  // seldom: background work gives way to every request).
  await expect.poll(async () => (await clf.stats()).featureChoice!.examples, { timeout: 120_000, interval: 2_000 }).toBe(2_100);
  expect((await clf.stats()).featureChoice!.rareGrams).toBe(true);
  await clf.labelBatch(all.slice(2_100, 2_200));
  const warm = await clf.train();
  expect(warm.start).toBe('warm');
  expect(await accuracy(clf)).toBeGreaterThan(0.75);

  // Another page on the same model reads the choice back and trains from zeros with it.
  const again = await classifier({ name, labels, autoTrain: false });
  expect((await again.stats()).featureChoice!.rareGrams).toBe(true);
  const fresh = await again.train({ fromZeros: true });
  expect(fresh.start).toBe('zeros');
  expect(await accuracy(again)).toBeGreaterThan(0.75);
}, 300_000);
