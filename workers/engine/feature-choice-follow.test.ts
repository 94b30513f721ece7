import { expect, test } from 'vitest';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { headRow, type SparseVector } from '../featurizers/vector.js';
import { headView } from '../featurizers/head-views.js';
import { featurizeText } from '../featurizers/text.js';
import { TextNgrams } from '../featurizers/text-ngrams.js';
import { FeatureChoice } from './feature-choice.js';
import type { ModelSession } from './model-session.js';

const WORDS = 'invoice refund charged twice billing payment card error crash export page login password reset account mobile'.split(' ');

/** A long text (~6,000 characters): its views cost milliseconds each, as a whole e-mail's do. */
function longText(random: () => number): string {
  return Array.from({ length: 800 }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ');
}

/**
 * What follow reads of a session: the labelled examples with their texts, the n-gram featurizer and the generation.
 * `onRead` runs at each read of the stored texts, as labels that arrive while the views are made would.
 */
function fakeSession(count: number, onRead: (session: FakeSession) => void = () => {}) {
  const random = seededRandom(3);
  const session = {
    featurizer: new TextNgrams(),
    handles: { keepInputs: true },
    generation: 0,
    texts: new Map<string, string>(),
    rows: [] as { id: string; vector: SparseVector }[],
    add(id: string) {
      const text = longText(random);
      session.texts.set(id, text);
      session.rows.push({ id, vector: featurizeText(text) });
    },
    examples: {
      snapshot: () => ({ ids: session.rows.map((r) => r.id), vectors: session.rows.map((r) => r.vector) }),
    },
    store: {
      getInputs: async (ids: readonly string[]) => {
        onRead(session);
        return ids.map((id) => session.texts.get(id));
      },
    },
  };
  for (let i = 0; i < count; i++) session.add(`e${i}`);
  return session;
}
type FakeSession = ReturnType<typeof fakeSession>;

test("following a choice gives every example its view, yields to the worker's other tasks meanwhile, and catches up with labels that arrive", async () => {
  let reads = 0;
  const session = fakeSession(200, (s) => {
    // Two labels arrive while the first round of views is being made.
    if (reads++ === 0) {
      s.add('late-1');
      s.add('late-2');
    }
  });
  const choice = new FeatureChoice(session as unknown as ModelSession);
  // A task queued behind the follow: it runs before the follow ends only if the follow gives way.
  let ranDuring = 0;
  let ended = false;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    if (ended) return;
    ranDuring += 1;
    channel.port2.postMessage(null);
  };
  channel.port2.postMessage(null);
  await choice.follow(0.5, 'letters');
  ended = true;
  channel.port1.close();

  expect(ranDuring).toBeGreaterThan(0);
  expect(reads).toBe(2);
  expect(session.featurizer.shortGramShare).toBe(0.5);
  for (const { id, vector } of session.rows) {
    const want = headView(vector, session.texts.get(id)!, 'letters', 0.5, 1);
    const read = headRow(vector, 0.5, 'letters') as SparseVector;
    expect(read, id).not.toBe(vector);
    expect(Array.from(read.indices)).toEqual(Array.from(want.indices));
    expect(Array.from(read.values)).toEqual(Array.from(want.values));
  }
});

test("labels that keep arriving leave a few rows on the n-grams alone, and the next follow (a training's) gives them their views", async () => {
  let reads = 0;
  // A label at every read of the texts: the rounds end with some made after the last one began.
  const session = fakeSession(30, (s) => s.add(`late-${reads++}`));
  const choice = new FeatureChoice(session as unknown as ModelSession);
  await choice.follow(0.5, 'words');
  const withView = () => session.rows.filter(({ vector }) => headRow(vector, 0.5, 'words') !== vector).length;
  expect(session.featurizer.shortGramShare).toBe(0.5);
  expect(withView()).toBeLessThan(session.rows.length);
  expect(withView()).toBeGreaterThanOrEqual(30);
  const lackingIds = () => session.rows.filter(({ vector }) => headRow(vector, 0.5, 'words') === vector).map((r) => r.id);
  // Each follow gives the rows left over their views; only the label added by its own last read is left.
  for (let again = 0; again < 2; again++) {
    const left = lackingIds();
    await choice.follow(0.5, 'words');
    expect(lackingIds()).toEqual([session.rows.at(-1)!.id]);
    expect(left).not.toContain(session.rows.at(-1)!.id);
  }
});

test('follows asked one after another end in the last one asked, and a reset during one leaves the features as they were', async () => {
  const session = fakeSession(40);
  const choice = new FeatureChoice(session as unknown as ModelSession);
  const first = choice.follow(0.5, 'words');
  const second = choice.follow(0.25, 'letters');
  await Promise.all([first, second]);
  expect([session.featurizer.shortGramShare, session.featurizer.extra]).toEqual([0.25, 'letters']);
  for (const { vector } of session.rows) expect(vector.head?.share).toBe(0.25);

  const reset = fakeSession(40, (s) => (s.generation += 1));
  const afterReset = new FeatureChoice(reset as unknown as ModelSession);
  await afterReset.follow(0.5, 'letters');
  expect(reset.featurizer.shortGramShare).toBe(0);
  for (const { vector } of reset.rows) expect(vector.head).toBeUndefined();

  // Back to the n-grams alone: every view is dropped.
  await choice.follow(0);
  expect(session.featurizer.shortGramShare).toBe(0);
  for (const { vector } of session.rows) expect(vector.head).toBeUndefined();
});
