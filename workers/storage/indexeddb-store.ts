import type { IDBPDatabase, IDBPObjectStore } from 'idb';
import { applyDecision, applyDecisions, applyUndo, type Tables } from './decisions.js';
import { applyLabelChange } from './label-changes.js';
import type {
  Dump,
  EmbeddingRecord,
  ExampleRecord,
  ImportPlan,
  LabelChange,
  LabelChangeOutcome,
  LoadedModel,
  LogRange,
  LogRecord,
  ModelMeta,
  PurgeCounts,
  QueueRecord,
  StoredHead,
  UndoOutcome,
  WeightsRecord,
  StoredInput,
  VersionRecord,
} from './records.js';
import type { ComparisonStore } from './comparison-store.js';
import { IdbConnection, type IndexedDbStoreOptions } from './idb-connection.js';
import { IndexedDbComparisons } from './idb-comparisons.js';
import { ChainAppender, cutsIn, GENESIS, resetEntry, retentionEntry, sealAll } from './log-chain.js';
import type { HitlDB } from './schema.js';
import {
  applyServe,
  assertKeepVersions,
  evicted,
  KEEP_VERSIONS_DEFAULT,
  servedAfter,
  versionRecord,
  type ServeChange,
  type ServeLogWriter,
} from './versions.js';
import type { TrainingMetrics } from '../../src/protocol.js';
import {
  assertKeep,
  assertLogId,
  assertLogRange,
  assertNewer,
  clearedMeta,
  mergeMeta,
  type ModelStore,
  type LabelChangeLogWriter,
  type UndoLogWriter,
} from './store.js';

type LogStore = IDBPObjectStore<HitlDB, ('log' | 'examples' | 'queue' | 'meta' | 'weights' | 'embeddings' | 'versions')[], 'log', 'readwrite'>;

/** Seals, in id order, entries written before the chain existed; resolves with the newest hash. */
async function sealStored(log: LogStore): Promise<string> {
  const records = await log.getAll();
  const sealedRecords = sealAll(records);
  await Promise.all(sealedRecords.map(async (record, i) => (record !== records[i] ? log.put(record) : null)));
  return sealedRecords.at(-1)?.hash ?? GENESIS;
}

/** Appends to the log of one transaction, each entry chained to the one before (log-chain.ts). */
function chainOn(log: LogStore): ChainAppender {
  return new ChainAppender(
    async () => (await log.openCursor(null, 'prev'))?.value,
    async (record) => log.add(record),
    () => sealStored(log),
  );
}

/**
 * Runs `work` against an open transaction and commits only if it succeeds: a failed request, or one that throws at
 * once (a value that cannot be cloned, a missing key), would otherwise leave the requests before it to commit. Issue
 * requests from async callbacks (`map(async (r) => store.put(r))`) so a throw becomes a rejection `work` awaits, not
 * one left unhandled when the abort fails the requests already made.
 */
export async function commitOrAbort<T>(tx: { abort(): void; done: Promise<void> }, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted: nothing was written after the failure either way.
    }
    await tx.done.catch(() => undefined);
    throw error;
  }
  await tx.done;
  return result;
}

/** One IndexedDB database per model name (databaseName), so models never contend for a transaction. */
export class IndexedDbStore implements ModelStore {
  private readonly connection: IdbConnection;

  constructor(name: string, options: IndexedDbStoreOptions = {}) {
    this.connection = new IdbConnection(name, options);
  }

  /** Opens (creating or upgrading) the database now: rejects with StorageUnavailableError when it cannot be used. */
  async probe(): Promise<void> {
    await this.connection.probe();
  }

  async load(): Promise<LoadedModel> {
    return this.run(async (db) => {
      const tx = db.transaction(['meta', 'examples', 'weights', 'queue'], 'readonly');
      const [meta, examples, weights, queue] = await Promise.all([
        tx.objectStore('meta').get('model'),
        tx.objectStore('examples').getAll(),
        tx.objectStore('weights').get('current'),
        tx.objectStore('queue').getAll(),
        tx.done,
      ]);
      examples.sort((a, b) => a.seq - b.seq);
      return { meta, examples, weights, queue };
    }, true);
  }

