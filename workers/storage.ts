import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DecisionAction, InputKind, RawPrediction } from '../src/protocol.js';
import type { SquarePixels } from './featurizers/image-decode.js';
import type { Vector } from './featurizers/vector.js';

/**
 * Bumped with every schema change; `upgrade` walks from any older version to this one, step by step.
 * 2: the review queue store, and log indexes by decision and prediction id (audit log, undo). v1 records stay as
 * they are: a v1 log entry is a v2 decision entry without the optional fields.
 */
export const SCHEMA_VERSION = 2;

export interface ModelMeta {
  name: string;
  labels: string[];
  input: InputKind;
  /** Length of a numeric row, fixed by the first labelled example; null for text or before it. */
  featureDim: number | null;
  /** The highest model version ever saved; kept by reset() so versions only grow. */
  maxVersion: number;
  /** How inputs become vectors (e.g. 'hashed-ngrams-v1', or the feature extractor's URL). */
  featurizer?: string;
  createdAt: number;
}

/** An input as stored: the text, the numeric row, or the picture decoded and resized for the featurizer. */
export type StoredInput = string | Float32Array | SquarePixels;

export interface ExampleRecord {
  /** A hash of the input: labelling the same input again replaces the record. */
  id: string;
  /** Absent when the model keeps no inputs: then `vector` holds what training needs. */
  input?: StoredInput;
  /** The featurised input, stored only when the raw input is not (`keepInputs: false`). */
  vector?: Vector;
  label: string;
  annotator?: string;
  predictionId?: string;
  /** The decision that gave this label (schema 2): undo restores the state before it. */
  decisionId?: string;
  time: number;
  /** Insertion order, so the newest of two identical-looking examples wins. */
  seq: number;
}

/** A prediction waiting for a person (schema 2). */
export interface QueueRecord {
  /** The input hash: one entry per input, and the id its example gets once labelled. */
  id: string;
  input?: StoredInput;
  /** Only when the raw input is not kept: ranking re-predicts from it. */
  vector?: Vector;
  prediction: RawPrediction;
  addedAt: number;
  /** 0 while not skipped; else the skip order (greater: skipped later, so further back). */
  skipped: number;
}

export interface WeightsRecord {
  version: number;
  labels: string[];
  inputDim: number;
  /** Row-major inputDim × labels.length. */
  weights: Float32Array;
  bias: Float32Array;
  /** Standardisation of numeric rows the head was trained with; absent for text. */
  mean?: Float32Array;
  std?: Float32Array;
  examples: number;
  savedAt: number;
  backend: string;
  /** Temperature scaling fitted on held-out labels (already applied to weights and bias). */
  calibration?: { temperature: number; heldOut: number; eceBefore: number; eceAfter: number; /** Absent in heads saved before the vote (schema 1): 0. */ voteWeight?: number };
}

/** What the log keeps of an input: text, a numeric row, or an image's size only. */
export type LoggedInput = string | Float32Array | { width: number; height: number };

/**
 * One audit log record. `kind: 'label'` is a human decision — the v1 name and shape, kept so v1 records need no
 * rewrite; schema 2 adds the optional fields and the other kinds.
 */
export interface LogRecord {
  id?: number;
  kind: 'label' | 'prediction' | 'undo' | 'import' | 'reset';
  time: number;
  /** The input hash ('' for import and reset). */
  exampleId: string;
  /** Decision: the human label. Undo: the label restored (absent when the example was removed). */
  label?: string;
  previousLabel?: string;
  annotator?: string;
  predictionId?: string;
  /** What the model had shown for this input: for a decision, the prediction it answers; for a prediction, itself. */
  predicted?: { label: string | null; confidence: number; modelVersion: number };
  modelVersion: number;
  decisionId?: string;
  action?: DecisionAction;
  input?: LoggedInput;
  /** Decisions only: the state before it, which undo restores. */
  before?: { example: ExampleRecord | null; queued: QueueRecord | null };
  detail?: string;
}

