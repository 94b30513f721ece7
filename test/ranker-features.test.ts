import { describe, expect, test } from 'vitest';
import { featurizeText } from '../workers/featurizers/text.js';
import { DEFAULT_VIEW } from '../workers/ranker/feature-views.js';
import { seededRandom } from '../workers/ranker/pair-selection.js';
import { PreferenceModel } from '../workers/ranker/preference-model.js';
import { TEXT_DIM } from '../workers/featurizers/text.js';
import type { ComparisonRecord } from '../workers/storage/ranker-records.js';
import { keepRankerWorker, ranker } from './ranker-fixtures.js';

// A text ranker chooses what its model reads (feature-views.ts) by cross-validation on its own comparisons. The
// task: made-up words of 1–5 syllables, preferred by their number of syllables (a tie when equal). A unit-length
// n-gram vector hides a word's length; counts carry it.

const SYLLABLES = ['ka', 'to', 'mi', 'ren', 'bu', 'sol', 'e', 'dra', 'pin', 'vo', 'lu', 'gat', 'o', 'ste', 'ni', 'quor'];

function words(random: () => number, count: number): { text: string; syllables: number }[] {
  const seen = new Set<string>();
  const out: { text: string; syllables: number }[] = [];
  while (out.length < count) {
    const syllables = 1 + Math.floor(random() * 5);
    const text = Array.from({ length: syllables }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]!).join('');
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, syllables });
  }
  return out;
}

function records(items: readonly { text: string; syllables: number }[], count: number, random: () => number, keepText: boolean): ComparisonRecord[] {
  return Array.from({ length: count }, (_, k) => {
    const i = Math.floor(random() * items.length);
    let j = Math.floor(random() * (items.length - 1));
    if (j >= i) j += 1;
    const [a, b] = [items[i]!, items[j]!];
    const side = (item: typeof a, id: number) => ({ id: `i${id}`, vector: featurizeText(item.text), ...(keepText ? { input: item.text } : {}) });
    return {
      id: `c${k}`,
      a: side(a, i),
      b: side(b, j),
      outcome: a.syllables === b.syllables ? 'tie' : a.syllables > b.syllables ? 'a' : 'b',
      time: k,
    };
  });
}

/** Share of pairs of new words with a winner whose winner the model scores higher. */
function accuracy(model: PreferenceModel, fresh: readonly { text: string; syllables: number }[]): number {
  const scores = fresh.map((w) => model.score({ vector: featurizeText(w.text), text: w.text }).score);
  let right = 0;
  let decided = 0;
  for (let i = 0; i < fresh.length; i++)
    for (let j = i + 1; j < fresh.length; j++) {
      if (fresh[i]!.syllables === fresh[j]!.syllables) continue;
      decided += 1;
      if (Math.sign(scores[i]! - scores[j]!) === Math.sign(fresh[i]!.syllables - fresh[j]!.syllables)) right += 1;
    }
  return right / decided;
}

describe("a text ranker's feature choice", () => {
  test('reads what its comparisons say predicts them, and ranks new items better for it', async () => {
    const random = seededRandom(11);
    const pool = words(random, 120);
    const fresh = words(random, 60).filter((w) => !pool.some((p) => p.text === w.text));
    const compared = records(pool, 150, random, true);
    const chooser = new PreferenceModel(
      () => TEXT_DIM,
      () => compared,
      true,
    );
    await chooser.train(compared);
    const fixed = new PreferenceModel(
      () => TEXT_DIM,
      () => compared,
      false,
    );
    await fixed.train(compared);
    expect(fixed.features()).toBeNull();
    const chosen = chooser.features();
    expect(chosen).not.toBeNull();
    expect(chosen).not.toMatchObject(DEFAULT_VIEW);
    expect(chosen!.comparisons).toBe(150);
    // Every view was tried and the one chosen had the highest evidence (each at its own L2 strength).
    const candidates = chooser.viewChoice!.candidates;
    expect(candidates).toHaveLength(6);
    const best = candidates.reduce((a, b) => (b.evidence > a.evidence ? b : a));
    expect(best.view).toEqual(chooser.view);
    expect(accuracy(chooser, fresh)).toBeGreaterThan(accuracy(fixed, fresh) + 0.1);
  });

  test('stays on the default view when the comparisons were kept without their text', async () => {
    const random = seededRandom(5);
    const compared = records(words(random, 60), 40, random, false);
    const model = new PreferenceModel(
      () => TEXT_DIM,
      () => compared,
      true,
    );
    await model.train(compared);
    expect(model.view).toEqual(DEFAULT_VIEW);
    expect(model.features()).toBeNull();
    expect(model.outOfFold).not.toBeNull();
  });
});

describe('stats().features through the worker', () => {
  keepRankerWorker();

  test('reports the choice of a text ranker that keeps inputs, and none when it keeps none', async () => {
    const random = seededRandom(3);
    const items = words(random, 30);
    for (const keepInputs of [true, false]) {
      const r = await ranker({ storage: 'memory', keepInputs });
      for (let k = 0; k < 12; k++) {
        const [a, b] = [items[k]!, items[k + 12]!];
        await r.compare(a.text, b.text, a.syllables === b.syllables ? 'tie' : a.syllables > b.syllables ? 'a' : 'b');
      }
      await r.train();
      const features = (await r.stats()).features;
      if (keepInputs) expect(features).toMatchObject({ comparisons: 12 });
      else expect(features).toBeNull();
    }
  });
});
