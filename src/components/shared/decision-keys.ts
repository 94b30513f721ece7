import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What a decision key does. `skip` only where the element has it (the review queue). */
type Decision = 'accept' | 'reject' | 'cancel' | 'undo' | 'skip';

/**
 * The decision keys of every element that takes decisions, in one table so that they cannot drift apart: Enter or
 * `a` accepts the prediction, `x` rejects it, `1`–`9` choose a label, Escape leaves the choosing, Backspace or `u`
 * undoes, `s` or Space skips. Letters are matched in either case.
 */
const KEYS: Readonly<Record<string, Decision>> = {
  enter: 'accept',
  a: 'accept',
  x: 'reject',
  escape: 'cancel',
  backspace: 'undo',
  u: 'undo',
  s: 'skip',
  ' ': 'skip',
};

/** The `aria-keyshortcuts` of the buttons that do what a key does. */
export const SHORTCUTS = { accept: 'Enter a', reject: 'x', skip: 's', undo: 'Backspace' } as const;

/**
 * An element's decisions. Each answers whether the key meant something just now: then its default action (a
 * scroll, a browser shortcut) is prevented.
 */
export interface DecisionActions {
  accept(): boolean;
  reject(): boolean;
  cancel(): boolean;
  undo(): boolean;
  /** The label at `index` (0 for the key `1`) of the element's label buttons. */
  choose(index: number): boolean;
  /** Without it, `s` and Space are left to the page. */
  skip?(): boolean;
  /** While false the element takes no keys (a silent classifier shows no controls). */
  enabled?(): boolean;
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
    const key = event.key.toLowerCase();
    // A focused button of the element activates itself: Enter on "bug" means bug, not the prediction.
    if ((key === 'enter' || key === ' ') && origin instanceof HTMLButtonElement && this.#host.shadowRoot?.contains(origin)) return;
    const decision = KEYS[key];
    const handled = decision === 'skip' ? actions.skip?.() : decision ? actions[decision]() : /^[1-9]$/.test(key) && actions.choose(Number(key) - 1);
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
