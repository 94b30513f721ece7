// Issue 17, item 2: while labels are few, selectForReview with the cold-start strategy picks representative items,
// one from each part of the pool before a second from any, and once a training has held-out labels to check the
// head on, it ranks as `diverse` does.
import { afterEach, expect, test } from 'vitest';
import { seededRandom } from '../scripts/seeded-random.mjs';
import { classifier, closeAll } from './helpers.js';

afterEach(closeAll);

/** Texts in `sizes.length` topics, each from its own made-up words plus a few shared ones, shuffled together. */
function clusteredPool(sizes: readonly number[], seed: number): { texts: string[]; topic: number[] } {
  const random = seededRandom(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const word = () => Array.from({ length: 4 + Math.floor(random() * 5) }, () => letters[Math.floor(random() * 26)]).join('');
  const shared = Array.from({ length: 20 }, word);
  const own = sizes.map(() => Array.from({ length: 40 }, word));
  const items = sizes.flatMap((size, t) =>
    Array.from({ length: size }, () => ({
      topic: t,
      text: Array.from({ length: 8 + Math.floor(random() * 6) }, () =>
        random() < 0.8 ? own[t]![Math.floor(random() * 40)] : shared[Math.floor(random() * 20)],
      ).join(' '),
    })),
  );
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return { texts: items.map((item) => item.text), topic: items.map((item) => item.topic) };
}

test('a fresh model picks one item from each topic before two from any, then starts with the topics nobody labelled', async () => {
  const sizes = [40, 25, 15, 10];
  const { texts, topic } = clusteredPool(sizes, 17);
  const clf = await classifier({ labels: ['w', 'x', 'y', 'z'], input: 'text' });

  const picked = await clf.selectForReview(texts, 8, { strategy: 'cold-start' });
  expect(new Set(picked).size).toBe(8);
  expect(new Set(picked.slice(0, 4).map((i) => topic[i]))).toEqual(new Set([0, 1, 2, 3]));
  // The second round follows the pool's mass: the largest topic, split into more clusters, gives the most.
  const second = picked.slice(4).map((i) => topic[i]!);
  expect(second.filter((t) => t === 0).length).toBeGreaterThanOrEqual(second.filter((t) => t === 3).length);

  // Labels in topic 0 cover the cluster they sit in: the next picks start with the topics nobody labelled (a large
  // topic's other clusters may still get a pick, after them, as they lie nearest the labels).
  const fromTopic0 = texts.filter((_, i) => topic[i] === 0).slice(0, 3);
  for (const text of fromTopic0) await clf.label(text, 'w');
  const rest = texts.filter((text) => !fromTopic0.includes(text));
  const restTopic = topic.filter((_, i) => !fromTopic0.includes(texts[i]!));
  const next = await clf.selectForReview(rest, 3, { strategy: 'cold-start' });
  expect(next).toHaveLength(3);
  expect(next.slice(0, 2).map((i) => restTopic[i])).not.toContain(0);
  expect(next.map((i) => restTopic[i]).filter((t) => t !== 0).length).toBeGreaterThanOrEqual(2);
});

test('once a training holds labels out to check the head on, cold start ranks as diverse', async () => {
  const { texts, topic } = clusteredPool([30, 30, 30, 30], 23);
  const clf = await classifier({ labels: ['w', 'x', 'y', 'z'], input: 'text' });
  const names = ['w', 'x', 'y', 'z'] as const;
  // 40 labels, 10 a topic: enough for the held-out fifth the calibration is fitted on.
  const labelled = new Set<number>();
  for (let t = 0; t < 4; t++) {
    topic
      .flatMap((tp, i) => (tp === t ? [i] : []))
      .slice(0, 10)
      .forEach((i) => labelled.add(i));
  }
  for (const i of labelled) await clf.label(texts[i]!, names[topic[i]!]!);
  const pool = texts.filter((_, i) => !labelled.has(i));
  const before = await clf.selectForReview(pool, 6, { strategy: 'cold-start' });
  await clf.train();
  expect((await clf.stats()).calibration).not.toBeNull();
  const diverse = await clf.selectForReview(pool, 6, { strategy: 'diverse' });
  expect(await clf.selectForReview(pool, 6, { strategy: 'cold-start' })).toEqual(diverse);
  // Before the training it was the typical-first choice, which is not what diverse picks from a trained head.
  expect(before).not.toEqual(diverse);
});
