import { afterEach, expect, test, vi } from 'vitest';
import { classifier, closeAll, uniqueName } from './helpers.js';

// Issue 17, item 1: a text model chooses its head's features by cross-validation on its own labels.

afterEach(closeAll);

/** A seeded generator of numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Made-up words (seeded): no n-gram of three or more letters repeats often enough to learn from. */
function words(count: number, seed: number, length = 6): string[] {
  const next = random(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: count }, () => Array.from({ length }, () => letters[Math.floor(next() * letters.length)]).join(''));
}

/** Where the class is in single letters, wherever they are in the word (as a code's check letters might be). */
const labelOf = (word: string) => (/[qxz]/.test(word) ? 'marked' : 'plain');

test('where letters decide, the model chooses short character grams, retrains for them and keeps the choice', async () => {
  const name = uniqueName('feature-choice');
  const clf = await classifier({ name, labels: ['marked', 'plain'], autoTrain: false });
  const train = words(120, 7);
  await clf.labelBatch(train.map((word) => ({ input: word, label: labelOf(word) })));
  // The first training with 40 labels or more chooses the features first, then trains the head that reads them.
  const trained = await clf.train();
  expect(trained.start).toBe('zeros');
  const choice = (await clf.stats()).featureChoice!;
  expect(choice).not.toBeNull();
  expect(choice.examples).toBe(120);
  expect(choice.candidates.slice(0, 5).map((c) => `${c.extra} ${c.shortGramShare} ${c.l2}`)).toEqual([
    'letters 0 null',
    'letters 0.25 null',
    'letters 0.5 null',
    'words 0.5 null',
    'counts 0.5 null',
  ]);
  // Then stronger penalties and the rare-gram prior at each strength on the view chosen; the choice is one of them or
  // the default.
  expect(choice.candidates.slice(5).map((c) => `${c.extra} ${c.shortGramShare} ${c.l2} ${c.rareGrams}`)).toEqual([
    ...[1e-3, 1e-2].map((l2) => `${choice.extra} ${choice.shortGramShare} ${l2} false`),
    ...[null, 1e-3, 1e-2].map((l2) => `${choice.extra} ${choice.shortGramShare} ${l2} true`),
  ]);
  expect([null, 1e-3, 1e-2]).toContain(choice.l2);
  // The letters as they are or counted: either carries which letters a word has.
  expect(['letters', 'counts']).toContain(choice.extra);
  expect(choice.shortGramShare).toBeGreaterThan(0);
  const accuracy = (extra: string, share: number) =>
    choice.candidates.find((c) => (share === 0 || c.extra === extra) && c.shortGramShare === share)!.accuracy;
  expect(accuracy(choice.extra, choice.shortGramShare)).toBeGreaterThan(accuracy('letters', 0));

  // The new head reads the chosen features: it generalises to words it never saw (the n-grams alone stay near
  // chance here: 45 % out of fold when this was written, against 80 % with half the features from short grams).
  const test = words(200, 99);
  const right = async () => (await clf.predictBatch(test)).filter((p, i) => p.label === labelOf(test[i]!)).length / test.length;
  const after = await right();
  expect(after).toBeGreaterThan(0.7);

  // An explanation adds up over the head's row, short grams included.
  const explanation = await clf.explain(test[0]!);
  expect(explanation.method).toBe('linear');
  const sum = explanation.spans!.reduce((a, s) => a + s.contribution, 0);
  expect(sum).toBeCloseTo(explanation.score - explanation.baseline!, 4);

  // Not chosen again until the labels double: a retrain on a few more labels starts warm (or from zeros below
  // the warm-start minimum) but keeps the features.
  await clf.labelBatch(words(10, 3).map((word) => ({ input: word, label: labelOf(word) })));
  await clf.train();
  expect((await clf.stats()).featureChoice).toEqual(choice);

  // Reopened: the same choice, the same answers.
  const before = (await clf.predictBatch(test)).map((p) => p.confidence);
  await clf.close();
  const again = await classifier({ name, labels: ['marked', 'plain'], autoTrain: false });
  expect((await again.stats()).featureChoice).toEqual(choice);
  const reopened = (await again.predictBatch(test)).map((p) => p.confidence);
  reopened.forEach((c, i) => expect(c).toBeCloseTo(before[i]!, 5));
});

