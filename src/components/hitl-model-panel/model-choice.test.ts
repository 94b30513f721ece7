import { render } from 'lit';
import { expect, test } from 'vitest';
import type { FeatureChoice } from '../../protocol.js';
import { modelChoice } from './model-choice.js';
import { HITL_MODEL_PANEL_STRINGS } from './hitl-model-panel.strings.js';

/** The row's text for a choice, as the panel shows it. */
function shown(choice: FeatureChoice): string {
  const host = document.createElement('dl');
  render(modelChoice(choice, HITL_MODEL_PANEL_STRINGS), host);
  return host.querySelector('[data-stat="choice"]')!.textContent!.replace(/\s+/g, ' ');
}

const views: FeatureChoice['candidates'] = [
  { shortGramShare: 0, extra: 'letters', l2: null, rareGrams: false, accuracy: 0.5 },
  { shortGramShare: 0.5, extra: 'counts', l2: null, rareGrams: false, accuracy: 0.52 },
];

test('a text head names its features, and the L2 strength chosen on them when it is not the default', () => {
  const base = { examples: 200, time: 0 };
  const atDefault = {
    ...base,
    shortGramShare: 0.5,
    extra: 'counts' as const,
    l2: null,
    rareGrams: false,
    candidates: [...views, { ...views[1]!, l2: 1e-3, accuracy: 0.5 }],
  };
  expect(shown(atDefault)).toMatch(/^n-grams with counts of short character grams at 50\s?% \(52\s?% out of fold on 200 labels\)$/);
  const stronger = { ...atDefault, l2: 1e-3, candidates: [...views, { ...views[1]!, l2: 1e-3, accuracy: 0.6 }] };
  expect(shown(stronger)).toMatch(/^n-grams with counts of short character grams at 50\s?%, L2 strength 1e-3 \(60\s?% out of fold/);
  // The rare-gram prior is tried with the strengths, at the default one...
  const rare = { ...atDefault, rareGrams: true, candidates: [...views, { ...views[1]!, rareGrams: true, accuracy: 0.58 }] };
  expect(shown(rare)).toMatch(/^n-grams with counts of short character grams at 50\s?%, rare n-grams weighed up \(58\s?% out of fold/);
  // ...and at the stronger ones.
  const rareStronger = { ...rare, l2: 1e-2, candidates: [...views, { ...views[1]!, rareGrams: true, l2: 1e-2, accuracy: 0.61 }] };
  expect(shown(rareStronger)).toMatch(
    /^n-grams with counts of short character grams at 50\s?%, rare n-grams weighed up, L2 strength 1e-2 \(61\s?% out of fold/,
  );
  // A numeric head's choice is a strength alone.
  const numeric = {
    ...base,
    shortGramShare: 0,
    extra: 'letters' as const,
    l2: 1e-5,
    rareGrams: false,
    candidates: [1e-4, 1e-5].map((l2) => ({ shortGramShare: 0, extra: 'letters' as const, l2, rareGrams: false, accuracy: 0.9 })),
  };
  expect(shown(numeric)).toMatch(/^L2 strength 1e-5 \(90\s?% out of fold/);
});
