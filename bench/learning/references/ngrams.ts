/**
 * Exact (not hashed) n-gram counts for the reference learners, the way scikit-learn's CountVectorizer makes them:
 * word 1–2-grams, and character 1–4-grams inside word boundaries ("char_wb": each word padded as " word "). Each
 * distinct n-gram gets an id from one FeatureSpace per dataset and kind; which ids a model uses is decided by the
 * labelled rows it is fitted on (see vocabulary in sparse.ts), never by the test split.
 */
import { normalizeText } from '../../../workers/featurizers/text.js';
import type { SparseRow } from './sparse.js';

export type NgramKind = 'word' | 'char';

export const NGRAM_TITLES: Record<NgramKind, string> = {
  word: 'word 1–2-grams',
  char: "char 1–4-grams of ' word '",
};

// Letters, digits and marks of any script; apostrophes inside a word keep "don't" whole.
const WORD = /[\p{L}\p{N}\p{M}]+(?:'[\p{L}\p{N}\p{M}]+)*/gu;

/** The same text the engine reads: NFKC, lower case, the first 20,000 characters. */
export function tokens(text: string): string[] {
  return normalizeText(text).match(WORD) ?? [];
}

export function wordNgrams(text: string): string[] {
  const words = tokens(text);
  const out = words.slice();
  for (let i = 1; i < words.length; i++) out.push(`${words[i - 1]} ${words[i]}`);
  return out;
}

export function charNgrams(text: string, min = 1, max = 4): string[] {
  const out: string[] = [];
  for (const word of tokens(text)) {
    const padded = ` ${word} `;
    for (let n = min; n <= max; n++) {
      for (let i = 0; i + n <= padded.length; i++) {
        const gram = padded.slice(i, i + n);
        // " " alone says nothing (every word has two); scikit-learn's char_wb keeps it, which only adds a constant.
        if (gram !== ' ') out.push(gram);
      }
    }
  }
  return out;
}

/** Ids for strings, grown as new n-grams appear. */
export class FeatureSpace {
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.ids.size;
  }

  /** Counts of each n-gram of `grams` as a sparse row, ids ascending. */
  row(grams: string[]): SparseRow {
    const counts = new Map<number, number>();
    for (const gram of grams) {
      let id = this.ids.get(gram);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(gram, id);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const indices = Int32Array.from(counts.keys()).sort();
    return { indices, values: Float64Array.from(indices, (id) => counts.get(id)!) };
  }
}

export function ngrams(kind: NgramKind, text: string): string[] {
  return kind === 'word' ? wordNgrams(text) : charNgrams(text);
}
