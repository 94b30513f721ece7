import type { ComparisonStore } from './comparison-store.js';
import { MemoryComparisons } from './memory-comparisons.js';
import { applyDecision, applyDecisions, applyUndo, type Tables } from './decisions.js';
import { applyLabelChange } from './label-changes.js';
import { cutsIn, GENESIS, resetEntry, retentionEntry, sealAll, sealed } from './log-chain.js';
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
import type { TrainingMetrics } from '../../src/protocol.js';
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
import {
  assertKeep,
  assertLogId,
  assertLogRange,
  assertNewer,
  clearedMeta,
  mergeMeta,
  type LabelChangeLogWriter,
  type ModelStore,
  type UndoLogWriter,
} from './store.js';

/** The order of the log's `by-time` index (time, then id): readLog returns entries in it, whichever store. */
function byIndexOrder(a: LogRecord, b: LogRecord): number {
  return a.time - b.time || a.id! - b.id!;
}

/** The order of IndexedDB's string keys (UTF-16 code units, which `<` compares too): queue items come back in it. */
function byKey(a: QueueRecord, b: QueueRecord): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A copy, as IndexedDB would give: a caller changing the meta it passed or got must not change the stored one. */
function copyMeta(meta: ModelMeta): ModelMeta {
  return { ...meta, labels: [...meta.labels] };
}

/**
 * IndexedDB refuses a record whose key is not one (DataError) and so writes nothing of its transaction: the maps
 * would take it, so check first and refuse alike.
 */
function assertKeyed(records: readonly { id: unknown }[], store: string): void {
  for (const record of records) {
    if (typeof record.id !== 'string') throw new DOMException(`A ${store} record's id must be a string, got ${typeof record.id}.`, 'DataError');
  }
}

/**
 * `storage: 'memory'`: the same contract, kept in the worker and gone with it. Records are held as given (no
 * structured clone, which would cost a copy of every input); the meta, small and merged, is copied.
 */
export class MemoryStore implements ModelStore {
  private meta: ModelMeta | undefined;
  private readonly examples = new Map<string, ExampleRecord>();
  private weights: WeightsRecord | undefined;
  /** The kept versions (schema 5's versions store), by version. */
  private readonly kept = new Map<number, VersionRecord>();
  /** In id order: entries are only appended, and a purge keeps the order of what it leaves. */
  private log: LogRecord[] = [];
  private readonly queue = new Map<string, QueueRecord>();
  /** By [space, id] joined with a NUL, which neither a space name nor an input id holds. */
  private readonly embeddings = new Map<string, EmbeddingRecord>();
  private nextLogId = 1;
  private readonly ranked = new MemoryComparisons();

  comparisons(): ComparisonStore {
    return this.ranked;
  }

  async load(): Promise<LoadedModel> {
    return {
      meta: this.meta && copyMeta(this.meta),
      examples: [...this.examples.values()].sort((a, b) => a.seq - b.seq),
      weights: this.weights,
      queue: [...this.queue.values()].sort(byKey),
    };
  }

  async saveMeta(meta: ModelMeta): Promise<ModelMeta> {
    this.meta = copyMeta(mergeMeta(this.meta, meta));
    return copyMeta(this.meta);
  }

  async loadHead(): Promise<StoredHead> {
    return { meta: this.meta && copyMeta(this.meta), weights: this.weights };
  }

  /**
   * The memory twin of a transaction: changes go to the live maps with a journal of how to take each back, replayed
   * in reverse if `work` fails, so a failed write leaves nothing behind (and no map is copied).
   */
  private async transaction<T>(work: (tables: Tables, putMeta: (meta: ModelMeta) => void) => Promise<T>): Promise<T> {
    const journal: (() => void)[] = [];
    const setIn = <V>(map: Map<string, V>, key: string, value: V | undefined) => {
      const before = map.get(key);
      const had = map.has(key);
      journal.push(() => (had ? map.set(key, before as V) : map.delete(key)));
      if (value === undefined) map.delete(key);
      else map.set(key, value);
    };
    const addLog = (record: LogRecord) => {
      this.appendLog(record);
      journal.push(() => {
        this.log.pop();
        this.nextLogId -= 1;
      });
    };
    const tables: Tables = {
      getExample: async (id) => this.examples.get(id),
      putExample: async (example) => (assertKeyed([example], 'examples'), setIn(this.examples, example.id, example)),
      deleteExample: async (id) => setIn(this.examples, id, undefined),
      getQueued: async (id) => this.queue.get(id),
      putQueued: async (record) => (assertKeyed([record], 'queue'), setIn(this.queue, record.id, record)),
      deleteQueued: async (id) => setIn(this.queue, id, undefined),
      addLog: async (record) => addLog(record),
      addLogs: async (records) => records.forEach(addLog),
      logByDecision: async (decisionId) => this.log.filter((r) => r.decisionId === decisionId),
      getMeta: async () => this.meta,
      exampleIds: async () => [...this.examples.keys()],
      queuedIds: async () => [...this.queue.keys()],
    };
    const putMeta = (meta: ModelMeta) => {
      const before = this.meta;
      journal.push(() => (this.meta = before));
      this.meta = copyMeta(mergeMeta(before, meta));
    };
    try {
      return await work(tables, putMeta);
    } catch (error) {
      for (const undo of journal.reverse()) undo();
      throw error;
    }
  }

