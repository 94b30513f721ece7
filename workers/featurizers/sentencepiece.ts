/**
 * SentencePiece unigram tokenizing, as the encoders that ship a `[piece, score]` vocabulary expect (Universal
 * Sentence Encoder lite's vocab.json among them): the text is normalised, split into the pieces whose scores (log
 * probabilities) sum highest, and each piece becomes its id, its position in the vocabulary.
 */

/** What SentencePiece writes for a space, and in front of the text: `▁` (U+2581) marks where a word starts. */
export const WORD_START = '\u2581';
/** The id every character no piece covers becomes (SentencePiece's `<unk>`, first in its vocabularies). */
export const UNKNOWN_ID = 0;
/**
 * How much worse than the worst piece an unknown character scores, SentencePiece's own kUnkPenalty: a split that
 * covers the text with real pieces always beats one that gives up on a character, however rare those pieces are.
 */
const UNKNOWN_PENALTY = 10;

/** One vocabulary entry as vocab.json holds it: the piece and its score (a log probability; null where it was lost). */
export type VocabularyEntry = [piece: string, score: number | null];

interface TrieNode {
  /** Children by the next code point. */
  next: Map<number, TrieNode> | null;
  /** The piece ending here, or −1. */
  id: number;
  score: number;
}

/**
 * A unigram tokenizer over one vocabulary. The pieces sit in a trie of code points, so every piece starting at a
 * position is found in one walk (at most the longest piece's length), and the best split is the Viterbi path
 * through those matches: O(characters × longest piece).
 */
export class SentencePiece {
  readonly size: number;
  /** Ids below this are reserved symbols (`<unk>`, `<s>`, `</s>`, …), never matched in text. */
  readonly reserved: number;
  private readonly root: TrieNode = { next: null, id: -1, score: 0 };
  private readonly unknownScore: number;

  /**
   * Throws a TypeError naming the first entry that is not a `[piece, score]` pair. Reserved symbols are the leading
   * entries scored exactly 0 (SentencePiece gives control symbols no probability, so every real piece scores below
   * 0); a missing score takes the one of the piece before it, since the vocabulary is ordered by score.
   */
  constructor(vocabulary: readonly unknown[]) {
    if (!Array.isArray(vocabulary) || vocabulary.length === 0) {
      throw new TypeError('A SentencePiece vocabulary must be a non-empty array of [piece, score] pairs.');
    }
    this.size = vocabulary.length;
    let reserved = 0;
    while (reserved < vocabulary.length && scoreOf(vocabulary[reserved], reserved) === 0) reserved += 1;
    this.reserved = reserved;
    let previous = 0;
    let worst = 0;
    for (let id = 0; id < vocabulary.length; id++) {
      const entry = vocabulary[id];
      const given = scoreOf(entry, id);
      const score = given ?? previous;
      previous = score;
      if (id < reserved) continue;
      const piece = (entry as VocabularyEntry)[0];
      if (piece === '') throw new TypeError(`Vocabulary entry ${id} has an empty piece; every piece needs at least one character.`);
      worst = Math.min(worst, score);
      this.insert(piece, id, score);
    }
    this.unknownScore = worst - UNKNOWN_PENALTY;
  }

  /**
   * The ids of `text`: NFKC-normalised, runs of white space as one `▁`, leading and trailing space dropped, one `▁`
   * in front (SentencePiece's default normaliser), then the highest-scoring split. A run of characters no piece
   * covers becomes one UNKNOWN_ID, as SentencePiece merges consecutive unknowns. An empty or blank text has no ids.
   */
  encode(text: string): number[] {
    const normalized = normalize(text);
    if (normalized === '') return [];
    const chars = Array.from(normalized, (c) => c.codePointAt(0)!);
    const n = chars.length;
    // best[i]: the highest score of a split of chars[0, i); from[i], piece[i]: where its last piece starts, and its id.
    const best = new Float64Array(n + 1).fill(-Infinity);
    const from = new Int32Array(n + 1);
    const piece = new Int32Array(n + 1);
    best[0] = 0;
    for (let start = 0; start < n; start++) {
      const base = best[start]!;
      if (base === -Infinity) continue;
      let node: TrieNode | undefined = this.root;
      let coversOne = false;
      for (let end = start; end < n; end++) {
        node = node.next?.get(chars[end]!);
        if (!node) break;
        if (node.id < 0) continue;
        if (end === start) coversOne = true;
        const score = base + node.score;
        if (score > best[end + 1]!) {
          best[end + 1] = score;
          from[end + 1] = start;
          piece[end + 1] = node.id;
        }
      }
      // A character no one-character piece covers can still be passed over, as unknown: every text has a split.
      if (!coversOne) {
        const score = base + this.unknownScore;
        if (score > best[start + 1]!) {
          best[start + 1] = score;
          from[start + 1] = start;
          piece[start + 1] = UNKNOWN_ID;
        }
      }
    }
    const ids: number[] = [];
    for (let end = n; end > 0; end = from[end]!) ids.push(piece[end]!);
    ids.reverse();
    return ids.filter((id, i) => !(id === UNKNOWN_ID && ids[i - 1] === UNKNOWN_ID));
  }

  private insert(piece: string, id: number, score: number): void {
    let node = this.root;
    for (const c of piece) {
      const code = c.codePointAt(0)!;
      node.next ??= new Map();
      let child = node.next.get(code);
      if (!child) {
        child = { next: null, id: -1, score: 0 };
        node.next.set(code, child);
      }
      node = child;
    }
    // A piece listed twice keeps its first id, the one the model's embedding row was trained for.
    if (node.id < 0) {
      node.id = id;
      node.score = score;
    }
  }
}

/** SentencePiece's default normalisation (nmt_nfkc with add_dummy_prefix and remove_extra_whitespaces). */
export function normalize(text: string): string {
  const folded = text.normalize('NFKC').trim().replace(/\s+/gu, WORD_START);
  return folded === '' ? '' : WORD_START + folded;
}

/** The entry's score, null when it has none; throws a TypeError when the entry is not a [piece, score] pair. */
function scoreOf(entry: unknown, id: number): number | null {
  if (!Array.isArray(entry) || entry.length < 2 || typeof entry[0] !== 'string' || !(entry[1] === null || Number.isFinite(entry[1]))) {
    throw new TypeError(`Vocabulary entry ${id} is ${short(JSON.stringify(entry))}; expected a [piece, score] pair such as ["▁the", -3.57].`);
  }
  return entry[1] as number | null;
}

function short(text: string | undefined): string {
  const shown = text ?? 'undefined';
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}
