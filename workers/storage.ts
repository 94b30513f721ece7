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
  calibration?: {
    temperature: number;
    heldOut: number;
    eceBefore: number;
    eceAfter: number;
    /** Absent in heads saved before the vote (schema 1): 0. */ voteWeight?: number;
  };
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
  /**
   * Merges `meta` into the stored one (labels only ever appended, in the order the database saw them) and returns
   * what was stored: another tab may have added a label first, and every tab must number the labels alike.
   */
  saveMeta(meta: ModelMeta): Promise<ModelMeta>;
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
  /** Meta and weights alone, as stored now: what another tab may have changed without touching the examples. */
  loadHead(): Promise<{ meta: ModelMeta | undefined; weights: WeightsRecord | undefined }>;
  /** Deletes examples, log entries and queue items older than `cutoff` (ms since the epoch) in one transaction. */
  purgeBefore(cutoff: number): Promise<{ examples: number; log: number; queue: number }>;
  close(): void;
}

/** What went wrong with a model's storage, as the engine reports it to every page. */
export interface StorageProblem {
  kind: 'quota';
  message: string;
}

/** The browser refused to write: the storage for this origin is full. Nothing of the failed write was kept. */
export const QUOTA_MESSAGE =
  "The browser's storage for this site is full, so nothing of this change was saved (QuotaExceededError). " +
  "Free some space: export and reset models you no longer need, or clear this site's data in the browser settings, then try again.";

/** How long an open waits for an older connection in another tab that does not close before giving up on storage. */
export const BLOCKED_TIMEOUT_MS = 5_000;

/**
 * Two tabs write one meta record: versions must only grow and a label one tab added must never vanish because
 * another tab wrote the meta it had in memory. Labels are only ever appended, so the stored order stays first.
 */
