import { TEXT_DIM, WORD, finish, fnv, normalizeText } from './text.js';
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

/** Every short gram of an already normalised text, in order, with its word's index (as ngramOccurrences counts words). */
export function shortGramOccurrences(normalized: string): ShortGramOccurrence[] {
  const out: ShortGramOccurrence[] = [];
  let codes = new Uint16Array(64);
  let w = 0;
  for (const match of normalized.matchAll(WORD)) {
    const word = match[0];
    const length = word.length;
    if (codes.length < length + 2) codes = new Uint16Array(2 * (length + 2));
    codes[0] = 32;
    for (let i = 0; i < length; i++) codes[i + 1] = word.charCodeAt(i);
    codes[length + 1] = 32;
    for (const n of [1, 2]) {
      const seed = (SHORT_SEED + n) >>> 0;
      // Unigrams of the word's own characters (a lone boundary says nothing); bigrams include the boundaries.
      const [from, to] = n === 1 ? [1, length + 1] : [0, length + 1];
      for (let i = from; i < to; i++) {
        const h = finish(fnv(seed, codes, i, i + n));
        out.push({ bucket: h & (TEXT_DIM - 1), weight: h & 0x80000000 ? -1 : 1, word: w });
      }
    }
    w += 1;
  }
  return out;
}

/** Sub-linear counts of a text's short grams, L2-normalised, as featurizeText treats its own n-grams. */
export function shortGrams(text: string): SparseVector {
  return unitCounts(shortGramOccurrences(normalizeText(text)));
}

/** Occurrences summed per bucket, sub-linear (sign · log(1 + |count|)) and L2-normalised: one group of a head's view. */
export function unitCounts(occurrences: readonly { bucket: number; weight: number }[]): SparseVector {
  const counts = new Map<number, number>();
  for (const { bucket, weight } of occurrences) counts.set(bucket, (counts.get(bucket) ?? 0) + weight);
  const indices = Int32Array.from([...counts.keys()].filter((bucket) => counts.get(bucket) !== 0)).sort();
  const values = Float32Array.from(indices, (bucket) => {
    const count = counts.get(bucket)!;
    return Math.sign(count) * Math.log1p(Math.abs(count));
  });
  let norm = 0;
  for (const v of values) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < values.length; j++) values[j]! /= norm;
  return { indices, values };
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
