import type { HeadExtra } from '../storage/index.js';

/**
 * What a head reads and how it was fitted: the view of a text's grams and the penalty. A feature choice sets them
 * (FeatureChoiceRecord), the featurizer follows them, and a trained head records what it was trained with
 * (WeightsRecord); absent fields are the defaults.
 */
export interface HeadFeatures {
  shortGramShare?: number;
  extra?: HeadExtra;
  countScale?: number;
  l2?: number;
  rareGrams?: boolean;
}

/**
 * Whether two heads read the same features under the same penalty. At share 0 every view is the stored vector
 * itself, whatever its group (an encoder model's featurizer always says 'encoder'), so the group and the counts'
 * divisor only count above it. Another L2 strength, or the rare-gram prior on or off, is another objective.
 */
export function sameHeadFeatures(a: HeadFeatures, b: HeadFeatures): boolean {
  const share = a.shortGramShare ?? 0;
  if ((b.shortGramShare ?? 0) !== share) return false;
  if (share > 0 && ((a.extra ?? 'letters') !== (b.extra ?? 'letters') || (a.countScale ?? 1) !== (b.countScale ?? 1))) return false;
  return a.l2 === b.l2 && (a.rareGrams === true) === (b.rareGrams === true);
}