test('a first choice on many labels is made before the training, on the newest; later ones in the background', async () => {
  const clf = await classifier({ labels: ['marked', 'plain'], autoTrain: false, storage: 'memory' });
  const test = words(200, 5);
  const right = async () => (await clf.predictBatch(test)).filter((p, i) => p.label === labelOf(test[i]!)).length / test.length;
  // More labels than a training chooses on at once, and no choice yet (as after an import): the training chooses
  // first on the newest 300, and its head reads the choice. (Left to the background, trainings that came as often as
  // a choice took stopped it every time, and the model kept the plain n-grams.)
  await clf.labelBatch(words(320, 11).map((word) => ({ input: word, label: labelOf(word) })));
  await clf.train();
  const first = (await clf.stats()).featureChoice!;
  expect(first).toMatchObject({ examples: 300 });
  expect(first.shortGramShare).toBeGreaterThan(0);
  expect(await right()).toBeGreaterThan(0.7);

  // Twice those labels: past 300, the choice is made in the background after a training, and the next training
  // applies it (from zeros when the features changed, warm otherwise).
  await clf.labelBatch(words(300, 13).map((word) => ({ input: word, label: labelOf(word) })));
  await clf.train();
  // suspiciousLabels() answers once the background work after the trainings (the label check, then this) has ended.
  await clf.suspiciousLabels();
  const choice = (await clf.stats()).featureChoice!;
  expect(choice).toMatchObject({ examples: 620 });
  expect(choice.shortGramShare).toBeGreaterThan(0);
  await clf.train();
  expect(await right()).toBeGreaterThan(0.7);
});

test('a background choice gives way to a newer training once, not every time', async () => {
  const clf = await classifier({ labels: ['marked', 'plain'], autoTrain: false, storage: 'memory' });
  await clf.labelBatch(words(320, 11).map((word) => ({ input: word, label: labelOf(word) })));
  await clf.train();
  expect((await clf.stats()).featureChoice).toMatchObject({ examples: 300 });
  await clf.labelBatch(words(300, 13).map((word) => ({ input: word, label: labelOf(word) })));
  // Trainings asked for faster than a choice takes, as background training asks for them while a person labels:
  // the choice after the first gives way to the second, the one after the second runs to its end, and the third
  // training waits for it and applies it. (Giving way every time, the model kept its choice on 300 labels here.)
  const runs = [clf.train(), clf.train(), clf.train()];
  await Promise.all(runs);
  expect((await clf.stats()).featureChoice).toMatchObject({ examples: 620 });
});

/**
 * Where words decide and their letters mislead: each of six topics has a word for either class, the two made of the
 * same halves swapped (`abcdef` against `defabc`), and every request also names the other class's word in another
 * form (with an -s), among fresh filler words. Character grams see the same letters in both classes; only which
 * whole word occurs tells them apart. Test requests reuse the class words in new phrasings (other fillers, order).
 */
function requests(count: number, seed: number): { text: string; label: 'ask' | 'tell'; words: string[] }[] {
  const halves = words(12, 41, 3);
  const ask = [0, 1, 2, 3, 4, 5].map((i) => halves[2 * i]! + halves[2 * i + 1]!);
  const tell = [0, 1, 2, 3, 4, 5].map((i) => halves[2 * i + 1]! + halves[2 * i]!);
  const next = random(seed);
  const fillers = words(3 * count, seed + 1);
  return Array.from({ length: count }, (_, n) => {
    const label = n % 2 === 0 ? 'ask' : 'tell';
    const topic = Math.floor(next() * 6);
    const [own, other] = label === 'ask' ? [ask, tell] : [tell, ask];
    const parts = fillers.slice(3 * n, 3 * n + 3);
    parts.splice(Math.floor(next() * 4), 0, own[topic]!);
    parts.splice(Math.floor(next() * 5), 0, `${other[topic]!}s`);
    return { text: parts.join(' '), label, words: [own[topic]!, `${other[topic]!}s`] };
  });
}

