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

/** The first own key of `value` that `known` lacks, if any. */
export function unknownKey(value: object, known: object): string | undefined {
  return Object.keys(value).find((key) => !Object.hasOwn(known, key));
}
