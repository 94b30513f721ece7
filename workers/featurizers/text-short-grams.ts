import { TEXT_DIM, eachPaddedWord, finish, fnv, normalizeText } from './text.js';
import { bucketSums } from './bucket-sums.js';
import type { SparseVector } from './vector.js';

/**
 * Character 1- and 2-grams inside word boundaries (` cat ` gives c, a, t, ` c`, ca, at, `t `): the letters a word
 * is made of and how it starts and ends. Where the class is in the characters (a word's syllables, a suffix, a
 * code's letters), these carry it; on prose they mostly add similarity between unrelated texts. So they are not
 * part of featurizeText's vector, which the near-duplicate memory compares, but a second group the head may also
 * read, weighted by what cross-validation on the model's own labels chose (feature-choice.ts).
 */
const SHORT_SEED = 0x2545f491;

/** One short gram as shortGrams adds it, with the word it lies in: what an explanation gives back to the text. */
export interface ShortGramOccurrence {
  bucket: number;
  weight: number;
  word: number;
}

/**
 * Every short gram of an already normalised text, in order: its hash (bucket in the low bits, sign in the top one)
 * and its word's index (as ngramOccurrences counts words). The one place they are hashed.
 */
function eachShortGram(normalized: string, visit: (hash: number, word: number) => void): void {
  eachPaddedWord(normalized, (codes, length, w) => {
    // Unigrams of the word's own characters (a lone boundary says nothing); bigrams include the boundaries.
    for (let i = 1; i < length + 1; i++) visit(finish(fnv(UNIGRAM_SEED, codes, i, i + 1)), w);
    for (let i = 0; i < length + 1; i++) visit(finish(fnv(BIGRAM_SEED, codes, i, i + 2)), w);
  });
}

const UNIGRAM_SEED = (SHORT_SEED + 1) >>> 0;
const BIGRAM_SEED = (SHORT_SEED + 2) >>> 0;

/** Every short gram of an already normalised text, in order, with its word's index (as ngramOccurrences counts words). */
export function shortGramOccurrences(normalized: string): ShortGramOccurrence[] {
  const out: ShortGramOccurrence[] = [];
  eachShortGram(normalized, (h, word) => out.push({ bucket: h & (TEXT_DIM - 1), weight: h & 0x80000000 ? -1 : 1, word }));
  return out;
}

/** Adds every short gram of an already normalised text to the shared sums. */
function sumShortGrams(normalized: string): void {
  eachShortGram(normalized, (h) => bucketSums.add(h & (TEXT_DIM - 1), h & 0x80000000 ? -1 : 1));
}

/** Sub-linear counts of a text's short grams, L2-normalised, as featurizeText treats its own n-grams. */
export function shortGrams(text: string): SparseVector {
  sumShortGrams(normalizeText(text));
  return bucketSums.unit();
}

/** A text's short grams' plain counts by bucket (the 'counts' group before its scale, head-views.ts). */
export function shortGramCounts(text: string): SparseVector {
  sumShortGrams(normalizeText(text));
  return bucketSums.plain();
}

/**
 * The head's view of a text: √(1−share)·n-grams + √share·short grams, both of unit length, so `share` is the short
 * grams' part of the squared length (exactly so where no bucket is shared). share 0 is the n-gram vector itself.
 */
export function joinShortGrams(ngrams: SparseVector, short: SparseVector, share: number): SparseVector {
  if (share <= 0) return ngrams;
  const a = Math.sqrt(1 - share);
  const b = Math.sqrt(share);
  const indices: number[] = [];
  const values: number[] = [];
  let i = 0;
  let j = 0;
  while (i < ngrams.indices.length || j < short.indices.length) {
    const x = i < ngrams.indices.length ? ngrams.indices[i]! : Infinity;
    const y = j < short.indices.length ? short.indices[j]! : Infinity;
    const index = Math.min(x, y);
    const value = (x === index ? a * ngrams.values[i++]! : 0) + (y === index ? b * short.values[j++]! : 0);
    if (value !== 0) {
      indices.push(index);
      values.push(value);
    }
  }
  return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
}
