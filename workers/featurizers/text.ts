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
/** What one character n-gram adds to its bucket: tells them from word grams among ngramOccurrences. */
export const CHAR_WEIGHT = 0.5;

/** FNV-1a steps over UTF-16 code units `codes[start, end)`, from state `h`; no avalanche yet (see finish). */
export function fnv(h: number, codes: Uint16Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    h ^= codes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** Final avalanche (murmur3 fmix32) so the low bits used for the bucket depend on every character. */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The current word as code units, with a space on either side (` word `), reused across words: hashing from a
 * typed array, and continuing one FNV state across "previous word, space, word" for the bigram, gives the same
 * numbers as hashing the joined strings, without building a string per word, pair and n-gram.
 */
let codes = new Uint16Array(256);

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
export const WORD = /[\p{L}\p{N}\p{M}]+|[\p{S}\p{P}]/gu;

/**
 * Text → L2-normalised sparse vector of hashed word unigrams, word bigrams and character 3–5-grams
 * (inside word boundaries, so they also work for scripts without spaces). Needs no downloaded weights.
 */
export function featurizeText(text: string): SparseVector {
  const normalized = normalizeText(text);
  const words = normalized.match(WORD) ?? [];
  touchedCount = 0;
  // FNV state of "previous word + space" under the bigram seed, once there is a previous word.
  let pairPrefix = 0;
  let hasPrevious = false;
  const space = 32;
  for (const word of words) {
    const length = word.length;
    if (codes.length < length + 2) codes = new Uint16Array(2 * (length + 2));
    codes[0] = space;
    for (let i = 0; i < length; i++) codes[i + 1] = word.charCodeAt(i);
    codes[length + 1] = space;
    add(finish(fnv(WORD_SEED >>> 0, codes, 1, length + 1)), WORD_WEIGHT);
    if (hasPrevious) add(finish(fnv(pairPrefix, codes, 1, length + 1)), BIGRAM_WEIGHT);
    pairPrefix = fnv(BIGRAM_SEED >>> 0, codes, 1, length + 2);
    hasPrevious = true;
    for (const n of CHAR_NGRAMS) {
      const seed = (CHAR_SEED + n) >>> 0;
      for (let i = 0; i + n <= length + 2; i++) add(finish(fnv(seed, codes, i, i + n)), CHAR_WEIGHT);
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

/**
 * featurizeText's word unigrams and bigrams of an already normalised text, in order, each as its hash (bucket in the
 * low bits, sign in the top one) and weight, without the character grams: what the head's 'words' group reads
 * (head-views.ts). A test checks them against ngramOccurrences.
 */
export function eachWordGram(normalized: string, visit: (hash: number, weight: number) => void): void {
  let pairPrefix = 0;
  eachPaddedWord(normalized, (codes, length, index) => {
    visit(finish(fnv(WORD_SEED >>> 0, codes, 1, length + 1)), WORD_WEIGHT);
    if (index > 0) visit(finish(fnv(pairPrefix, codes, 1, length + 1)), BIGRAM_WEIGHT);
    pairPrefix = fnv(BIGRAM_SEED >>> 0, codes, 1, length + 2);
  });
}

/**
 * Each word of an already normalised text, in order, as its code units between two spaces (`codes[0]` and
 * `codes[length + 1]`) in a buffer reused from word to word, with its index: how the grams' walkers read a word.
 * (featurizeText keeps its own loop: its sums' order is part of every stored model.)
 */
export function eachPaddedWord(normalized: string, visit: (codes: Uint16Array, length: number, index: number) => void): void {
  let codes = new Uint16Array(64);
  let index = 0;
  for (const match of normalized.matchAll(WORD)) {
    const word = match[0];
    const length = word.length;
    if (codes.length < length + 2) codes = new Uint16Array(2 * (length + 2));
    codes[0] = 32;
    for (let i = 0; i < length; i++) codes[i + 1] = word.charCodeAt(i);
    codes[length + 1] = 32;
    visit(codes, length, index++);
  }
}

/** One hashed n-gram of a text, as featurizeText adds it: its bucket, its signed weight and the word(s) it came from. */
export interface NgramOccurrence {
  bucket: number;
  /** The signed amount added to the bucket's count (the hash's top bit signs it). */
  weight: number;
  /** Index of the word in `words`; a bigram also names the word before it. */
  word: number;
  previous: number;
}

/**
 * Every n-gram featurizeText counts in an already normalised text, with the words' positions in it: what an
 * explanation needs to give each feature back to the characters it came from. Must hash exactly as featurizeText
 * does (a test sums these occurrences and compares with its vector).
 */
export function ngramOccurrences(normalized: string): { words: { start: number; end: number }[]; occurrences: NgramOccurrence[] } {
  const words: { start: number; end: number }[] = [];
  const occurrences: NgramOccurrence[] = [];
  const push = (h: number, weight: number, word: number, previous: number) => {
    occurrences.push({ bucket: h & (TEXT_DIM - 1), weight: h & 0x80000000 ? -weight : weight, word, previous });
  };
  let pairPrefix = 0;
  let local = new Uint16Array(256);
  for (const match of normalized.matchAll(WORD)) {
    const word = match[0];
    const w = words.length;
    words.push({ start: match.index, end: match.index + word.length });
    const length = word.length;
    if (local.length < length + 2) local = new Uint16Array(2 * (length + 2));
    local[0] = 32;
    for (let i = 0; i < length; i++) local[i + 1] = word.charCodeAt(i);
    local[length + 1] = 32;
    push(finish(fnv(WORD_SEED >>> 0, local, 1, length + 1)), WORD_WEIGHT, w, w);
    if (w > 0) push(finish(fnv(pairPrefix, local, 1, length + 1)), BIGRAM_WEIGHT, w, w - 1);
    pairPrefix = fnv(BIGRAM_SEED >>> 0, local, 1, length + 2);
    for (const n of CHAR_NGRAMS) {
      const seed = (CHAR_SEED + n) >>> 0;
      for (let i = 0; i + n <= length + 2; i++) push(finish(fnv(seed, local, i, i + n)), CHAR_WEIGHT, w, w);
    }
  }
  return { words, occurrences };
}
