import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { InputKind } from '../src/protocol.js';
import type { SquarePixels } from './featurizers/image-decode.js';

/** Bumped with every schema change; `upgrade` walks from any older version to this one, step by step. */
export const SCHEMA_VERSION = 1;

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
  input: StoredInput;
  label: string;
  annotator?: string;
  predictionId?: string;
  time: number;
  /** Insertion order, so the newest of two identical-looking examples wins. */
  seq: number;
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
  calibration?: { temperature: number; heldOut: number; eceBefore: number; eceAfter: number };
}

export interface LogRecord {
  id?: number;
  kind: 'label';
  time: number;
  exampleId: string;
  label: string;
  previousLabel?: string;
  annotator?: string;
  predictionId?: string;
  /** What the model had shown for this input, when the label answers a prediction. */
  predicted?: { label: string | null; confidence: number; modelVersion: number };
  modelVersion: number;
}

interface HitlDB extends DBSchema {
  meta: { key: 'model'; value: ModelMeta };
  examples: { key: string; value: ExampleRecord };
  weights: { key: 'current'; value: WeightsRecord };
  log: { key: number; value: LogRecord; indexes: { 'by-time': number } };
}

export interface LoadedModel {
  meta: ModelMeta | undefined;
  examples: ExampleRecord[];
  weights: WeightsRecord | undefined;
}

/** Where one model keeps its labels, weights and log. Every write resolves only once it is durable. */
export interface ModelStore {
  load(): Promise<LoadedModel>;
  saveMeta(meta: ModelMeta): Promise<void>;
  /** The example, its log entry and (when it changed) the meta, in one transaction. */
  saveExample(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void>;
  /** Weights and meta in one transaction: a half-written model is never loaded. */
  saveWeights(weights: WeightsRecord, meta: ModelMeta): Promise<void>;
  /** Deletes labels, weights and log; keeps `meta` (as given) so versions keep growing. */
  clear(meta: ModelMeta): Promise<void>;
  logCount(): Promise<number>;
  close(): void;
}

export function databaseName(model: string): string {
  return `hitl-classifier:${model}`;
}

/** One IndexedDB database per model name, so models never contend for a transaction or block each other's upgrades. */
export class IndexedDbStore implements ModelStore {
  private db: Promise<IDBPDatabase<HitlDB>> | null = null;

  constructor(private readonly name: string) {}

  private open(): Promise<IDBPDatabase<HitlDB>> {
    this.db ??= openDB<HitlDB>(databaseName(this.name), SCHEMA_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('meta');
          db.createObjectStore('examples', { keyPath: 'id' });
          db.createObjectStore('weights');
          db.createObjectStore('log', { keyPath: 'id', autoIncrement: true }).createIndex('by-time', 'time');
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
    const tx = db.transaction(['meta', 'examples', 'weights'], 'readonly');
    const [meta, examples, weights] = await Promise.all([
      tx.objectStore('meta').get('model'),
      tx.objectStore('examples').getAll(),
      tx.objectStore('weights').get('current'),
      tx.done,
    ]);
    examples.sort((a, b) => a.seq - b.seq);
    return { meta, examples, weights };
  }

  async saveMeta(meta: ModelMeta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('meta', 'readwrite', { durability: 'strict' });
    await Promise.all([tx.store.put(meta, 'model'), tx.done]);
  }

  async saveExample(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['examples', 'log', 'meta'], 'readwrite', { durability: 'strict' });
    const writes: Promise<unknown>[] = [tx.objectStore('examples').put(example), tx.objectStore('log').add(log)];
    if (meta) writes.push(tx.objectStore('meta').put(meta, 'model'));
    await Promise.all([...writes, tx.done]);
  }

  async saveWeights(weights: WeightsRecord, meta: ModelMeta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['weights', 'meta'], 'readwrite', { durability: 'strict' });
    await Promise.all([tx.objectStore('weights').put(weights, 'current'), tx.objectStore('meta').put(meta, 'model'), tx.done]);
  }

  async clear(meta: ModelMeta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['examples', 'weights', 'log', 'meta'], 'readwrite', { durability: 'strict' });
    await Promise.all([
      tx.objectStore('examples').clear(),
      tx.objectStore('weights').clear(),
      tx.objectStore('log').clear(),
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

  async load(): Promise<LoadedModel> {
    return { meta: this.meta, examples: [...this.examples.values()].sort((a, b) => a.seq - b.seq), weights: this.weights };
  }

  async saveMeta(meta: ModelMeta): Promise<void> {
    this.meta = meta;
  }

  async saveExample(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void> {
    this.examples.set(example.id, example);
    this.log.push(log);
    if (meta) this.meta = meta;
  }

  async saveWeights(weights: WeightsRecord, meta: ModelMeta): Promise<void> {
    this.weights = weights;
    this.meta = meta;
  }

  async clear(meta: ModelMeta): Promise<void> {
    this.examples.clear();
    this.weights = undefined;
    this.log = [];
    this.meta = meta;
  }

  async logCount(): Promise<number> {
    return this.log.length;
  }

  close(): void {
    // Nothing to release: the data goes with this object.
  }
}
