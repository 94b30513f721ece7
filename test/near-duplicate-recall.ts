import type { SparseVector } from '../workers/featurizers/vector.js';
import type { ExampleMemory } from '../workers/memory/example-memory.js';

export interface Recall {
  /** (query, class) pairs whose exact best similarity is above the floor. */
  pairs: number;
  /** Of those, the pairs the bounded lookup also reports above the floor. */
  found: number;
  /** found / pairs (1 when there are no pairs). */
  recall: number;
  /** The largest (exact best − reported best) over the found pairs: how far below exact a reported value fell. */
  maxShortfall: number;
  /** Reported values above the exact best: must be 0, a bounded lookup reports exact similarities only. */
  overstated: number;
  /** How many lookups stopped at LOOKUP_BUDGET, and the most prefix postings one visited. */
  stopped: number;
  maxPostings: number;
}

/**
 * The near-duplicate recall of the bounded floor lookup (what predictions use) against the exact search, issue 22:
 * over the (query, class) pairs whose exact best similarity is above `floor`, the fraction for which the bounded
 * lookup also reports a similarity above `floor`. The exact best is a full scan's (`nearest` without a floor); the
 * reported value is what `nearest(query, classes, floor)` gives, which may be lower (the best example was not met),
 * never higher. The class holding the overall top reads top + 1e-9 on both sides (the memory's tie rule), so the
 * comparison allows that.
 */
export function nearDuplicateRecall(memory: ExampleMemory, queries: readonly SparseVector[], classes: number, floor: number): Recall {
  let pairs = 0;
  let found = 0;
  let maxShortfall = 0;
  let overstated = 0;
  let stopped = 0;
  let maxPostings = 0;
  for (const query of queries) {
    const bounded = memory.nearest(query, classes, floor);
    if (memory.lastLookup.stopped) stopped += 1;
    maxPostings = Math.max(maxPostings, memory.lastLookup.postings);
    const exact = memory.nearest(query, classes);
    for (let c = 0; c < classes; c++) {
      const got = bounded.perClass[c]!;
      const want = exact.perClass[c]!;
      if (got > want + 2e-9) overstated += 1;
      if (!(want > floor)) continue;
      pairs += 1;
      if (got > floor) {
        found += 1;
        maxShortfall = Math.max(maxShortfall, want - got);
      }
    }
  }
  return { pairs, found, recall: pairs === 0 ? 1 : found / pairs, maxShortfall, overstated, stopped, maxPostings };
}
