import type { TextGroup } from '../storage/index.js';
import { bucketSums } from './bucket-sums.js';
import { joinShortGrams, shortGramCounts, shortGramOccurrences, shortGrams } from './text-short-grams.js';
import { CHAR_WEIGHT, TEXT_DIM, eachWordGram, ngramOccurrences, normalizeText, type NgramOccurrence } from './text.js';
import type { SparseVector } from './vector.js';

/**
 * The groups a text head may read besides the hashed n-gram vector (feature-choice.ts chooses one, and its share,
 * from the model's labels):
 * - 'letters': character 1- and 2-grams inside word boundaries (text-short-grams.ts), for classes decided by a
 *   word's letters (syllables, suffixes, codes).
 * - 'counts': the same grams' plain counts, divided by one number (`scale`: their mean length over the labels the
 *   choice was made on, countScale, so that the group weighs about as much as a unit-length one). A unit-length
 *   vector says what a text is made of, not how much of it there is: a word's number of vowel groups, which is
 *   most of its number of syllables, is a count of letter pairs that the division by the word's length blurs. Counts
 *   carry it linearly (the ranker reads texts the same way, ranker/feature-views.ts).
 * - 'words': the vector's own word unigrams and bigrams, in the same buckets, as a group of their own. In the
 *   n-gram vector a word's character 3–5-grams outweigh the word itself (a 6-letter word adds 15 of them), so a
 *   short text phrased unlike the labelled ones is matched on shared spellings more than on shared words; joined at
 *   a share, the words count more where the class is decided by which words occur (intents, topics).
 */

/** A group's occurrences in an already normalised text, each with its word(s): what an explanation gives back. */
export function extraOccurrences(
  normalized: string,
  extra: TextGroup,
): readonly { bucket: number; weight: number; word: number; previous?: number }[] {
  return extra === 'words' ? wordGramOccurrences(normalized) : shortGramOccurrences(normalized);
}

/** Grams' plain counts by bucket, each occurrence adding its signed weight (the ranker's counts views read them too). */
export function plainCounts(occurrences: Iterable<{ bucket: number; weight: number }>): SparseVector {
  for (const { bucket, weight } of occurrences) bucketSums.add(bucket, weight);
  return bucketSums.plain();
}

/** The 'counts' group's scale for these texts: the mean length of their short-gram counts (1 when they have none). */
export function countScaleOf(texts: readonly string[]): number {
  let sum = 0;
  for (const text of texts) {
    let squares = 0;
    for (const v of shortGramCounts(text).values) squares += v * v;
    sum += Math.sqrt(squares);
  }
  return sum > 0 ? sum / texts.length : 1;
}

/** The word unigrams and bigrams among featurizeText's n-grams (their weights as there: 1 and 0.7). */
export function wordGramOccurrences(normalized: string): NgramOccurrence[] {
  return ngramOccurrences(normalized).occurrences.filter((o) => Math.abs(o.weight) !== CHAR_WEIGHT);
}

/** Sub-linear counts of a text's word unigrams and bigrams, L2-normalised, as featurizeText treats all its n-grams. */
export function wordGrams(text: string): SparseVector {
  eachWordGram(normalizeText(text), (h, weight) => bucketSums.add(h & (TEXT_DIM - 1), h & 0x80000000 ? -weight : weight));
  return bucketSums.unit();
}

/** The group `extra` of a text: a unit-length vector, or for 'counts' the short grams' counts divided by `scale`. */
export function extraGroup(text: string, extra: TextGroup, scale = 1): SparseVector {
  if (extra === 'counts') {
    const counts = shortGramCounts(text);
    return { indices: counts.indices, values: counts.values.map((v) => v / scale) };
  }
  return extra === 'words' ? wordGrams(text) : shortGrams(text);
}

/** The head's view of a text: √(1−share)·n-grams + √share·group (joinShortGrams); share 0 is the n-grams themselves. */
export function headView(ngrams: SparseVector, text: string, extra: TextGroup, share: number, scale = 1): SparseVector {
  return share > 0 ? joinShortGrams(ngrams, extraGroup(text, extra, scale), share) : ngrams;
}