test('where words decide and their letters mislead, the model chooses the words view, and explains by words', async () => {
  const clf = await classifier({ labels: ['ask', 'tell'], autoTrain: false, storage: 'memory' });
  await clf.labelBatch(requests(60, 3).map(({ text, label }) => ({ input: text, label })));
  await clf.train();
  const choice = (await clf.stats()).featureChoice!;
  // Out of fold when this was written (Node, same folds and head): n-grams alone 93 %, words 100 %, letters worse.
  expect(choice).toMatchObject({ extra: 'words', shortGramShare: 0.5, examples: 60 });
  const test = requests(100, 17);
  const answers = await clf.predictBatch(test.map((r) => r.text));
  expect(answers.filter((p, i) => p.label === test[i]!.label).length).toBeGreaterThan(85);

  // The words' weight goes back to the words: a word only this class has (its own, or the other's -s form) carries the
  // answer, and the spans add up to the score.
  const { text, label, words: telling } = test[0]!;
  const explanation = await clf.explain(text, { label });
  expect(explanation.method).toBe('linear');
  const spans = explanation.spans!;
  expect(spans.reduce((a, s) => a + s.contribution, 0)).toBeCloseTo(explanation.score - explanation.baseline!, 4);
  const top = spans.reduce((a, b) => (b.contribution > a.contribution ? b : a));
  expect(telling).toContain(top.text);
});

/**
 * Made-up words of one to four syllables, each a consonant cluster and a vowel group, the clusters of one to three
 * letters: a word's class is how many vowel groups it has, which its length only hints at.
 */
function syllables(count: number, seed: number): { input: string; label: string }[] {
  const next = random(seed);
  const pick = (from: string, most: number) =>
    Array.from({ length: 1 + Math.floor(next() * most) }, () => from[Math.floor(next() * from.length)]).join('');
  return Array.from({ length: count }, () => {
    const groups = 1 + Math.floor(next() * 4);
    const word =
      Array.from({ length: groups }, () => pick('bcdfghjklmnprstvwz', 3) + pick('aeiou', 2)).join('') +
      (next() < 0.5 ? pick('bcdfghjklmnprstvwz', 2) : '');
    return { input: word, label: String(groups) };
  });
}

test('where the class is how many of something a word has, the model chooses the letters counted', async () => {
  const clf = await classifier({ labels: ['1', '2', '3', '4'], autoTrain: false, storage: 'memory' });
  await clf.labelBatch(syllables(200, 21));
  await clf.train();
  const choice = (await clf.stats()).featureChoice!;
  expect(choice).toMatchObject({ extra: 'counts', shortGramShare: 0.5 });
  const accuracy = (extra: string, share: number) => choice.candidates.find((c) => c.extra === extra && c.shortGramShare === share)!.accuracy;
  // Unit length divides a word's vowel pairs by its length; counted, they add up to the syllables.
  expect(accuracy('counts', 0.5)).toBeGreaterThan(accuracy('letters', 0.5) + 0.1);
  // A stronger penalty than the default predicts these held-out words better (out of fold 0.60 at 1e-3 against 0.52
  // at the default when this was written), and is chosen.
  expect(choice.l2).not.toBeNull();
  const counted = choice.candidates.filter((c) => c.extra === 'counts');
  expect(counted.find((c) => c.l2 === choice.l2)!.accuracy).toBeGreaterThan(counted.find((c) => c.l2 === null)!.accuracy);
  const test = syllables(300, 77);
  const right = (await clf.predictBatch(test.map((t) => t.input))).filter((p, i) => p.label === test[i]!.label).length / test.length;
  // 0.70 when this was written (0.61 with the default penalty); the letters view's out-of-fold accuracy was 0.36,
  // the n-grams alone 0.24.
  expect(right).toBeGreaterThan(0.6);

  // An explanation still adds up over the head's row, the counts included.
  const explanation = await clf.explain(test[0]!.input);
  const sum = explanation.spans!.reduce((a, s) => a + s.contribution, 0);
  expect(sum).toBeCloseTo(explanation.score - explanation.baseline!, 4);

  // Exported and imported, the head reads the counts over the same scale: the same answers.
  const before = (await clf.predictBatch(test.map((t) => t.input))).map((p) => p.confidence);
  const copy = await classifier({ labels: ['1', '2', '3', '4'], autoTrain: false, storage: 'memory' });
  await copy.import(await clf.export());
  const after = (await copy.predictBatch(test.map((t) => t.input))).map((p) => p.confidence);
  after.forEach((c, i) => expect(c).toBeCloseTo(before[i]!, 5));
});