interface HitlDB extends DBSchema {
  meta: { key: 'model'; value: ModelMeta };
  examples: { key: string; value: ExampleRecord };
  weights: { key: 'current'; value: WeightsRecord };
  log: { key: number; value: LogRecord; indexes: { 'by-time': number; 'by-decision': string; 'by-prediction': string } };
  queue: { key: string; value: QueueRecord };
}

export interface LoadedModel {
  meta: ModelMeta | undefined;
  examples: ExampleRecord[];
  weights: WeightsRecord | undefined;
  queue: QueueRecord[];
}

export interface Dump extends LoadedModel {
  log: LogRecord[];
}

/** Everything an import writes, already validated: applied in one transaction or not at all. */
export interface ImportPlan {
  meta: ModelMeta;
  examples: ExampleRecord[];
  queue: QueueRecord[];
  log: LogRecord[];
  weights: WeightsRecord | null;
}

export interface UndoOutcome {
  decision: LogRecord;
  /** The example as it is again, or null when the decision had created it. */
  restored: ExampleRecord | null;
  /** The queue item put back, if the decision had taken it from the queue. */
  requeued: QueueRecord | null;
}

/** Where one model keeps its labels, weights, queue and log. Every write resolves only once it is durable. */
export interface ModelStore {
  load(): Promise<LoadedModel>;
  saveMeta(meta: ModelMeta): Promise<void>;
  /**
   * A human decision in one transaction: the example, its log entry (with the state before it, for undo), the
   * queue entry for the input removed, and (when it changed) the meta.
   */
  saveDecision(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void>;
  /** Reverts one decision in one transaction; RangeError naming why when it cannot (unknown, undone, superseded). */
  undo(decisionId: string, undoLog: (decision: LogRecord, restored: ExampleRecord | null) => LogRecord): Promise<UndoOutcome>;
  /** Weights and meta in one transaction: a half-written model is never loaded. */
  saveWeights(weights: WeightsRecord, meta: ModelMeta): Promise<void>;
  /** Batched writes of the predict path: log entries, queue entries and queue evictions in one relaxed transaction. */
  record(log: LogRecord[], queue: QueueRecord[], evict?: string[]): Promise<void>;
  putQueued(records: QueueRecord[]): Promise<void>;
  readLog(): Promise<LogRecord[]>;
  findPrediction(predictionId: string): Promise<LogRecord | undefined>;
  /** Everything, read in one transaction: a consistent snapshot for export. */
  dump(): Promise<Dump>;
  applyImport(plan: ImportPlan): Promise<void>;
  /** Deletes labels, weights, queue and log; keeps `meta` (as given) so versions keep growing. */
  clear(meta: ModelMeta): Promise<void>;
  logCount(): Promise<number>;
  close(): void;
}

export function databaseName(model: string): string {
  return `hitl-classifier:${model}`;
}

/** The reads and writes a decision or an undo needs, over IndexedDB object stores or plain maps alike. */
interface Tables {
  getExample(id: string): Promise<ExampleRecord | undefined>;
  putExample(example: ExampleRecord): Promise<unknown>;
  deleteExample(id: string): Promise<unknown>;
  getQueued(id: string): Promise<QueueRecord | undefined>;
  putQueued(record: QueueRecord): Promise<unknown>;
  deleteQueued(id: string): Promise<unknown>;
  addLog(record: LogRecord): Promise<unknown>;
  logByDecision(decisionId: string): Promise<LogRecord[]>;
}

async function applyDecision(t: Tables, example: ExampleRecord, log: LogRecord): Promise<void> {
  const [previous, queued] = await Promise.all([t.getExample(example.id), t.getQueued(example.id)]);
  const record: LogRecord = { ...log, before: { example: previous ?? null, queued: queued ?? null } };
  await Promise.all([t.putExample(example), queued ? t.deleteQueued(example.id) : null, t.addLog(record)]);
}

async function applyUndo(
  t: Tables,
  decisionId: string,
  undoLog: (decision: LogRecord, restored: ExampleRecord | null) => LogRecord,
): Promise<UndoOutcome> {
  const entries = await t.logByDecision(decisionId);
  const decision = entries.find((entry) => entry.kind === 'label');
  if (!decision) throw new RangeError(`Unknown decision id ${JSON.stringify(decisionId)}: pass the decisionId that label() resolved with.`);
  if (entries.some((entry) => entry.kind === 'undo')) throw new RangeError(`Decision ${JSON.stringify(decisionId)} was already undone.`);
  if (!decision.before) {
    throw new RangeError(`Decision ${JSON.stringify(decisionId)} was imported or recorded before undo existed, so there is no earlier state to restore.`);
  }
  const current = await t.getExample(decision.exampleId);
  if (current?.decisionId !== decisionId) {
    throw new RangeError(`A later decision changed this input after ${JSON.stringify(decisionId)}: undo that one first.`);
  }
  const { example, queued } = decision.before;
  await Promise.all([
    example ? t.putExample(example) : t.deleteExample(decision.exampleId),
    queued ? t.putQueued(queued) : null,
    t.addLog(undoLog(decision, example)),
  ]);
  return { decision, restored: example, requeued: queued };
}

/** One IndexedDB database per model name, so models never contend for a transaction or block each other's upgrades. */
export class IndexedDbStore implements ModelStore {
  private db: Promise<IDBPDatabase<HitlDB>> | null = null;

