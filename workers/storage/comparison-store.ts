import type { ComparisonRecord, RankerLogRecord } from './ranker-records.js';

/**
 * Where a ranker keeps its comparisons and its audit log: a part of its model's store (`ModelStore.comparisons()`),
 * in stores of the same database. Every write is one strict transaction and resolves once durable; a write that fails
 * leaves nothing of itself. The IndexedDB and memory versions keep this contract alike
 * (comparison-store-contract.test.ts runs the same tests against both).
 */
export interface ComparisonStore {
  /** Every comparison, oldest first (by time, then id). */
  loadComparisons(): Promise<ComparisonRecord[]>;
  /** Stores a new comparison with its log entry; a RangeError (nothing written) when its id is stored already. */
  saveComparison(record: ComparisonRecord, log: RankerLogRecord): Promise<void>;
  /**
   * Deletes one comparison and logs the undo (`undoLog` builds the entry from the record removed); a RangeError naming
   * why when there is none by that id (never made, or undone already).
   */
  undoComparison(decisionId: string, undoLog: (removed: ComparisonRecord) => RankerLogRecord): Promise<ComparisonRecord>;
  /** Adds comparisons whose ids are not stored yet, and the log entries, in one transaction; resolves with how many were added. */
  importComparisons(records: readonly ComparisonRecord[], log: readonly RankerLogRecord[]): Promise<number>;
  /** The audit log, in the order written (by id). */
  readRankerLog(): Promise<RankerLogRecord[]>;
  /** Deletes every comparison and log entry; a reset entry starts the new chain, naming where the old one ended. */
  clearComparisons(modelVersion: number): Promise<void>;
  /** Deletes comparisons and log entries older than `cutoff` (ms since the epoch); a retention entry names the cuts. */
  purgeComparisonsBefore(cutoff: number): Promise<{ comparisons: number; log: number }>;
}

/** A comparison as it must be to be stored: checked in both stores alike, before anything is written. */
export function assertComparison(record: ComparisonRecord): void {
  if (typeof record.id !== 'string' || record.id === '') throw new TypeError('A comparison needs a non-empty string id.');
  if (record.outcome !== 'a' && record.outcome !== 'b' && record.outcome !== 'tie') {
    throw new RangeError(`A comparison's outcome must be 'a', 'b' or 'tie', got ${String(record.outcome)}.`);
  }
  if (!Number.isFinite(record.time)) throw new RangeError(`A comparison's time must be a finite number, got ${String(record.time)}.`);
  for (const side of [record.a, record.b]) {
    if (typeof side?.id !== 'string' || side.id === '' || side.vector === undefined) {
      throw new TypeError('Each item of a comparison needs its input id and vector.');
    }
  }
}

/** The order comparisons load in, whichever store: by time, then by id (the `by-time` index's order). */
export function byTimeThenId(a: ComparisonRecord, b: ComparisonRecord): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The log entry a reset leaves: a new chain, naming how many entries went and where the old chain ended. */
export function rankerResetEntry(removed: number, lastHash: string, modelVersion: number): RankerLogRecord {
  return { kind: 'reset', time: Date.now(), modelVersion, detail: `reset(): ${removed} log entries removed; the log before ended at ${lastHash}` };
}
