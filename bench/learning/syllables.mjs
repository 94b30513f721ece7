// How the cmudict task labels a word (scripts/prepare-data.mjs builds it): its syllables are the vowels of its
// pronunciation, the ARPAbet symbols that carry a stress digit (AH0, EY1, ER2 …); consonants carry none.

/** Syllables of one CMUdict pronunciation, e.g. 'K AE1 M P' → 1, 'R IH0 N UW1 AH0 L' → 3. */
export function syllables(pronunciation) {
  return pronunciation.split(' ').filter((phone) => /^[A-Z]+[012]$/.test(phone)).length;
}

/** The class of a syllable count: 1, 2, 3 or 4+ (words of five and more syllables are rare: 3 % of the dictionary). */
export function syllableClass(count) {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`A word has at least one syllable; got ${count}.`);
  return count >= 4 ? '4+' : String(count);
}