  constructor(private readonly name: string) {}

  private open(): Promise<IDBPDatabase<HitlDB>> {
    this.db ??= openDB<HitlDB>(databaseName(this.name), SCHEMA_VERSION, {
      upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          db.createObjectStore('meta');
          db.createObjectStore('examples', { keyPath: 'id' });
          db.createObjectStore('weights');
          db.createObjectStore('log', { keyPath: 'id', autoIncrement: true }).createIndex('by-time', 'time');
        }
        if (oldVersion < 2) {
          // v1 records keep their ids and fields; they lack decisionId/predictionId-as-prediction, so the new
          // indexes simply skip them (an index omits records without its key).
          const log = tx.objectStore('log');
          log.createIndex('by-decision', 'decisionId');
          log.createIndex('by-prediction', 'predictionId');
          db.createObjectStore('queue', { keyPath: 'id' });
        }
      },
      // Another tab wants a newer schema: get out of its way; the next call reopens.
      blocking: () => this.close(),
      terminated: () => {
        this.db = null;
      },
    }).catch((error: unknown) => {
      this.db = null;
      throw error;
    });
    return this.db;
  }

  async load(): Promise<LoadedModel> {
    const db = await this.open();
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
  }

  async saveMeta(meta: ModelMeta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('meta', 'readwrite', { durability: 'strict' });
    await Promise.all([tx.store.put(meta, 'model'), tx.done]);
  }

  private tables(db: IDBPDatabase<HitlDB>, durability: IDBTransactionDurability) {
    const tx = db.transaction(['examples', 'log', 'queue', 'meta'], 'readwrite', { durability });
    const examples = tx.objectStore('examples');
    const queue = tx.objectStore('queue');
    const log = tx.objectStore('log');
    const tables: Tables = {
      getExample: (id) => examples.get(id),
      putExample: (example) => examples.put(example),
      deleteExample: (id) => examples.delete(id),
      getQueued: (id) => queue.get(id),
      putQueued: (record) => queue.put(record),
      deleteQueued: (id) => queue.delete(id),
      addLog: (record) => log.add(record),
      logByDecision: (decisionId) => log.index('by-decision').getAll(decisionId),
    };
    return { tx, tables };
  }

  /** Runs `work` in one transaction; a thrown error aborts it, so nothing it did is kept. */
  private async inTransaction<T>(work: (tables: Tables, meta: (m: ModelMeta) => Promise<unknown>) => Promise<T>): Promise<T> {
    const db = await this.open();
    const { tx, tables } = this.tables(db, 'strict');
    let result: T;
    try {
      result = await work(tables, (m) => tx.objectStore('meta').put(m, 'model'));
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

  async saveDecision(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void> {
    await this.inTransaction(async (tables, putMeta) => {
      await Promise.all([applyDecision(tables, example, log), meta ? putMeta(meta) : null]);
    });
  }

  async undo(decisionId: string, undoLog: (decision: LogRecord, restored: ExampleRecord | null) => LogRecord): Promise<UndoOutcome> {
    return this.inTransaction((tables) => applyUndo(tables, decisionId, undoLog));
  }

  async saveWeights(weights: WeightsRecord, meta: ModelMeta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['weights', 'meta'], 'readwrite', { durability: 'strict' });
    await Promise.all([tx.objectStore('weights').put(weights, 'current'), tx.objectStore('meta').put(meta, 'model'), tx.done]);
  }

  async record(log: LogRecord[], queue: QueueRecord[], evict: string[] = []): Promise<void> {
    if (log.length === 0 && queue.length === 0 && evict.length === 0) return;
    const db = await this.open();
    // Relaxed: these follow answers already given; a crash loses at most the last batch of them, never a label.
    const tx = db.transaction(['log', 'queue'], 'readwrite', { durability: 'relaxed' });
    const logStore = tx.objectStore('log');
    const queueStore = tx.objectStore('queue');
    await Promise.all([
      ...log.map((r) => logStore.add(r)),
      ...queue.map((r) => queueStore.put(r)),
      ...evict.map((id) => queueStore.delete(id)),
      tx.done,
    ]);
  }

  async putQueued(records: QueueRecord[]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('queue', 'readwrite', { durability: 'strict' });
    await Promise.all([...records.map((r) => tx.store.put(r)), tx.done]);
  }

  async readLog(): Promise<LogRecord[]> {
    const db = await this.open();
    return db.getAll('log');
  }

  async findPrediction(predictionId: string): Promise<LogRecord | undefined> {
    const db = await this.open();
    const found = await db.getAllFromIndex('log', 'by-prediction', predictionId);
    return found.find((r) => r.kind === 'prediction');
  }

  async dump(): Promise<Dump> {
    const db = await this.open();
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
  }

  async applyImport(plan: ImportPlan): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['meta', 'examples', 'weights', 'queue', 'log'], 'readwrite', { durability: 'strict' });
    const examples = tx.objectStore('examples');
    const queue = tx.objectStore('queue');
    const log = tx.objectStore('log');
    await Promise.all([
      tx.objectStore('meta').put(plan.meta, 'model'),
      ...plan.examples.map((e) => examples.put(e)),
      // A labelled input is no longer pending, whichever side labelled it.
      ...plan.examples.map((e) => queue.delete(e.id)),
      ...plan.queue.map((q) => queue.put(q)),
      ...plan.log.map((r) => log.add(r)),
      plan.weights ? tx.objectStore('weights').put(plan.weights, 'current') : null,
      tx.done,
    ]);
  }

  async clear(meta: ModelMeta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['examples', 'weights', 'log', 'queue', 'meta'], 'readwrite', { durability: 'strict' });
    await Promise.all([
      tx.objectStore('examples').clear(),
      tx.objectStore('weights').clear(),
      tx.objectStore('log').clear(),
      tx.objectStore('queue').clear(),
      tx.objectStore('meta').put(meta, 'model'),
      tx.done,
    ]);
  }

  async logCount(): Promise<number> {
    const db = await this.open();
    return db.count('log');
  }

  close(): void {
    const db = this.db;
    this.db = null;
    void db?.then((d) => d.close(), () => undefined);
  }
}

