/** Argument checks for the public API: each error names the argument and what was expected. */

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

export function checkId(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${describe(value)}.`);
  if (value === '') throw new RangeError(`${what} must not be empty.`);
}

export function wholeNumber(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describe(value)}.`);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${value}.`);
}

export function oneOf<T extends string>(what: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string') throw new TypeError(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(' | ')}, got ${describe(value)}.`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(' | ')}, got '${value}'.`);
  }
}

/** Every key of T, required: a key added to T but not listed in such an object fails to compile. */
export type EveryKey<T> = { readonly [K in keyof T]-?: true };

/**
 * Throws a TypeError for the first own key of `value` that `known` lacks, naming the nearest known key: a typo
 * (`treshold`) would otherwise be ignored without a word.
 */
export function onlyKnownKeys(what: string, value: object, known: object): void {
  const names = Object.keys(known);
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(known, key)) continue;
    const nearest = names.reduce((best, name) => (editDistance(key, name) < editDistance(key, best) ? name : best), names[0] ?? '');
    throw new TypeError(`${what} has no option ${JSON.stringify(key)}; did you mean ${JSON.stringify(nearest)}? Known options: ${names.join(', ')}.`);
  }
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