  async saveMeta(meta: ModelMeta): Promise<ModelMeta> {
    return this.run(async (db) => {
      const tx = db.transaction('meta', 'readwrite', { durability: 'strict' });
      return commitOrAbort(tx, async () => {
        const merged = mergeMeta(await tx.store.get('model'), meta);
        await tx.store.put(merged, 'model');
        return merged;
      });
    });
  }

  async loadHead(): Promise<StoredHead> {
    return this.run(async (db) => {
      const tx = db.transaction(['meta', 'weights'], 'readonly');
      const [meta, weights] = await Promise.all([tx.objectStore('meta').get('model'), tx.objectStore('weights').get('current'), tx.done]);
      return { meta, weights };
    }, true);
  }

  /** Runs a decision or an undo over the four stores it may touch, in one strict transaction. */
  private decide<T>(work: (tables: Tables, putMeta: (meta: ModelMeta) => Promise<unknown>) => Promise<T>): Promise<T> {
    return this.run(async (db) => {
      const tx = db.transaction(['examples', 'log', 'queue', 'meta'], 'readwrite', { durability: 'strict' });
      const examples = tx.objectStore('examples');
      const queue = tx.objectStore('queue');
      const log = tx.objectStore('log');
      const chain = chainOn(log);
      const meta = tx.objectStore('meta');
      // Async, so a request that throws at once (a record without a key) rejects like any failed request.
      const tables: Tables = {
        getExample: async (id) => examples.get(id),
        putExample: async (example) => examples.put(example),
        deleteExample: async (id) => examples.delete(id),
        getQueued: async (id) => queue.get(id),
        putQueued: async (record) => queue.put(record),
        deleteQueued: async (id) => queue.delete(id),
        addLog: async (record) => chain.append(record),
        addLogs: async (records) => chain.appendAll(records),
        logByDecision: async (decisionId) => log.index('by-decision').getAll(decisionId),
        getMeta: async () => meta.get('model'),
        exampleIds: async () => examples.getAllKeys(),
        queuedIds: async () => queue.getAllKeys(),
      };
      const putMeta = async (m: ModelMeta) => meta.put(mergeMeta(await meta.get('model'), m), 'model');
      return commitOrAbort(tx, () => work(tables, putMeta));
    });
  }

