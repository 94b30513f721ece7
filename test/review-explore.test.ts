// A review batch of 10 or more ends with random picks (one in ten by default), and labels of the ranked picks are
// stored as picked, so that calibration holds out the labels nobody picked: labels chosen for their uncertainty are
// harder than the inputs the model answers, and would make it under-confident there (docs/learning.md, Calibration).
import { afterEach, expect, test } from 'vitest';
import { seededRandom } from '../scripts/seeded-random.mjs';
import { classifier, closeAll, readDatabase, uniqueName } from './helpers.js';

afterEach(closeAll);

const LABELS = ['w', 'x', 'y'];

/** Texts of three topics, each mostly from its own made-up words, with a share of shared words that blurs them. */
function topicTexts(n: number, seed: number): { input: string; label: string }[] {
  const random = seededRandom(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const word = () => Array.from({ length: 4 + Math.floor(random() * 4) }, () => letters[Math.floor(random() * 26)]).join('');
  const shared = Array.from({ length: 30 }, word);
  const own = LABELS.map(() => Array.from({ length: 30 }, word));
  return Array.from({ length: n }, (_, i) => {
    const t = i % LABELS.length;
    const blur = random() * 0.8;
    const words = Array.from({ length: 6 + Math.floor(random() * 5) }, () =>
      random() < blur ? shared[Math.floor(random() * 30)] : own[t]![Math.floor(random() * 30)],
    );
    return { input: words.join(' '), label: LABELS[t]! };
  });
}

test('a batch of 10 ends with one random pick; explore sets the share; bad values are refused', async () => {
  const clf = await classifier({ labels: LABELS, storage: 'memory' });
  const items = topicTexts(200, 3);
  await clf.labelBatch(items.slice(0, 30));
  await clf.train();
  const pool = items.slice(30).map((item) => item.input);

  const ranked = await clf.selectForReview(pool, 10, { explore: 0 });
  const batch = await clf.selectForReview(pool, 10);
  expect(batch).toHaveLength(10);
  expect(new Set(batch).size).toBe(10);
  // The ranked part is the same ranking, one shorter; the last is drawn from the rest of the pool.
  expect(batch.slice(0, 9)).toEqual(ranked.slice(0, 9));
  expect(batch.slice(0, 9)).not.toContain(batch[9]);
  expect(await clf.selectForReview(pool, 9)).toEqual(ranked.slice(0, 9));
  const half = await clf.selectForReview(pool, 20, { explore: 0.5 });
  expect(half.slice(0, 10)).toEqual(ranked);
  expect(new Set(half).size).toBe(20);
  expect(new Set(await clf.selectForReview(pool, 20, { explore: 1 })).size).toBe(20);
  // Random picks skip inputs already labelled: in a pool of 30 labelled and 10 new texts, a random batch of 10 is the new ones.
  const mixed = [...items.slice(0, 30), ...items.slice(30, 40)].map((item) => item.input);
  expect((await clf.selectForReview(mixed, 10, { explore: 1 })).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 30 + i));

  for (const explore of [-0.1, 1.5, Number.NaN, '0.1'] as unknown[]) {
    await expect(clf.selectForReview(pool, 10, { explore: explore as number })).rejects.toThrow(/explore must be a share of the batch from 0 to 1/);
  }
});

test('labels of ranked picks are stored as picked, survive a reload, and calibration holds out only the others', async () => {
  const name = uniqueName('explore');
  const items = topicTexts(240, 5);
  const clf = await classifier({ name, labels: LABELS });
  // 40 labels in the order inputs came: none picked.
  await clf.labelBatch(items.slice(0, 40));
  await clf.train();
  expect((await clf.stats()).calibration?.heldOutUnpicked).toBe(false);

  const pool = items.slice(40);
  const batch = await clf.selectForReview(
    pool.map((item) => item.input),
    30,
  );
  for (const i of batch) await clf.label(pool[i]!.input, pool[i]!.label);
  await clf.train();
  const calibration = (await clf.stats()).calibration!;
  // 40 + the batch's 3 random picks are held out, five folds below 150 labels; the 27 ranked picks never are.
  expect(calibration.heldOutUnpicked).toBe(true);
  expect(calibration.heldOut).toBe(43);

  const stored = await readDatabase(name);
  const picked = new Set(batch.slice(0, 27).map((i) => pool[i]!.input));
  const flagged = stored.examples.filter((e) => e.picked === true);
  expect(flagged).toHaveLength(27);
  expect(flagged.every((e) => picked.has(e['input'] as string))).toBe(true);

  await clf.close();
  const reopened = await classifier({ name, labels: LABELS });
  // A relabel keeps how the input came to a person.
  const first = pool[batch[0]!]!;
  await reopened.label(
    first.input,
    LABELS.find((label) => label !== first.label)!,
  );
  await reopened.train({ fromZeros: true });
  expect((await reopened.stats()).calibration).toMatchObject({ heldOutUnpicked: true, heldOut: 43 });

  // An export carries it, so a copy calibrates on the same labels; a bad value is refused, naming what was expected.
  const copyName = uniqueName('explore-copy');
  const copy = await classifier({ name: copyName, labels: LABELS });
  const file = await reopened.export();
  await copy.import(file);
  expect((await readDatabase(copyName)).examples.filter((e) => e['picked'] === true)).toHaveLength(27);
  const bad = (await file.text()).replace('"picked":true', '"picked":"yes"');
  const target = await classifier({ labels: LABELS, storage: 'memory' });
  await expect(target.import(new Blob([bad]))).rejects.toThrow(/picked must be true when given, got "yes"/);
  expect((await target.stats()).examples).toBe(0);
});

test('a label given from the review queue is stored as picked; one given inline is not', async () => {
  const name = uniqueName('explore-queue');
  const items = topicTexts(60, 9);
  const clf = await classifier({ name, labels: LABELS, threshold: 1 });
  await clf.labelBatch(items.slice(0, 12));
  await clf.train();
  expect(await clf.enqueue(items.slice(12, 20).map((item) => item.input))).toBe(8);
  const [first] = await clf.queue({ limit: 1 });
  const queued = items.find((item) => item.input === first!.input)!;
  await clf.labelQueued(first!.id, queued.label);
  const inline = items[30]!;
  await clf.label(inline.input, inline.label);

  const stored = await readDatabase(name);
  const byInput = new Map(stored.examples.map((e) => [e['input'] as string, e]));
  expect(byInput.get(queued.input)?.['picked']).toBe(true);
  expect(byInput.get(inline.input)?.['picked']).toBeUndefined();
  expect(stored.examples.filter((e) => e['picked'] === true)).toHaveLength(1);
});