export function mergeMeta(stored: ModelMeta | undefined, incoming: ModelMeta): ModelMeta {
  if (!stored) return incoming;
  const labels = [...stored.labels, ...incoming.labels.filter((label) => !stored.labels.includes(label))];
  return { ...incoming, labels, maxVersion: Math.max(stored.maxVersion, incoming.maxVersion) };
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
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
    throw new RangeError(
      `Decision ${JSON.stringify(decisionId)} was imported or recorded before undo existed, so there is no earlier state to restore.`,
    );
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

/** The browser gave this origin no usable IndexedDB: the model works in memory and keeps nothing. */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

/** Stores every model needs; a database opened at a newer version (a newer library in another tab) must have them. */
const STORES = ['meta', 'examples', 'weights', 'log', 'queue'] as const;

export interface IndexedDbStoreOptions {
  /** Told about a full disk (each time a write fails for it), so pages can say what to do. */
  onProblem?: (problem: StorageProblem) => void;
  /** How long to wait for another tab's old connection to close before giving up on storage. */
  blockedTimeoutMs?: number;
}

/** One IndexedDB database per model name, so models never contend for a transaction or block each other's upgrades. */
export class IndexedDbStore implements ModelStore {
  private db: Promise<IDBPDatabase<HitlDB>> | null = null;
  private readonly onProblem: ((problem: StorageProblem) => void) | undefined;
  private readonly blockedTimeoutMs: number;

  constructor(
    private readonly name: string,
    options: IndexedDbStoreOptions = {},
  ) {
    this.onProblem = options.onProblem;
    this.blockedTimeoutMs = options.blockedTimeoutMs ?? BLOCKED_TIMEOUT_MS;
  }

  /** Opens (creating or upgrading) the database now: rejects with StorageUnavailableError when it cannot be used. */
  async probe(): Promise<void> {
    await this.open();
  }

  private open(): Promise<IDBPDatabase<HitlDB>> {
    this.db ??= this.connect().catch((error: unknown) => {
      this.db = null;
      throw error;
    });
    return this.db;
  }

  private async connect(): Promise<IDBPDatabase<HitlDB>> {
    if (typeof indexedDB === 'undefined') throw new StorageUnavailableError('This browser offers no IndexedDB here.');
    try {
      return await this.openAt(SCHEMA_VERSION);
    } catch (error) {
      // Another tab runs a newer library that upgraded the database: its schema only adds, so open it as it is.
      if (!(error instanceof DOMException && error.name === 'VersionError')) throw this.unavailable(error);
      const db = await this.openAt(undefined).catch((again: unknown) => Promise.reject(this.unavailable(again)));
      const missing = STORES.filter((store) => !db.objectStoreNames.contains(store));
      if (missing.length > 0) {
        db.close();
        throw new StorageUnavailableError(`The database of model "${this.name}" (version ${db.version}) lacks the stores ${missing.join(', ')}.`);
      }
      return db;
    }
  }

  private unavailable(error: unknown): Error {
    if (error instanceof StorageUnavailableError) return error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new StorageUnavailableError(`The browser refused to open the database of model "${this.name}" (${reason}).`);
  }

  /** `version` undefined opens at whatever version exists. A blocked open waits, but not forever. */
  private openAt(version: number | undefined): Promise<IDBPDatabase<HitlDB>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    const opening = openDB<HitlDB>(databaseName(this.name), version, {
      upgrade(db, oldVersion, _newVersion, tx) {
        // Given up on (the model went on in memory): leave the database as the other tab has it.
        if (gaveUp) {
          tx.abort();
          return;
        }
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
      // Another tab keeps an older connection open and does not close it: wait a while, then work without storage.
      blocked: () => {
        timer ??= setTimeout(() => {
          gaveUp = true;
          rejectBlocked(
            new StorageUnavailableError(
              `Another tab keeps an older version of the database of model "${this.name}" open, so it cannot be upgraded. ` +
                'Close the other tabs of this site and reload.',
            ),
          );
        }, this.blockedTimeoutMs);
      },
      // Another tab wants a newer schema: get out of its way; the next call reopens.
      blocking: () => this.close(),
      terminated: () => {
        this.db = null;
      },
    });
    let rejectBlocked: (error: Error) => void = () => undefined;
    const blocked = new Promise<never>((_resolve, reject) => (rejectBlocked = reject));
    // An open given up on may still succeed later: close it then, or it would block the next upgrade in turn.
    void opening.then(
      (db) => gaveUp && db.close(),
      () => undefined,
    );
    return Promise.race([opening, blocked]).finally(() => clearTimeout(timer));
  }

  async load(): Promise<LoadedModel> {
    return this.write(async (db) => {
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
    let merged = meta;
    await this.write(async (db) => {
      const tx = db.transaction('meta', 'readwrite', { durability: 'strict' });
      await Promise.all([
        tx.store.get('model').then((stored) => {
          merged = mergeMeta(stored, meta);
          return tx.store.put(merged, 'model');
        }),
        tx.done,
      ]);
    });
    return merged;
  }

  async loadHead(): Promise<{ meta: ModelMeta | undefined; weights: WeightsRecord | undefined }> {
    return this.write(async (db) => {
      const tx = db.transaction(['meta', 'weights'], 'readonly');
      const [meta, weights] = await Promise.all([tx.objectStore('meta').get('model'), tx.objectStore('weights').get('current'), tx.done]);
      return { meta, weights };
    }, true);
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
    return this.write((db) => this.runTransaction(db, work));
  }

  private async runTransaction<T>(
    db: IDBPDatabase<HitlDB>,
    work: (tables: Tables, meta: (m: ModelMeta) => Promise<unknown>) => Promise<T>,
  ): Promise<T> {
    const { tx, tables } = this.tables(db, 'strict');
    let result: T;
    try {
      result = await work(tables, async (m) => tx.objectStore('meta').put(mergeMeta(await tx.objectStore('meta').get('model'), m), 'model'));
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

  /**
   * Weights and meta in one transaction. A version not above the highest one stored (another tab saved a newer
   * model meanwhile) is refused, so the stored model never goes back.
   */
  async saveWeights(weights: WeightsRecord, meta: ModelMeta): Promise<void> {
    await this.write(async (db) => {
      const tx = db.transaction(['weights', 'meta'], 'readwrite', { durability: 'strict' });
      const metaStore = tx.objectStore('meta');
      const stored = await metaStore.get('model');
      const current = await tx.objectStore('weights').get('current');
      const newest = Math.max(stored?.maxVersion ?? 0, current?.version ?? 0);
      if (weights.version <= newest) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw new RangeError(`Model version ${weights.version} is not newer than version ${newest}, which another tab saved meanwhile; train again.`);
      }
      await Promise.all([tx.objectStore('weights').put(weights, 'current'), metaStore.put(mergeMeta(stored, meta), 'model'), tx.done]);
    });
  }

  async record(log: LogRecord[], queue: QueueRecord[], evict: string[] = []): Promise<void> {
    if (log.length === 0 && queue.length === 0 && evict.length === 0) return;
    await this.write(async (db) => {
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
    });
  }

  async putQueued(records: QueueRecord[]): Promise<void> {
    await this.write(async (db) => {
      const tx = db.transaction('queue', 'readwrite', { durability: 'strict' });
      await Promise.all([...records.map((r) => tx.store.put(r)), tx.done]);
    });
  }

  async readLog(): Promise<LogRecord[]> {
    return this.write((db) => db.getAll('log'), true);
  }

  async findPrediction(predictionId: string): Promise<LogRecord | undefined> {
    const found = await this.write((db) => db.getAllFromIndex('log', 'by-prediction', predictionId), true);
    return found.find((r) => r.kind === 'prediction');
  }

  async dump(): Promise<Dump> {
    return this.write(async (db) => {
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
    await this.write(async (db) => {
      const tx = db.transaction(['meta', 'examples', 'weights', 'queue', 'log'], 'readwrite', { durability: 'strict' });
      const examples = tx.objectStore('examples');
      const queue = tx.objectStore('queue');
      const log = tx.objectStore('log');
      const metaStore = tx.objectStore('meta');
      await Promise.all([
        metaStore.get('model').then((stored) => metaStore.put(mergeMeta(stored, plan.meta), 'model')),
        ...plan.examples.map((e) => examples.put(e)),
        // A labelled input is no longer pending, whichever side labelled it.
        ...plan.examples.map((e) => queue.delete(e.id)),
        ...plan.queue.map((q) => queue.put(q)),
        ...plan.log.map((r) => log.add(r)),
        plan.weights ? tx.objectStore('weights').put(plan.weights, 'current') : null,
        tx.done,
      ]);
    });
  }

  async clear(meta: ModelMeta): Promise<void> {
    await this.write(async (db) => {
      const tx = db.transaction(['examples', 'weights', 'log', 'queue', 'meta'], 'readwrite', { durability: 'strict' });
      const metaStore = tx.objectStore('meta');
      await Promise.all([
        tx.objectStore('examples').clear(),
        tx.objectStore('weights').clear(),
        tx.objectStore('log').clear(),
        tx.objectStore('queue').clear(),
        // featureDim goes (a reset model may take rows of another length); versions and labels stay.
        metaStore.get('model').then((stored) => metaStore.put({ ...mergeMeta(stored, meta), featureDim: meta.featureDim }, 'model')),
        tx.done,
      ]);
    });
  }

  async purgeBefore(cutoff: number): Promise<{ examples: number; log: number; queue: number }> {
    return this.write(async (db) => {
      const tx = db.transaction(['examples', 'log', 'queue'], 'readwrite', { durability: 'strict' });
      const counts = { examples: 0, log: 0, queue: 0 };
      // Log entries by their time index; examples and queue items by a scan (they have no time index in schema 2).
      let logCursor = await tx.objectStore('log').index('by-time').openCursor(IDBKeyRange.upperBound(cutoff, true));
      while (logCursor) {
        await logCursor.delete();
        counts.log += 1;
        logCursor = await logCursor.continue();
      }
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
      await tx.done;
      return counts;
    });
  }

  async logCount(): Promise<number> {
    return this.write((db) => db.count('log'), true);
  }

  /**
   * Every operation goes through here: a connection closed under it (another tab upgraded the database, or the
   * browser terminated it) is reopened and the operation tried once more; a full disk becomes a QuotaExceededError
   * that says what to do, reported to the engine as well.
   */
  private async write<T>(operation: (db: IDBPDatabase<HitlDB>) => Promise<T>, reads = false): Promise<T> {
    let result: T;
    try {
      try {
        result = await operation(await this.open());
      } catch (error) {
        if (!(error instanceof DOMException && error.name === 'InvalidStateError')) throw error;
        this.close();
        result = await operation(await this.open());
      }
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      // Told once per spell of full storage: a page that reacts by writing again must not hear of it in a loop.
      if (!this.full) this.onProblem?.({ kind: 'quota', message: QUOTA_MESSAGE });
      this.full = true;
      throw new DOMException(QUOTA_MESSAGE, 'QuotaExceededError');
    }
    if (!reads) this.full = false;
    return result;
  }

  private full = false;

  close(): void {
    const db = this.db;
    this.db = null;
    void db?.then(
      (d) => d.close(),
      () => undefined,
    );
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

  async saveMeta(meta: ModelMeta): Promise<ModelMeta> {
    this.meta = meta;
    return meta;
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

  async loadHead(): Promise<{ meta: ModelMeta | undefined; weights: WeightsRecord | undefined }> {
    return { meta: this.meta, weights: this.weights };
  }

  async purgeBefore(cutoff: number): Promise<{ examples: number; log: number; queue: number }> {
    const counts = { examples: 0, log: 0, queue: 0 };
    for (const [id, example] of this.examples) if (example.time < cutoff && this.examples.delete(id)) counts.examples += 1;
    for (const [id, item] of this.queue) if (item.addedAt < cutoff && this.queue.delete(id)) counts.queue += 1;
    const kept = this.log.filter((r) => r.time >= cutoff);
    counts.log = this.log.length - kept.length;
    this.log = kept;
    return counts;
  }

  close(): void {
    // Nothing to release: the data goes with this object.
  }
}
