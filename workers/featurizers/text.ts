import type { SparseVector } from './vector.js';

/** Hashed feature space; a power of two so the bucket is a mask. 2^14 keeps collisions rare for short texts. */
export const TEXT_DIM = 1 << 14;

/**
 * Work per input is capped here, not the meaning of short texts: a support message or an e-mail is read
 * in full, a 20 MB paste is read up to this many characters.
 */
export const MAX_TEXT_CHARS = 20_000;

const WORD_SEED = 0x811c9dc5;
const BIGRAM_SEED = 0x01000193;
const CHAR_SEED = 0x9e3779b1;
const CHAR_NGRAMS = [3, 4, 5] as const;
const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.7;
const CHAR_WEIGHT = 0.5;

/** FNV-1a over UTF-16 code units of `text[start, end)`, seeded per feature family. */
function hash(text: string, start: number, end: number, seed: number): number {
  let h = seed >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so the low bits used for the bucket depend on every character.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Per-bucket sums for the text being featurized, reused across calls (featurizing is synchronous): a typed array
 * and the list of buckets touched are several times faster than a Map, and sum in the same order, so the features
 * are the same numbers.
 */
const sums = new Float64Array(TEXT_DIM);
const touched = new Int32Array(TEXT_DIM);
let touchedCount = 0;
const seen = new Uint8Array(TEXT_DIM);

function add(h: number, weight: number): void {
  // The top bit signs the feature, so collisions cancel out on average instead of piling up.
  const bucket = h & (TEXT_DIM - 1);
  const signed = h & 0x80000000 ? -weight : weight;
  if (!seen[bucket]) {
    seen[bucket] = 1;
    touched[touchedCount++] = bucket;
  }
  sums[bucket]! += signed;
}

/** Lower-cases and NFKC-folds so "Ｉｎｖｏｉｃｅ", "INVOICE" and "invoice" meet; keeps every script's letters. */
export function normalizeText(text: string): string {
  const capped = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  return capped.normalize('NFKC').toLowerCase();
}

// Words of any script, and each symbol or punctuation mark on its own ("!!!" and emoji carry meaning too).
const WORD = /[\p{L}\p{N}\p{M}]+|[\p{S}\p{P}]/gu;

/**
 * Text → L2-normalised sparse vector of hashed word unigrams, word bigrams and character 3–5-grams
 * (inside word boundaries, so they also work for scripts without spaces). Needs no downloaded weights.
 */
export function featurizeText(text: string): SparseVector {
  const normalized = normalizeText(text);
  const words = normalized.match(WORD) ?? [];
  touchedCount = 0;
  let previous: string | null = null;
  for (const word of words) {
    add(hash(word, 0, word.length, WORD_SEED), WORD_WEIGHT);
    if (previous !== null) {
      const pair = `${previous} ${word}`;
      add(hash(pair, 0, pair.length, BIGRAM_SEED), BIGRAM_WEIGHT);
    }
    previous = word;
    const padded = ` ${word} `;
    for (const n of CHAR_NGRAMS) {
      for (let i = 0; i + n <= padded.length; i++) add(hash(padded, i, i + n, CHAR_SEED + n), CHAR_WEIGHT);
    }
  }
  let kept = 0;
  for (let t = 0; t < touchedCount; t++) if (sums[touched[t]!] !== 0) kept += 1;
  const indices = new Int32Array(kept);
  kept = 0;
  for (let t = 0; t < touchedCount; t++) {
    const bucket = touched[t]!;
    if (sums[bucket] !== 0) indices[kept++] = bucket;
  }
  indices.sort();
  const values = new Float32Array(indices.length);
  let norm = 0;
  indices.forEach((index, j) => {
    const count = sums[index]!;
    // Sub-linear term frequency: a word said ten times is not ten times the evidence.
    const v = Math.sign(count) * Math.log1p(Math.abs(count));
    values[j] = v;
    norm += v * v;
  });
  for (let t = 0; t < touchedCount; t++) {
    sums[touched[t]!] = 0;
    seen[touched[t]!] = 0;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < values.length; j++) values[j]! /= norm;
  return { indices, values };
}
