import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What a decision key does. `skip` only where the element has it (the review queue). */
type Decision = 'accept' | 'reject' | 'cancel' | 'undo' | 'skip';

/**
 * The keys of an element's decisions, as `KeyboardEvent.key` names (`'Enter'`, `'a'`, `' '` for Space), matched in
 * either case. An element's `.keys` replaces any of these lists; `labels` gives the keys of the label buttons in order.
 */
export interface HitlKeys {
  accept: readonly string[];
  reject: readonly string[];
  /** Leaves the choosing of another label after a rejection. */
  cancel: readonly string[];
  undo: readonly string[];
  /** The review queue only. */
  skip: readonly string[];
  /** Default: `1`–`9` for the first nine labels, or, when every label is a digit, each label's own digit. */
  labels?: readonly string[];
}

/**
 * The decision keys of every element that takes decisions, in one table so that they cannot drift apart: Enter or
 * `a` accepts the prediction, `x` rejects it, `1`–`9` choose a label, Escape leaves the choosing, Backspace or `u`
 * undoes, `s` or Space skips.
 */
export const DEFAULT_KEYS: Readonly<HitlKeys> = {
  accept: ['Enter', 'a'],
  reject: ['x'],
  cancel: ['Escape'],
  undo: ['Backspace', 'u'],
  skip: ['s', ' '],
};

const DECISIONS: readonly Decision[] = ['accept', 'reject', 'cancel', 'undo', 'skip'];

/** The keys with an element's `.keys` applied; lists that are not arrays of strings keep their defaults. */
export function keysOf(custom: Partial<HitlKeys> | null | undefined): HitlKeys {
  const keys: HitlKeys = { ...DEFAULT_KEYS };
  for (const name of [...DECISIONS, 'labels'] as const) {
    const list: unknown = custom?.[name];
    if (Array.isArray(list) && list.every((key) => typeof key === 'string')) keys[name] = list as string[];
  }
  return keys;
}

/** The key of each label button: a digit label is chosen by its own digit (the digits task's `1` is "1", not "0"). */
export function labelKeys(labels: readonly string[], keys: HitlKeys): readonly string[] {
  return keys.labels ?? (labels.length > 0 && labels.every((label) => /^\d$/.test(label)) ? labels : ['1', '2', '3', '4', '5', '6', '7', '8', '9']);
}

/** `aria-keyshortcuts` for a list of keys (Space by its ARIA name). */
export function shortcut(keys: readonly string[] | undefined): string {
  return (keys ?? []).map((key) => (key === ' ' ? 'Space' : key)).join(' ');
}

/**
 * An element's decisions. Each answers whether the key meant something just now: then its default action (a
 * scroll, a browser shortcut) is prevented.
 */
export interface DecisionActions {
  accept(): boolean;
  reject(): boolean;
  cancel(): boolean;
  undo(): boolean;
  /** The label at `index` of the element's label buttons. */
  choose(index: number): boolean;
  /** Without it, the skip keys are left to the page. */
  skip?(): boolean;
  /** While false the element takes no keys (a silent classifier shows no controls). */
  enabled?(): boolean;
  /** The labels of the buttons, in order: digit labels take their own digit keys. */
  labels?(): readonly string[];
  /** The element's `.keys`. */
  keys?(): Partial<HitlKeys> | null | undefined;
}

/**
 * The names a key press answers to: its `key`, and where the meaning is the key's place on the keyboard its `code`
 * too: the digit row and the number pad whatever the layout prints on them (AZERTY's `&` is `1`), and a letter key
 * of a non-Latin layout by the Latin letter in its place (Cyrillic `ф` is `a`).
 */
function namesOf(event: KeyboardEvent): string[] {
  const key = event.key.toLowerCase();
  const names = [key];
  const digit = /^(?:Digit|Numpad)(\d)$/.exec(event.code)?.[1];
  if (digit !== undefined) names.push(digit);
  else if (key.length === 1 && !/[a-z]/.test(key) && /^Key[A-Z]$/.test(event.code)) names.push(event.code.slice(3).toLowerCase());
  return names;
}

/** Turns key presses inside the host into its decisions, from when it is connected until it is disconnected. */
export class DecisionKeys implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #actions: DecisionActions;

  constructor(host: ReactiveControllerHost & HTMLElement, actions: DecisionActions) {
    this.#host = host;
    this.#actions = actions;
    host.addController(this);
  }

  hostConnected(): void {
    this.#host.addEventListener('keydown', this.#onKeyDown);
  }

  hostDisconnected(): void {
    this.#host.removeEventListener('keydown', this.#onKeyDown);
  }

  readonly #onKeyDown = (event: KeyboardEvent): void => {
    const actions = this.#actions;
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.isComposing || actions.enabled?.() === false) return;
    const origin = event.composedPath()[0];
    // Keys typed into a field (a `for` target, editable content) are text, never shortcuts.
    if (isEditable(origin)) return;
    const names = namesOf(event);
    // A focused button of the element activates itself: Enter on "bug" means bug, not the prediction.
    if ((names[0] === 'enter' || names[0] === ' ') && origin instanceof HTMLButtonElement && this.#host.shadowRoot?.contains(origin)) return;
    const keys = keysOf(actions.keys?.());
    const pressed = (list: readonly string[]) => list.some((key) => names.includes(key.toLowerCase()));
    const decision = DECISIONS.find((name) => pressed(keys[name]) && (name !== 'skip' || actions.skip));
    let handled: boolean | undefined;
    if (decision === 'skip') handled = actions.skip?.();
    else if (decision) handled = actions[decision]();
    else {
      const index = labelKeys(actions.labels?.() ?? [], keys).findIndex((key) => pressed([key]));
      handled = index >= 0 && actions.choose(index);
    }
    if (handled) event.preventDefault();
  };
}

function isEditable(node: EventTarget | undefined): boolean {
  if (!(node instanceof HTMLElement)) return false;
  if (node instanceof HTMLTextAreaElement || node instanceof HTMLSelectElement) return true;
  if (node instanceof HTMLInputElement)
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'image', 'range', 'color', 'file'].includes(node.type);
  return node.isContentEditable;
}