  async saveDecision(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void> {
    await this.decide(async (tables, putMeta) => {
      await Promise.all([applyDecision(tables, example, log), meta ? putMeta(meta) : null]);
    });
  }

  async saveDecisions(examples: readonly ExampleRecord[], logs: readonly LogRecord[], meta?: ModelMeta): Promise<void> {
    if (examples.length === 0) return;
    await this.decide(async (tables, putMeta) => {
      // The meta first: labels it adds are the stored labels the decisions are checked against.
      if (meta) await putMeta(meta);
      await applyDecisions(tables, examples, logs);
    });
  }

  async undo(decisionId: string, undoLog: UndoLogWriter): Promise<UndoOutcome> {
    return this.decide((tables) => applyUndo(tables, decisionId, undoLog));
  }

  async changeLabels(change: LabelChange, log: LabelChangeLogWriter): Promise<LabelChangeOutcome> {
    return this.run(async (db) => {
      const tx = db.transaction(['meta', 'examples', 'queue', 'weights', 'log', 'versions'], 'readwrite', { durability: 'strict' });
      const meta = tx.objectStore('meta');
      const versions = tx.objectStore('versions');
      const examples = tx.objectStore('examples');
      const queue = tx.objectStore('queue');
      const weights = tx.objectStore('weights');
      const chain = chainOn(tx.objectStore('log'));
      return commitOrAbort(tx, () =>
        applyLabelChange(
          {
            getMeta: async () => meta.get('model'),
            putMeta: async (m) => meta.put(m, 'model'),
            allExamples: async () => examples.getAll(),
            putExample: async (e) => examples.put(e),
            deleteExample: async (id) => examples.delete(id),
            allQueued: async () => queue.getAll(),
            putQueued: async (q) => queue.put(q),
            getWeights: async () => weights.get('current'),
            putWeights: async (w) => weights.put(w, 'current'),
            allVersions: async () => versions.getAll(),
            putVersion: async (v) => versions.put(v),
            addLog: async (record) => chain.append(record),
          },
          change,
          log,
        ),
      );
    });
  }

  async saveWeights(
    weights: WeightsRecord,
    meta: ModelMeta,
    history: { metrics?: TrainingMetrics; keep?: number } = {},
  ): Promise<{ served: boolean; head: WeightsRecord }> {
    const keep = history.keep ?? KEEP_VERSIONS_DEFAULT;
    assertKeepVersions(keep);
    return this.run(async (db) => {
      const tx = db.transaction(['weights', 'meta', 'versions'], 'readwrite', { durability: 'strict' });
      const metaStore = tx.objectStore('meta');
      const weightsStore = tx.objectStore('weights');
      const versions = tx.objectStore('versions');
      return commitOrAbort(tx, async () => {
        const [stored, current] = await Promise.all([metaStore.get('model'), weightsStore.get('current')]);
        assertNewer(weights, { meta: stored, weights: current });
        // Read inside the transaction: a pin another tab stored before it is seen, one after it waits for it.
        const served = current?.pinned !== true;
        const head = served ? servedAfter(weights, current) : current!;
        await Promise.all([
          served ? weightsStore.put(head, 'current') : null,
          metaStore.put(mergeMeta(stored, meta), 'model'),
          versions.put(versionRecord(weights, history.metrics)),
        ]);
        const gone = evicted(await versions.getAllKeys(), keep, served ? weights.version : current?.version);
        await Promise.all(gone.map(async (version) => versions.delete(version)));
        return { served, head };
      });
    });
  }

  async versions(): Promise<VersionRecord[]> {
    return this.run(async (db) => (await db.getAll('versions')).reverse(), true);
  }

  async serveVersion(change: ServeChange, log: ServeLogWriter): Promise<WeightsRecord> {
    return this.run(async (db) => {
      const tx = db.transaction(['weights', 'versions', 'log'], 'readwrite', { durability: 'strict' });
      const weights = tx.objectStore('weights');
      const versions = tx.objectStore('versions');
      const chain = chainOn(tx.objectStore('log'));
      return commitOrAbort(tx, () =>
        applyServe(
          {
            getVersion: async (version) => versions.get(version),
            versionNumbers: async () => versions.getAllKeys(),
            getCurrent: async () => weights.get('current'),
            putCurrent: async (w) => weights.put(w, 'current'),
            addLog: async (record) => chain.append(record),
          },
          change,
          log,
        ),
      );
    });
  }

  async record(log: LogRecord[], queue: QueueRecord[], evict: string[] = []): Promise<void> {
    if (log.length === 0 && queue.length === 0 && evict.length === 0) return;
    await this.run(async (db) => {
      // Relaxed: these follow answers already given; a crash loses at most the last batch of them, never a label.
      const tx = db.transaction(['log', 'queue'], 'readwrite', { durability: 'relaxed' });
      const chain = chainOn(tx.objectStore('log'));
      const queueStore = tx.objectStore('queue');
      await commitOrAbort(tx, () =>
        Promise.all([chain.appendAll(log), ...queue.map(async (r) => queueStore.put(r)), ...evict.map(async (id) => queueStore.delete(id))]),
      );
    });
  }

  async sealLog(): Promise<void> {
    await this.run(async (db) => {
      const tx = db.transaction('log', 'readwrite', { durability: 'strict' });
      await commitOrAbort(tx, async () => {
        if ((await tx.store.openCursor(null, 'prev'))?.value.hash === undefined) await sealStored(tx.store as unknown as LogStore);
      });
    });
  }

  async putQueued(records: QueueRecord[]): Promise<void> {
    await this.run(async (db) => {
      const tx = db.transaction('queue', 'readwrite', { durability: 'strict' });
      await commitOrAbort(tx, () => Promise.all(records.map(async (r) => tx.store.put(r))));
    });
  }

  /**
   * Reads the `by-time` index, which keeps entries by time and then by id. Without a limit, or when the range holds
   * no more than it, one getAll; otherwise a reverse cursor walks only the newest `limit` entries.
   */
  async readLog(range: LogRange = {}): Promise<LogRecord[]> {
    assertLogRange(range);
    const { since, limit = Infinity } = range;
    if (limit === 0) return [];
    return this.run(async (db) => {
      const index = db.transaction('log', 'readonly').store.index('by-time');
      const keys = since === undefined ? null : IDBKeyRange.lowerBound(since);
      if (limit === Infinity || (await index.count(keys)) <= limit) return index.getAll(keys);
      const newest: LogRecord[] = [];
      let cursor = await index.openCursor(keys, 'prev');
      while (cursor) {
        newest.push(cursor.value);
        if (newest.length === limit) break;
        cursor = await cursor.continue();
      }
      return newest.reverse();
    }, true);
  }

  async readLogAfter(id: number): Promise<LogRecord[]> {
    assertLogId(id);
    return this.run((db) => db.getAll('log', IDBKeyRange.lowerBound(id, true)), true);
  }

  async countLog(since?: number): Promise<number> {
    assertLogRange({ since });
    return this.run((db) => (since === undefined ? db.count('log') : db.countFromIndex('log', 'by-time', IDBKeyRange.lowerBound(since))), true);
  }

  async findPrediction(predictionId: string): Promise<LogRecord | undefined> {
    const found = await this.run((db) => db.getAllFromIndex('log', 'by-prediction', predictionId), true);
    return found.find((r) => r.kind === 'prediction');
  }

  async dump(): Promise<Dump> {
    return this.run(async (db) => {
      const tx = db.transaction(['meta', 'examples', 'weights', 'queue', 'log'], 'readonly');
      const [meta, examples, weights, queue, log] = await Promise.all([
        tx.objectStore('meta').get('model'),
        tx.objectStore('examples').getAll(),
        tx.objectStore('weights').get('current'),
        tx.objectStore('queue').getAll(),
        tx.objectStore('log').getAll(),
        tx.done,
      ]);
      examples.sort((a, b) => a.seq - b.seq);
      return { meta, examples, weights, queue, log };
    }, true);
  }

  async applyImport(plan: ImportPlan): Promise<void> {
    await this.run(async (db) => {
      const tx = db.transaction(['meta', 'examples', 'weights', 'queue', 'log', 'versions'], 'readwrite', { durability: 'strict' });
      const examples = tx.objectStore('examples');
      const queue = tx.objectStore('queue');
      const chain = chainOn(tx.objectStore('log'));
      const metaStore = tx.objectStore('meta');
      await commitOrAbort(tx, () =>
        Promise.all([
          metaStore.get('model').then((stored) => metaStore.put(mergeMeta(stored, plan.meta), 'model')),
          ...plan.examples.map(async (e) => examples.put(e)),
          // A labelled input is no longer pending, whichever side labelled it.
          ...plan.examples.map(async (e) => queue.delete(e.id)),
          ...plan.queue.map(async (q) => queue.put(q)),
          chain.appendAll(plan.log),
          // An imported head serves, unpinned (an import is asked for), and is kept as a version like a trained one.
          plan.weights
            ? tx
                .objectStore('weights')
                .get('current')
                .then((current) => tx.objectStore('weights').put(servedAfter(versionRecord(plan.weights!).weights, current), 'current'))
            : null,
          plan.weights ? tx.objectStore('versions').put(versionRecord(plan.weights)) : null,
        ]),
      );
    });
  }

  async clear(meta: ModelMeta): Promise<void> {
    await this.run(async (db) => {
      const tx = db.transaction(['examples', 'weights', 'log', 'queue', 'meta', 'embeddings', 'versions'], 'readwrite', { durability: 'strict' });
      const metaStore = tx.objectStore('meta');
      const log = tx.objectStore('log');
      await commitOrAbort(tx, async () => {
        // The log goes too, but a reset entry says so and names where the old chain ended.
        const [removed, last] = await Promise.all([log.count(), log.openCursor(null, 'prev')]);
        const lastHash = last === null ? GENESIS : (last.value.hash ?? (await sealStored(log)));
        await Promise.all([
          tx.objectStore('embeddings').clear(),
          tx.objectStore('examples').clear(),
          tx.objectStore('weights').clear(),
          tx.objectStore('versions').clear(),
          log.clear(),
          tx.objectStore('queue').clear(),
          metaStore.get('model').then((stored) => metaStore.put(clearedMeta(stored, meta), 'model')),
        ]);
        await chainOn(log).append(resetEntry(removed, lastHash, meta.maxVersion));
      });
    });
  }

  async getInputs(ids: readonly string[]): Promise<(StoredInput | undefined)[]> {
    if (ids.length === 0) return [];
    return this.run(async (db) => {
      const store = db.transaction('examples', 'readonly').store;
      const records = await Promise.all(ids.map((id) => store.get(id)));
      return records.map((record) => record?.input);
    }, true);
  }

  async getEmbeddings(space: string, ids: readonly string[]): Promise<(Float32Array | undefined)[]> {
    if (ids.length === 0) return [];
    return this.run(async (db) => {
      const store = db.transaction('embeddings', 'readonly').store;
      const records = await Promise.all(ids.map((id) => store.get([space, id])));
      return records.map((record) => record?.vector);
    }, true);
  }

  async putEmbeddings(records: readonly EmbeddingRecord[], keep: number): Promise<void> {
    assertKeep(keep);
    if (records.length === 0) return;
    await this.run(async (db) => {
      const tx = db.transaction('embeddings', 'readwrite', { durability: 'relaxed' });
      await commitOrAbort(tx, async () => {
        await Promise.all(records.map(async (r) => tx.store.put(r)));
        let excess = (await tx.store.count()) - keep;
        // The time index keeps records by time, then by key: the oldest first.
        let cursor = excess > 0 ? await tx.store.index('by-time').openCursor() : null;
        while (cursor && excess > 0) {
          await cursor.delete();
          excess -= 1;
          cursor = await cursor.continue();
        }
      });
    });
  }

  async purgeBefore(cutoff: number): Promise<PurgeCounts> {
    return this.run(async (db) => {
      const tx = db.transaction(['examples', 'log', 'queue', 'embeddings'], 'readwrite', { durability: 'strict' });
      return commitOrAbort(tx, async () => {
        const counts = { examples: 0, log: 0, queue: 0, embeddings: 0 };
        let embeddingCursor = await tx.objectStore('embeddings').index('by-time').openCursor(IDBKeyRange.upperBound(cutoff, true));
        while (embeddingCursor) {
          await embeddingCursor.delete();
          counts.embeddings += 1;
          embeddingCursor = await embeddingCursor.continue();
        }
        // Log entries by their time index; examples and queue items by a scan (they have no time index in schema 2).
        const log = tx.objectStore('log');
        // Sealed first, so the cuts below are between chained entries.
        if ((await log.openCursor(null, 'prev'))?.value.hash === undefined) await sealStored(log);
        let logCursor = await log.index('by-time').openCursor(IDBKeyRange.upperBound(cutoff, true));
        while (logCursor) {
          await logCursor.delete();
          counts.log += 1;
          logCursor = await logCursor.continue();
        }
        if (counts.log > 0) await chainOn(log).append(retentionEntry(counts.log, cutoff, cutsIn(await log.getAll())));
        let exampleCursor = await tx.objectStore('examples').openCursor();
        while (exampleCursor) {
          if (exampleCursor.value.time < cutoff) {
            await exampleCursor.delete();
            counts.examples += 1;
          }
          exampleCursor = await exampleCursor.continue();
        }
        let queueCursor = await tx.objectStore('queue').openCursor();
        while (queueCursor) {
          if (queueCursor.value.addedAt < cutoff) {
            await queueCursor.delete();
            counts.queue += 1;
          }
          queueCursor = await queueCursor.continue();
        }
        return counts;
      });
    });
  }

  private ranked: ComparisonStore | null = null;

  comparisons(): ComparisonStore {
    return (this.ranked ??= new IndexedDbComparisons((operation, reads) => this.run(operation, reads)));
  }

  /** Every operation goes through the connection (idb-connection.ts: reopened once if closed under it, full disk told). */
  private run<T>(operation: (db: IDBPDatabase<HitlDB>) => Promise<T>, reads = false): Promise<T> {
    return this.connection.run(operation, reads);
  }

  close(): void {
    this.connection.close();
  }
}
