import { expect, test } from 'vitest';
import { sameHeadFeatures } from './head-features.js';

test('heads read the same features when share, group, divisor and penalty agree, absent fields counting as defaults', () => {
  expect(sameHeadFeatures({}, { shortGramShare: 0, extra: 'letters' })).toBe(true);
  // At share 0 the group and divisor are not read.
  expect(sameHeadFeatures({ shortGramShare: 0, extra: 'words' }, { extra: 'encoder', countScale: 3 })).toBe(true);
  expect(sameHeadFeatures({ shortGramShare: 0.5 }, { shortGramShare: 0.5, extra: 'letters' })).toBe(true);
  expect(sameHeadFeatures({ shortGramShare: 0.5 }, { shortGramShare: 0.25 })).toBe(false);
  expect(sameHeadFeatures({ shortGramShare: 0.5, extra: 'words' }, { shortGramShare: 0.5 })).toBe(false);
  expect(sameHeadFeatures({ shortGramShare: 0.5, extra: 'counts', countScale: 2 }, { shortGramShare: 0.5, extra: 'counts', countScale: 3 })).toBe(
    false,
  );
  // The penalty is part of it.
  expect(sameHeadFeatures({ l2: 1e-3 }, {})).toBe(false);
  expect(sameHeadFeatures({ l2: 1e-3 }, { l2: 1e-3 })).toBe(true);
  expect(sameHeadFeatures({ rareGrams: true }, { rareGrams: false })).toBe(false);
  expect(sameHeadFeatures({ rareGrams: false }, {})).toBe(true);
});
