import { unknownKey } from './checks.js';

/**
 * The error for an option nobody knows, naming the nearest known one. Loaded only when a page passes one: the
 * edit distance is dead weight on every page that spells its options right.
 */
export function unknownOptionError(what: string, key: string, known: object): TypeError {
  const names = Object.keys(known);
  const nearest = names.reduce((best, name) => (editDistance(key, name) < editDistance(key, best) ? name : best), names[0] ?? '');
  return new TypeError(`${what} has no option ${JSON.stringify(key)}; did you mean ${JSON.stringify(nearest)}? Known options: ${names.join(', ')}.`);
}

/** Optimal string alignment distance, ignoring case: a swap of two neighbouring letters counts as one edit. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/** Throws `unknownOptionError` for the first own key of `value` that `known` lacks (where loading this up front is fine). */
export function onlyKnownKeys(what: string, value: object, known: object): void {
  const key = unknownKey(value, known);
  if (key !== undefined) throw unknownOptionError(what, key, known);
}
