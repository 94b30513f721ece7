import type { ExplanationSpan } from '../../src/protocol.js';
import { extraOccurrences } from '../featurizers/head-views.js';
import type { TextGroup } from '../storage/index.js';
import { MAX_TEXT_CHARS, ngramOccurrences, normalizeText } from '../featurizers/text.js';

/** A text's words as the featurizer reads them, and where each lies in the text as given. */
export interface TextWords {
  /** The spans of the original text, in order, never overlapping: one per word, or per group of words that share characters. */
  spans: { start: number; end: number }[];
  /** For each word of the normalised text, the index of its span. */
  spanOfWord: number[];
}

/**
 * Where each code unit of the normalised text came from in the original. The featurizer normalises the whole text
 * at once (NFKC, then lower case), which may change lengths ("ﬁ" → "fi", "İ" → "i̇") and compose across characters
 * (e + ◌́ → é), so pieces are normalised one by one and kept only if, joined, they give exactly the featurizer's text:
 * first a character with its combining marks, else each run between spaces (word-level positions), else the whole
 * text as one piece (a single span).
 */
function originOf(text: string): { normalized: string; from: Int32Array; to: Int32Array } {
  const capped = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  const normalized = normalizeText(text);
  for (const piece of [/\P{M}\p{M}*|\p{M}+/gsu, /\s+|\S+/gu]) {
    const from = new Int32Array(normalized.length);
    const to = new Int32Array(normalized.length);
    let at = 0;
    let fits = true;
    for (const match of capped.matchAll(piece)) {
      const part = match[0].normalize('NFKC').toLowerCase();
      if (normalized.slice(at, at + part.length) !== part) {
        fits = false;
        break;
      }
      from.fill(match.index, at, at + part.length);
      to.fill(match.index + match[0].length, at, at + part.length);
      at += part.length;
    }
    if (fits && at === normalized.length) return { normalized, from, to };
  }
  return { normalized, from: new Int32Array(normalized.length), to: new Int32Array(normalized.length).fill(capped.length) };
}

/** The words of `normalized` mapped back to `text`, words whose characters overlap joined into one span. */
function wordsOf(text: string): { normalized: string; words: TextWords; occurrences: ReturnType<typeof ngramOccurrences>['occurrences'] } {
  const { normalized, from, to } = originOf(text);
  const { words, occurrences } = ngramOccurrences(normalized);
  const spans: { start: number; end: number }[] = [];
  const spanOfWord: number[] = [];
  for (const word of words) {
    const start = from[word.start]!;
    const end = to[word.end - 1]!;
    const last = spans.at(-1);
    if (last && start < last.end) last.end = Math.max(last.end, end);
    else spans.push({ start, end });
    spanOfWord.push(spans.length - 1);
  }
  return { normalized, words: { spans, spanOfWord }, occurrences };
}

/** The word spans of a text, for occlusion: what is removed together. */
export function textWords(text: string): TextWords {
  return wordsOf(text).words;
}

/**
 * Each span's part of Σ weight(bucket) × value over one group of hashed grams: sub-linear counts, L2-normalised, or,
 * with a `divisor`, plain counts divided by it (the 'counts' group, head-views.ts).
 */
function groupContributions(
  occurrences: readonly { bucket: number; weight: number; word: number; previous?: number }[],
  words: TextWords,
  weight: (bucket: number) => number,
  scale: number,
  perSpan: Float64Array,
  divisor?: number,
): void {
  const counts = new Map<number, number>();
  for (const { bucket, weight: w } of occurrences) counts.set(bucket, (counts.get(bucket) ?? 0) + w);
  let norm = 0;
  for (const count of counts.values()) if (count !== 0) norm += Math.log1p(Math.abs(count)) ** 2;
  norm = Math.sqrt(norm);
  if (norm === 0) return;
  for (const { bucket, weight: w, word, previous = word } of occurrences) {
    const count = counts.get(bucket)!;
    if (count === 0) continue;
    const value = divisor !== undefined ? count / divisor : (Math.sign(count) * Math.log1p(Math.abs(count))) / norm;
    const share = (scale * weight(bucket) * value * w) / count;
    if (previous === word) {
      perSpan[words.spanOfWord[word]!]! += share;
    } else {
      perSpan[words.spanOfWord[word]!]! += share / 2;
      perSpan[words.spanOfWord[previous]!]! += share / 2;
    }
  }
}

/**
 * Exact attribution for a head linear in the hashed n-gram features: each feature's value (as featurizeText computes
 * it: sub-linear count, L2-normalised) times `weight(bucket)`, split over the n-grams that made the count in
 * proportion to what each added, and given to the word it lies in (a bigram half to each of its words). With a
 * `shortGramShare`, the head reads √(1−share)·n-grams + √share·the `extra` group (short grams, their counts over
 * `countScale`, or words, head-views.ts), and each group is attributed the same way at its scale. The spans'
 * contributions sum to Σ weight × value over the head's row.
 */
export function linearTextSpans(
  text: string,
  weight: (bucket: number) => number,
  shortGramShare = 0,
  extra: TextGroup = 'letters',
  countScale = 1,
): ExplanationSpan[] {
  const { normalized, words, occurrences } = wordsOf(text);
  const perSpan = new Float64Array(words.spans.length);
  groupContributions(occurrences, words, weight, Math.sqrt(1 - shortGramShare), perSpan);
  if (shortGramShare > 0) {
    const divisor = extra === 'counts' ? countScale : undefined;
    groupContributions(extraOccurrences(normalized, extra), words, weight, Math.sqrt(shortGramShare), perSpan, divisor);
  }
  return words.spans.map(({ start, end }, s) => ({ start, end, text: text.slice(start, end), contribution: perSpan[s]! }));
}
