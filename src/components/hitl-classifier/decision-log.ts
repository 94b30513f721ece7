/** Backspace walks back through this many of the element's own decisions. */
const UNDO_DEPTH = 10;

export interface Decision {
  decisionId: string;
  key: string;
}

/** The element's own decisions, newest last: what Backspace undoes. Decisions made elsewhere are not undone here. */
export class DecisionLog {
  #decisions: Decision[] = [];

  last(): Decision | null {
    return this.#decisions.at(-1) ?? null;
  }

  add(decision: Decision): void {
    this.#decisions = [...this.#decisions, decision].slice(-UNDO_DEPTH);
  }

  /** By identity: other decisions may have been added while this one was being undone. */
  remove(decision: Decision): void {
    this.#decisions = this.#decisions.filter((d) => d !== decision);
  }

  clear(): void {
    this.#decisions = [];
  }
}
