import { assertComparison, byTimeThenId, rankerResetEntry, type ComparisonStore } from './comparison-store.js';
import { GENESIS } from './log-chain.js';
import { rankerCuts, rankerRetentionEntry, sealRanker } from './ranker-log.js';
import type { ComparisonRecord, RankerLogRecord } from './ranker-records.js';

/** `storage: 'memory'`: a ranker's comparisons and log kept in the worker, under the same contract as IndexedDB's. */
export class MemoryComparisons implements ComparisonStore {
  private readonly comparisons = new Map<string, ComparisonRecord>();
  private log: RankerLogRecord[] = [];
  private nextLogId = 1;

  async loadComparisons(): Promise<ComparisonRecord[]> {
    return [...this.comparisons.values()].sort(byTimeThenId);
  }

  /** Seals and numbers entries after the newest; appends nothing until all are sealed, like one transaction. */
  private append(records: readonly RankerLogRecord[]): void {
    let prev = this.log.at(-1)?.hash ?? GENESIS;
    const sealed = records.map((record) => {
      const entry = { ...sealRanker(record, prev), id: this.nextLogId++ };
      prev = entry.hash!;
      return entry;
    });
    this.log.push(...sealed);
  }

  async saveComparison(record: ComparisonRecord, log: RankerLogRecord): Promise<void> {
    assertComparison(record);
    if (this.comparisons.has(record.id)) throw new RangeError(`A comparison with id ${record.id} is stored already.`);
    this.comparisons.set(record.id, record);
    this.append([log]);
  }

  async undoComparison(decisionId: string, undoLog: (removed: ComparisonRecord) => RankerLogRecord): Promise<ComparisonRecord> {
    const found = this.comparisons.get(decisionId);
    if (!found) throw new RangeError(`No comparison ${JSON.stringify(decisionId)} to undo: it was never stored here, or was undone already.`);
    const entry = undoLog(found);
    this.comparisons.delete(decisionId);
    this.append([entry]);
    return found;
  }

  async importComparisons(records: readonly ComparisonRecord[], log: readonly RankerLogRecord[]): Promise<number> {
    records.forEach(assertComparison);
    const fresh = [...new Map(records.map((r) => [r.id, r])).values()].filter((r) => !this.comparisons.has(r.id));
    for (const record of fresh) this.comparisons.set(record.id, record);
    this.append(log);
    return fresh.length;
  }

  async readRankerLog(): Promise<RankerLogRecord[]> {
    return this.log.map((entry) => ({ ...entry }));
  }

  async clearComparisons(modelVersion: number): Promise<void> {
    const removed = this.log.length;
    const lastHash = this.log.at(-1)?.hash ?? GENESIS;
    this.comparisons.clear();
    this.log = [];
    this.append([rankerResetEntry(removed, lastHash, modelVersion)]);
  }

  async purgeComparisonsBefore(cutoff: number): Promise<{ comparisons: number; log: number }> {
    let comparisons = 0;
    for (const [id, record] of this.comparisons) {
      if (record.time < cutoff) {
        this.comparisons.delete(id);
        comparisons += 1;
      }
    }
    const kept = this.log.filter((entry) => entry.time >= cutoff);
    const removed = this.log.length - kept.length;
    this.log = kept;
    if (removed > 0) this.append([rankerRetentionEntry(removed, cutoff, rankerCuts(kept))]);
    return { comparisons, log: removed };
  }
}
