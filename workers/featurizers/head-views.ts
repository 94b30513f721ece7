import type { TextGroup } from '../storage/index.js';
import { joinShortGrams, shortGramOccurrences, shortGrams, unitCounts } from './text-short-grams.js';
import { CHAR_WEIGHT, ngramOccurrences, normalizeText, type NgramOccurrence } from './text.js';
import type { SparseVector } from './vector.js';

/**
 * The groups a text head may read besides the hashed n-gram vector (feature-choice.ts chooses one, and its share,
 * from the model's labels):
 * - 'letters': character 1- and 2-grams inside word boundaries (text-short-grams.ts), for classes decided by a
 *   word's letters (syllables, suffixes, codes).
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

/** The word unigrams and bigrams among featurizeText's n-grams (their weights as there: 1 and 0.7). */
export function wordGramOccurrences(normalized: string): NgramOccurrence[] {
  return ngramOccurrences(normalized).occurrences.filter((o) => Math.abs(o.weight) !== CHAR_WEIGHT);
}

/** Sub-linear counts of a text's word unigrams and bigrams, L2-normalised, as featurizeText treats all its n-grams. */
export function wordGrams(text: string): SparseVector {
  return unitCounts(wordGramOccurrences(normalizeText(text)));
}

/** The group `extra` of a text as a unit-length vector. */
export function extraGroup(text: string, extra: TextGroup): SparseVector {
  return extra === 'words' ? wordGrams(text) : shortGrams(text);
}

/** The head's view of a text: √(1−share)·n-grams + √share·group (joinShortGrams); share 0 is the n-grams themselves. */
export function headView(ngrams: SparseVector, text: string, extra: TextGroup, share: number): SparseVector {
  return share > 0 ? joinShortGrams(ngrams, extraGroup(text, extra), share) : ngrams;
}
