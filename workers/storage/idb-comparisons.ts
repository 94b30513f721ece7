import type { IDBPDatabase } from 'idb';
import { assertComparison, byTimeThenId, rankerResetEntry, type ComparisonStore } from './comparison-store.js';
import { commitOrAbort } from './indexeddb-store.js';
import { GENESIS } from './log-chain.js';
import { rankerChain, rankerCuts, rankerRetentionEntry } from './ranker-log.js';
import type { ComparisonRecord, RankerLogRecord } from './ranker-records.js';
import type { HitlDB } from './schema.js';

/** How IndexedDbStore runs an operation: reopening a closed connection, turning a full disk into a clear error. */
export type RunOnDatabase = <T>(operation: (db: IDBPDatabase<HitlDB>) => Promise<T>, reads?: boolean) => Promise<T>;

type Tx = ReturnType<IDBPDatabase<HitlDB>['transaction']>;

function chainOf(tx: Tx) {
  const log = tx.objectStore('rankerLog');
  return rankerChain(
    async () => (await log.openCursor(null, 'prev'))?.value,
    async (record) => log.add!(record),
  );
}

/** A ranker's comparisons and log in the model's IndexedDB database, through its store's connection. */
export class IndexedDbComparisons implements ComparisonStore {
  constructor(private readonly run: RunOnDatabase) {}

  async loadComparisons(): Promise<ComparisonRecord[]> {
    const records = await this.run((db) => db.getAllFromIndex('comparisons', 'by-time'), true);
    return records.sort(byTimeThenId);
  }

  async saveComparison(record: ComparisonRecord, log: RankerLogRecord): Promise<void> {
    assertComparison(record);
    await this.run(async (db) => {
      const tx = db.transaction(['comparisons', 'rankerLog'], 'readwrite', { durability: 'strict' });
      await commitOrAbort(tx, async () => {
        const store = tx.objectStore('comparisons');
        if ((await store.count(record.id)) > 0) throw new RangeError(`A comparison with id ${record.id} is stored already.`);
        await Promise.all([store.add!(record), chainOf(tx).append(log)]);
      });
    });
  }

  async undoComparison(decisionId: string, undoLog: (removed: ComparisonRecord) => RankerLogRecord): Promise<ComparisonRecord> {
    return this.run(async (db) => {
      const tx = db.transaction(['comparisons', 'rankerLog'], 'readwrite', { durability: 'strict' });
      return commitOrAbort(tx, async () => {
        const store = tx.objectStore('comparisons');
        const found = await store.get(decisionId);
        if (!found) throw new RangeError(`No comparison ${JSON.stringify(decisionId)} to undo: it was never stored here, or was undone already.`);
        await Promise.all([store.delete!(decisionId), chainOf(tx).append(undoLog(found))]);
        return found;
      });
    });
  }

  async importComparisons(records: readonly ComparisonRecord[], log: readonly RankerLogRecord[]): Promise<number> {
    records.forEach(assertComparison);
    return this.run(async (db) => {
      const tx = db.transaction(['comparisons', 'rankerLog'], 'readwrite', { durability: 'strict' });
      return commitOrAbort(tx, async () => {
        const store = tx.objectStore('comparisons');
        const unique = [...new Map(records.map((r) => [r.id, r])).values()];
        const fresh = (await Promise.all(unique.map(async (r) => ((await store.count(r.id)) > 0 ? null : r)))).filter((r) => r !== null);
        await Promise.all([...fresh.map(async (r) => store.put!(r)), chainOf(tx).appendAll(log)]);
        return fresh.length;
      });
    });
  }

  async readRankerLog(): Promise<RankerLogRecord[]> {
    return this.run((db) => db.getAll('rankerLog'), true);
  }

  async clearComparisons(modelVersion: number): Promise<void> {
    await this.run(async (db) => {
      const tx = db.transaction(['comparisons', 'rankerLog'], 'readwrite', { durability: 'strict' });
      const log = tx.objectStore('rankerLog');
      await commitOrAbort(tx, async () => {
        const [removed, last] = await Promise.all([log.count(), log.openCursor(null, 'prev')]);
        await Promise.all([tx.objectStore('comparisons').clear!(), log.clear!()]);
        await chainOf(tx).append(rankerResetEntry(removed, last?.value.hash ?? GENESIS, modelVersion));
      });
    });
  }

  async purgeComparisonsBefore(cutoff: number): Promise<{ comparisons: number; log: number }> {
    return this.run(async (db) => {
      const tx = db.transaction(['comparisons', 'rankerLog'], 'readwrite', { durability: 'strict' });
      return commitOrAbort(tx, async () => {
        const counts = { comparisons: 0, log: 0 };
        const before = IDBKeyRange.upperBound(cutoff, true);
        let cursor = await tx.objectStore('comparisons').index('by-time').openCursor(before);
        while (cursor) {
          await cursor.delete!();
          counts.comparisons += 1;
          cursor = await cursor.continue();
        }
        const log = tx.objectStore('rankerLog');
        let logCursor = await log.index('by-time').openCursor(before);
        while (logCursor) {
          await logCursor.delete!();
          counts.log += 1;
          logCursor = await logCursor.continue();
        }
        if (counts.log > 0) await chainOf(tx).append(rankerRetentionEntry(counts.log, cutoff, rankerCuts(await log.getAll())));
        return counts;
      });
    });
  }
}