/** `storage: 'memory'`: the same contract, kept in the worker and gone with it. */
export class MemoryStore implements ModelStore {
  private meta: ModelMeta | undefined;
  private readonly examples = new Map<string, ExampleRecord>();
  private weights: WeightsRecord | undefined;
  private log: LogRecord[] = [];
  private readonly queue = new Map<string, QueueRecord>();
  private nextLogId = 1;

  async load(): Promise<LoadedModel> {
    return {
      meta: this.meta,
      examples: [...this.examples.values()].sort((a, b) => a.seq - b.seq),
      weights: this.weights,
      queue: [...this.queue.values()],
    };
  }

  async saveMeta(meta: ModelMeta): Promise<void> {
    this.meta = meta;
  }

  /**
   * The memory twin of a transaction: changes go to the live maps with a journal of how to take each back, replayed
   * in reverse if `work` fails, so a failed decision or undo leaves nothing behind (and no map is copied).
   */
  private async inTransaction<T>(work: (tables: Tables) => Promise<T>): Promise<T> {
    const journal: (() => void)[] = [];
    const setIn = <V>(map: Map<string, V>, key: string, value: V | undefined) => {
      const before = map.get(key);
      const had = map.has(key);
      journal.push(() => (had ? map.set(key, before as V) : map.delete(key)));
      if (value === undefined) map.delete(key);
      else map.set(key, value);
    };
    const tables: Tables = {
      getExample: async (id) => this.examples.get(id),
      putExample: async (example) => setIn(this.examples, example.id, example),
      deleteExample: async (id) => setIn(this.examples, id, undefined),
      getQueued: async (id) => this.queue.get(id),
      putQueued: async (record) => setIn(this.queue, record.id, record),
      deleteQueued: async (id) => setIn(this.queue, id, undefined),
      addLog: async (record) => {
        this.log.push({ ...record, id: this.nextLogId++ });
        journal.push(() => {
          this.log.pop();
          this.nextLogId -= 1;
        });
      },
      logByDecision: async (decisionId) => this.log.filter((r) => r.decisionId === decisionId),
    };
    try {
      return await work(tables);
    } catch (error) {
      for (const undo of journal.reverse()) undo();
      throw error;
    }
  }

