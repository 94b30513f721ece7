/** Every string `<hitl-compare>` shows or announces; `{…}` are placeholders filled in where it is used. */
export interface HitlCompareStrings {
  /** Accessible name of the whole element. */
  region: string;
  /** While the ranker opens. */
  loading: string;
  /** Neither `.items`, `.pool` nor slotted items give two items to compare. */
  noPair: string;
  /** The pool has fewer than two items. */
  poolTooSmall: string;
  /** The name of each side: `{side}` is A or B. */
  sideLabel: string;
  /** The pick buttons: `{side}` is A or B, `{item}` the start of the item's text. */
  prefer: string;
  /** The part of a pick button's accessible name naming its item. */
  preferItem: string;
  tie: string;
  skip: string;
  undo: string;
  /** The model's current preference: `{side}` A or B, `{percent}` how sure. */
  preference: string;
  /** The model cannot tell the two apart. */
  noPreference: string;
  /** Announced after a pick: `{outcome}` one of the next three, `{count}` comparisons made here. */
  decided: string;
  preferredA: string;
  preferredB: string;
  tied: string;
  skipped: string;
  /** Announced after an undo: `{count}` comparisons made here. */
  undone: string;
  /** The counter: `{count}` comparisons made in this element. */
  count: string;
  /** A failure: `{message}` is the error's. */
  failed: string;
  /** An image item's accessible name. */
  image: string;
}

export const HITL_COMPARE_STRINGS: HitlCompareStrings = {
  region: 'Compare two items',
  loading: 'Opening the ranker…',
  noPair: 'Give two items to compare (slot="a" and slot="b", .items or .pool).',
  poolTooSmall: 'The pool needs at least two items.',
  sideLabel: 'Item {side}',
  prefer: 'Prefer {side}',
  preferItem: '{item}',
  tie: 'Tie',
  skip: 'Skip',
  undo: 'Undo',
  preference: 'The model prefers {side} ({percent} sure)',
  noPreference: 'The model has no preference yet',
  decided: '{outcome}. {count} compared.',
  preferredA: 'Preferred A',
  preferredB: 'Preferred B',
  tied: 'Tie',
  skipped: 'Skipped',
  undone: 'Undone. {count} compared.',
  count: '{count} compared',
  failed: 'Something went wrong: {message}',
  image: 'Image',
};