  async saveDecision(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void> {
    await this.transaction(async (tables, putMeta) => {
      await applyDecision(tables, example, log);
      if (meta) putMeta(meta);
    });
  }

  async saveDecisions(examples: readonly ExampleRecord[], logs: readonly LogRecord[], meta?: ModelMeta): Promise<void> {
    assertKeyed(examples, 'examples');
    await this.transaction(async (tables, putMeta) => {
      // The meta first: labels it adds are the stored labels the decisions are checked against.
      if (meta) putMeta(meta);
      await applyDecisions(tables, examples, logs);
    });
  }

  async undo(decisionId: string, undoLog: UndoLogWriter): Promise<UndoOutcome> {
    return this.transaction((tables) => applyUndo(tables, decisionId, undoLog));
  }

  /** Checked before anything changes (applyLabelChange throws before its first write), so nothing needs undoing. */
  async changeLabels(change: LabelChange, log: LabelChangeLogWriter): Promise<LabelChangeOutcome> {
    return applyLabelChange(
      {
        getMeta: async () => this.meta && copyMeta(this.meta),
        putMeta: async (meta) => (this.meta = copyMeta(meta)),
        allExamples: async () => [...this.examples.values()],
        putExample: async (e) => this.examples.set(e.id, e),
        deleteExample: async (id) => this.examples.delete(id),
        allQueued: async () => [...this.queue.values()],
        putQueued: async (q) => this.queue.set(q.id, q),
        getWeights: async () => this.weights,
        putWeights: async (w) => (this.weights = w),
        allVersions: async () => [...this.kept.values()],
        putVersion: async (v) => this.kept.set(v.version, v),
        addLog: async (record) => this.appendLog(record),
      },
      change,
      log,
    );
  }

  async saveWeights(
    weights: WeightsRecord,
    meta: ModelMeta,
    history: { metrics?: TrainingMetrics; keep?: number } = {},
  ): Promise<{ served: boolean; head: WeightsRecord }> {
    const keep = history.keep ?? KEEP_VERSIONS_DEFAULT;
    assertKeepVersions(keep);
    assertNewer(weights, { meta: this.meta, weights: this.weights });
    const served = this.weights?.pinned !== true;
    if (served) this.weights = servedAfter(weights, this.weights);
    this.meta = copyMeta(mergeMeta(this.meta, meta));
    this.kept.set(weights.version, versionRecord(weights, history.metrics));
    for (const version of evicted([...this.kept.keys()], keep, this.weights?.version)) this.kept.delete(version);
    return { served, head: this.weights! };
  }

  async versions(): Promise<VersionRecord[]> {
    return [...this.kept.values()].sort((a, b) => b.version - a.version);
  }

  /** applyServe checks before its only writes, which cannot fail here: nothing needs undoing. */
  async serveVersion(change: ServeChange, log: ServeLogWriter): Promise<WeightsRecord> {
    return applyServe(
      {
        getVersion: async (version) => this.kept.get(version),
        versionNumbers: async () => [...this.kept.keys()],
        getCurrent: async () => this.weights,
        putCurrent: async (w) => (this.weights = w),
        addLog: async (record) => this.appendLog(record),
      },
      change,
      log,
    );
  }

  async record(log: LogRecord[], queue: QueueRecord[], evict: string[] = []): Promise<void> {
    assertKeyed(queue, 'queue');
    for (const r of log) this.appendLog(r);
    for (const q of queue) this.queue.set(q.id, q);
    for (const id of evict) this.queue.delete(id);
  }

  async putQueued(records: QueueRecord[]): Promise<void> {
    assertKeyed(records, 'queue');
    for (const q of records) this.queue.set(q.id, q);
  }

  async readLog(range: LogRange = {}): Promise<LogRecord[]> {
    assertLogRange(range);
    const { since, limit = Infinity } = range;
    const inRange = (since === undefined ? [...this.log] : this.log.filter((r) => r.time >= since)).sort(byIndexOrder);
    return limit >= inRange.length ? inRange : inRange.slice(inRange.length - limit);
  }

  async readLogAfter(id: number): Promise<LogRecord[]> {
    assertLogId(id);
    return this.log.filter((r) => r.id! > id).sort((a, b) => a.id! - b.id!);
  }

  async countLog(since?: number): Promise<number> {
    assertLogRange({ since });
    if (since === undefined) return this.log.length;
    let count = 0;
    for (const r of this.log) if (r.time >= since) count += 1;
    return count;
  }

  async findPrediction(predictionId: string): Promise<LogRecord | undefined> {
    return this.log.find((r) => r.kind === 'prediction' && r.predictionId === predictionId);
  }

  async dump(): Promise<Dump> {
    return { ...(await this.load()), log: [...this.log] };
  }

  async applyImport(plan: ImportPlan): Promise<void> {
    // Checked before anything changes: the import is all of it or nothing, as in one IndexedDB transaction.
    assertKeyed(plan.examples, 'examples');
    assertKeyed(plan.queue, 'queue');
    this.meta = copyMeta(mergeMeta(this.meta, plan.meta));
    for (const e of plan.examples) {
      this.examples.set(e.id, e);
      this.queue.delete(e.id);
    }
    for (const q of plan.queue) this.queue.set(q.id, q);
    for (const r of plan.log) this.appendLog(r);
    if (plan.weights) {
      // An imported head serves, unpinned (an import is asked for), and is kept as a version like a trained one.
      const record = versionRecord(plan.weights);
      this.weights = servedAfter(record.weights, this.weights);
      this.kept.set(record.version, record);
    }
  }

  async getInputs(ids: readonly string[]): Promise<(StoredInput | undefined)[]> {
    return ids.map((id) => this.examples.get(id)?.input);
  }

  async getEmbeddings(space: string, ids: readonly string[]): Promise<(Float32Array | undefined)[]> {
    return ids.map((id) => this.embeddings.get(`${space}\0${id}`)?.vector);
  }

  async putEmbeddings(records: readonly EmbeddingRecord[], keep: number): Promise<void> {
    assertKeep(keep);
    for (const r of records) this.embeddings.set(`${r.space}\0${r.id}`, r);
    const excess = this.embeddings.size - keep;
    if (excess <= 0) return;
    // The order of IndexedDB's time index: by time, then by the [space, id] key.
    const oldest = [...this.embeddings].sort(([ka, a], [kb, b]) => a.time - b.time || (ka < kb ? -1 : ka > kb ? 1 : 0));
    for (const [key] of oldest.slice(0, excess)) this.embeddings.delete(key);
  }

  async clear(meta: ModelMeta): Promise<void> {
    this.embeddings.clear();
    this.examples.clear();
    this.weights = undefined;
    this.kept.clear();
    // The log goes too, but a reset entry says so and names where the old chain ended.
    const removed = this.log.length;
    const lastHash = this.head();
    this.log = [];
    this.appendLog(resetEntry(removed, lastHash, meta.maxVersion));
    this.queue.clear();
    this.meta = copyMeta(clearedMeta(this.meta, meta));
  }

  async purgeBefore(cutoff: number): Promise<PurgeCounts> {
    const counts = { examples: 0, log: 0, queue: 0, embeddings: 0 };
    for (const [key, record] of this.embeddings) if (record.time < cutoff && this.embeddings.delete(key)) counts.embeddings += 1;
    for (const [id, example] of this.examples) if (example.time < cutoff && this.examples.delete(id)) counts.examples += 1;
    for (const [id, item] of this.queue) if (item.addedAt < cutoff && this.queue.delete(id)) counts.queue += 1;
    this.sealLegacy();
    const kept = this.log.filter((r) => r.time >= cutoff);
    counts.log = this.log.length - kept.length;
    this.log = kept;
    if (counts.log > 0) this.appendLog(retentionEntry(counts.log, cutoff, cutsIn(kept)));
    return counts;
  }

  async sealLog(): Promise<void> {
    this.sealLegacy();
  }

  /** The newest entry's hash, sealing older unchained entries first (log-chain.ts). */
  private head(): string {
    this.sealLegacy();
    return this.log.at(-1)?.hash ?? GENESIS;
  }

  private sealLegacy(): void {
    if (this.log.length > 0 && this.log.at(-1)!.hash === undefined) this.log = sealAll(this.log);
  }

  /** Appends one entry chained to the newest, with the next id. */
  private appendLog(record: LogRecord): void {
    this.log.push({ ...sealed(record, this.head()), id: this.nextLogId++ });
  }

  close(): void {
    // Nothing to release: the data goes with this object.
  }
}