  async saveDecision(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void> {
    await this.inTransaction((tables) => applyDecision(tables, example, log));
    if (meta) this.meta = meta;
  }

  async undo(decisionId: string, undoLog: (decision: LogRecord, restored: ExampleRecord | null) => LogRecord): Promise<UndoOutcome> {
    return this.inTransaction((tables) => applyUndo(tables, decisionId, undoLog));
  }

  async saveWeights(weights: WeightsRecord, meta: ModelMeta): Promise<void> {
    this.weights = weights;
    this.meta = meta;
  }

  async record(log: LogRecord[], queue: QueueRecord[], evict: string[] = []): Promise<void> {
    for (const r of log) this.log.push({ ...r, id: this.nextLogId++ });
    for (const q of queue) this.queue.set(q.id, q);
    for (const id of evict) this.queue.delete(id);
  }

  async putQueued(records: QueueRecord[]): Promise<void> {
    for (const q of records) this.queue.set(q.id, q);
  }

  async readLog(): Promise<LogRecord[]> {
    return [...this.log];
  }

  async findPrediction(predictionId: string): Promise<LogRecord | undefined> {
    return this.log.find((r) => r.kind === 'prediction' && r.predictionId === predictionId);
  }

  async dump(): Promise<Dump> {
    return { ...(await this.load()), log: [...this.log] };
  }

  async applyImport(plan: ImportPlan): Promise<void> {
    this.meta = plan.meta;
    for (const e of plan.examples) {
      this.examples.set(e.id, e);
      this.queue.delete(e.id);
    }
    for (const q of plan.queue) this.queue.set(q.id, q);
    for (const r of plan.log) this.log.push({ ...r, id: this.nextLogId++ });
    if (plan.weights) this.weights = plan.weights;
  }

  async clear(meta: ModelMeta): Promise<void> {
    this.examples.clear();
    this.weights = undefined;
    this.log = [];
    this.queue.clear();
    this.meta = meta;
  }

  async logCount(): Promise<number> {
    return this.log.length;
  }

  close(): void {
    // Nothing to release: the data goes with this object.
  }
}
