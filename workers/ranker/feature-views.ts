import { SHORT_GRAM_SHARES } from '../engine/feature-choice.js';
import { ngramOccurrences, normalizeText } from '../featurizers/text.js';
import { joinShortGrams, shortGramOccurrences, shortGrams } from '../featurizers/text-short-grams.js';
import type { SparseVector, Vector } from '../featurizers/vector.js';
import { plainCounts } from '../featurizers/head-views.js';

/**
 * What a text ranker's model reads of an item, chosen by cross-validation on its own comparisons
 * (preference-model.ts). Two questions, each answered by the comparisons rather than set here:
 *
 * - `counts`: false reads the n-gram vector a classifier reads (sub-linear counts, unit length), true the n-grams'
 *   plain counts, divided by one number (their mean length over the compared items). A unit-length vector cannot
 *   see how much an item holds: a reply with three helpful sentences and one with one look alike, and a word's
 *   length and its number of syllables are lost to the division. Classes are mostly about what a text is about, so
 *   the classifier normalises; a preference often grows with how much of something an item has, which only counts
 *   can carry linearly.
 * - `shortGramShare`: the classifier's candidates (workers/engine/feature-choice.ts): none, a quarter or half of the
 *   squared length for character 1- and 2-grams inside word boundaries (text-short-grams.ts), which carry what is
 *   in a word's letters.
 */
export interface FeatureView {
  counts: boolean;
  shortGramShare: number;
}

/** What a ranker reads before it has chosen, and always when its items are not hashed n-gram text. */
export const DEFAULT_VIEW: FeatureView = { counts: false, shortGramShare: 0 };

/** Every view a choice tries: unit length or counts, at each of the classifier's short-gram shares. */
export const FEATURE_VIEWS: readonly FeatureView[] = [false, true].flatMap((counts) =>
  SHORT_GRAM_SHARES.map((shortGramShare) => ({ counts, shortGramShare })),
);

export function sameView(a: FeatureView, b: FeatureView): boolean {
  return a.counts === b.counts && a.shortGramShare === b.shortGramShare;
}

/** An item as the ranker is given it: its stored (n-gram) vector and, where kept, its text. */
export interface ViewItem {
  vector: Vector;
  text?: string;
}

/** The grams of a text as plain counts, by bucket, hashed exactly as featurizeText and shortGrams hash them. */
interface Counts {
  ngrams: SparseVector;
  short: SparseVector;
}

function countsOf(text: string): Counts {
  const normalized = normalizeText(text);
  return { ngrams: plainCounts(ngramOccurrences(normalized).occurrences), short: plainCounts(shortGramOccurrences(normalized)) };
}

function norm(vector: SparseVector): number {
  let sum = 0;
  for (const v of vector.values) sum += v * v;
  return Math.sqrt(sum);
}

/** The divisors of a counts view: the mean length of the n-gram and short-gram counts over the items compared. */
export interface CountScale {
  ngrams: number;
  short: number;
}

/**
 * Builds items' rows under one view, computing each text's grams once (a comparison's items recur across
 * comparisons, and a choice reads every comparison under six views).
 */
export class ViewRows {
  private readonly counts = new Map<string, Counts>();
  private readonly short = new Map<string, SparseVector>();

  /** Whether `view` can be read for every one of `items` (every view but the default needs the text). */
  static readable(view: FeatureView, items: readonly ViewItem[]): boolean {
    return sameView(view, DEFAULT_VIEW) || items.every((item) => typeof item.text === 'string');
  }

  private countsOf(text: string): Counts {
    let counts = this.counts.get(text);
    if (!counts) {
      counts = countsOf(text);
      this.counts.set(text, counts);
    }
    return counts;
  }

  /** The counts view's divisors for these items (1 where they hold no grams). */
  scaleOf(items: readonly ViewItem[]): CountScale {
    const texts = [...new Set(items.map((item) => item.text).filter((text): text is string => typeof text === 'string'))];
    if (texts.length === 0) return { ngrams: 1, short: 1 };
    let ngrams = 0;
    let short = 0;
    for (const text of texts) {
      const counts = this.countsOf(text);
      ngrams += norm(counts.ngrams) / texts.length;
      short += norm(counts.short) / texts.length;
    }
    return { ngrams: ngrams > 0 ? ngrams : 1, short: short > 0 ? short : 1 };
  }

  /** The item's vector under `view` (the counts view divided by `scale`). */
  vector(item: ViewItem, view: FeatureView, scale: CountScale): Vector {
    if (sameView(view, DEFAULT_VIEW)) return item.vector;
    if (typeof item.text !== 'string' || item.vector instanceof Float32Array) {
      throw new TypeError('A ranker that reads short grams or counts needs each item as text with its hashed n-gram vector.');
    }
    const text = item.text;
    if (!view.counts) {
      let short = this.short.get(text);
      if (!short) {
        short = shortGrams(text);
        this.short.set(text, short);
      }
      return joinShortGrams(item.vector, short, view.shortGramShare);
    }
    const counts = this.countsOf(text);
    return joinShortGrams(scaled(counts.ngrams, 1 / scale.ngrams), scaled(counts.short, 1 / scale.short), view.shortGramShare);
  }
}

function scaled(vector: SparseVector, factor: number): SparseVector {
  return { indices: vector.indices, values: vector.values.map((v) => v * factor) };
}