test('with background training on, a background choice that changes the view is applied without waiting for a label', async () => {
  const clf = await classifier({ labels: ['ask', 'tell'], autoTrain: 100, storage: 'memory' });
  // Words decide in the first labels: the first choice (on the newest 300, before the training) takes the words view.
  await clf.labelBatch(requests(320, 5).map(({ text, label }) => ({ input: text, label })));
  await clf.train();
  expect((await clf.stats()).featureChoice).toMatchObject({ extra: 'words', examples: 300 });
  // Then as many where letters decide. Past 300 labels the choice is made in the background after a training, and
  // the head that training installed still reads the words view. No label follows: the choice alone asks for the
  // background training that applies it (before, the served head kept the old view until the next label).
  await clf.labelBatch(words(320, 11).map((word) => ({ input: word, label: labelOf(word) === 'marked' ? 'ask' : 'tell' })));
  await clf.train();
  await vi.waitFor(
    async () => {
      const choice = (await clf.stats()).featureChoice!;
      expect(choice.examples).toBe(640);
      const serving = (await clf.versions()).find((v) => v.serving)!;
      expect(serving.metrics).toMatchObject({ examples: 640, featureChoice: { extra: choice.extra, shortGramShare: choice.shortGramShare } });
    },
    { timeout: 90_000, interval: 500 },
  );
  // The letters half needs the letters: the choice on all of them left the words view.
  expect((await clf.stats()).featureChoice!.extra).not.toBe('words');
});

test('a first choice over the work bound is made in the background after the training, on all the labels', async () => {
  // 13 classes of passages of 60 made-up words, each class naming its own topic word: 104 labels are a third of the
  // label bound but over the work bound (feature-choice-inline.test.ts). Chosen before the training, as a first
  // choice was whatever its work, the State of the Union by decade waited 22-36 s for such choices.
  const next = random(9);
  const vocabulary = words(3000, 23, 7);
  const topics = words(13, 31, 8);
  const passage = (c: number) => {
    const filler = Array.from({ length: 60 }, () => vocabulary[Math.floor(next() * vocabulary.length)]!);
    filler.splice(Math.floor(next() * 60), 0, topics[c]!);
    return filler.join(' ');
  };
  const labels = topics.map((_, c) => `c${c}`);
  const clf = await classifier({ labels, autoTrain: 100, storage: 'memory' });
  await clf.labelBatch(Array.from({ length: 104 }, (_, i) => ({ input: passage(i % 13), label: `c${i % 13}` })));
  await clf.train();
  // The head that training installed was trained before any choice.
  const [first] = await clf.versions();
  expect(first!.metrics.featureChoice).toMatchObject({ shortGramShare: 0, accuracy: null });
  // The background chooses on all of them, not on a cut, and the served head reads the choice (here the n-grams alone
  // again, so the head it has; the test above has a choice that changes the view applied this way).
  await vi.waitFor(
    async () => {
      const choice = (await clf.stats()).featureChoice!;
      expect(choice.examples).toBe(104);
      const read = (await clf.versions()).find((v) => v.serving)!.metrics.featureChoice!;
      expect(read.shortGramShare).toBe(choice.shortGramShare);
      if (choice.shortGramShare > 0) expect(read.extra).toBe(choice.extra);
    },
    { timeout: 120_000, interval: 500 },
  );
}, 180_000);
