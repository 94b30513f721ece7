// The two benchmark tasks no engine constant was chosen on: how their labels and sentences are made.
import { describe, expect, it } from 'vitest';
import { INTENTS, allSentences, paraphraseTask, sharedWordShare, words } from '../bench/learning/paraphrase-data.mjs';
import { syllableClass, syllables } from '../bench/learning/syllables.mjs';

describe('syllable labels', () => {
  it('counts the stressed-or-not vowels of a pronunciation', () => {
    expect(syllables('K AE1 M P')).toBe(1);
    expect(syllables('R IH0 N UW1 AH0 L')).toBe(3);
    expect(syllables('V IH1 S ER0 AH0 L')).toBe(3);
    expect(syllableClass(2)).toBe('2');
    expect(syllableClass(6)).toBe('4+');
    expect(() => syllableClass(0)).toThrow(RangeError);
  });
});

describe('paraphrase task', () => {
  const perClass = { train: 120, test: 40 };

  it('is the same for the same seed and differs for another', () => {
    expect(paraphraseTask({ seed: 5, perClass })).toEqual(paraphraseTask({ seed: 5, perClass }));
    expect(paraphraseTask({ seed: 6, perClass }).train).not.toEqual(paraphraseTask({ seed: 5, perClass }).train);
  });

  it('has every intent in both splits, balanced, with no sentence in both', () => {
    const task = paraphraseTask({ seed: 5, perClass });
    for (const label of Object.keys(INTENTS)) {
      expect(task.train.filter((s) => s.label === label)).toHaveLength(perClass.train);
      expect(task.test.filter((s) => s.label === label)).toHaveLength(perClass.test);
    }
    const train = new Set(task.train.map((s) => s.text));
    expect(task.test.some((s) => train.has(s.text))).toBe(false);
  });

  it('builds test sentences from phrases training sentences never use', () => {
    // Content words only: function words and the few generic words intents share may recur.
    const common = new Set([
      'i',
      'my',
      'me',
      'the',
      'to',
      'a',
      'at',
      'for',
      'in',
      'of',
      'is',
      'it',
      'you',
      'some',
      'by',
      'on',
      'get',
      'what',
      "what's",
    ]);
    for (const intent of Object.keys(INTENTS)) {
      const trainWords = new Set(allSentences(intent, 0).flatMap(words));
      const reused = [...new Set(allSentences(intent, 1).flatMap(words))].filter((w) => trainWords.has(w) && !common.has(w));
      expect(reused, intent).toEqual([]);
    }
    expect(sharedWordShare(paraphraseTask({ seed: 5, perClass }))).toBeLessThan(0.25);
  });
});
