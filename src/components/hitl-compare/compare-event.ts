import type { CompareOutcome } from '../../protocol.js';

/**
 * Fired by `<hitl-compare>` once a person's comparison is durably stored: `outcome` ('a', 'b' or 'tie'), its
 * `decisionId` (for `ranker.undo()`), the two items, and in `.pool` mode their indices in the pool.
 */
export class HitlCompareEvent extends Event {
  constructor(
    readonly outcome: CompareOutcome,
    readonly decisionId: string,
    readonly a: unknown,
    readonly b: unknown,
    readonly indices: [number, number] | null,
  ) {
    super('hitl-compare', { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'hitl-compare': HitlCompareEvent;
  }
}
