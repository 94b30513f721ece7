import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { EmbeddingRecord, ExampleRecord, LogRecord, ModelMeta, QueueRecord, VersionRecord, WeightsRecord } from './records.js';
import { versionRecord } from './versions.js';
import type { ComparisonRecord, RankerLogRecord } from './ranker-records.js';

/**
 * Bumped with every schema change; `upgradeSchema` walks from any older version to this one, step by step.
 * 2: the review queue store, and log indexes by decision and prediction id (audit log, undo). v1 records stay as
 * they are: a v1 log entry is a v2 decision entry without the optional fields.
 * 3: the embeddings store, a cache of encoder vectors keyed by [space, input id], with an index by time.
 * 4: a ranker's stores (createRanker): comparisons by decision id, and its own hash-chained log, both with a time index.
 * 5: the versions store, the trained heads kept for rollback by version; the head stored before it becomes its first.
 */
export const SCHEMA_VERSION = 5;

export interface HitlDB extends DBSchema {
  meta: { key: 'model'; value: ModelMeta };
  examples: { key: string; value: ExampleRecord };
  weights: { key: 'current'; value: WeightsRecord };
  log: { key: number; value: LogRecord; indexes: { 'by-time': number; 'by-decision': string; 'by-prediction': string } };
  queue: { key: string; value: QueueRecord };
  embeddings: { key: [string, string]; value: EmbeddingRecord; indexes: { 'by-time': number } };
  comparisons: { key: string; value: ComparisonRecord; indexes: { 'by-time': number } };
  rankerLog: { key: number; value: RankerLogRecord; indexes: { 'by-time': number } };
  versions: { key: number; value: VersionRecord };
}

/** Stores every model needs; a database opened at a newer version (a newer library in another tab) must have them. */
export const STORES = [
  'meta',
  'examples',
  'weights',
  'log',
  'queue',
  'embeddings',
  'comparisons',
  'rankerLog',
  'versions',
] as const satisfies readonly StoreNames<HitlDB>[];

/** One database per model name, so models never contend for a transaction or block each other's upgrades. */
export function databaseName(model: string): string {
  return `hitl-classifier:${model}`;
}

/** Brings a database from `oldVersion` to SCHEMA_VERSION inside the open's versionchange transaction. */
export function upgradeSchema(
  db: IDBPDatabase<HitlDB>,
  oldVersion: number,
  tx: IDBPTransaction<HitlDB, StoreNames<HitlDB>[], 'versionchange'>,
): void {
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
  if (oldVersion < 3) {
    // A cache only: nothing older holds vectors worth moving into it, and an empty cache fills as inputs come.
    db.createObjectStore('embeddings', { keyPath: ['space', 'id'] }).createIndex('by-time', 'time');
  }
  if (oldVersion < 4) {
    // New stores only: the classifier's records stay as they are, and a ranker starts with no comparisons.
    db.createObjectStore('comparisons', { keyPath: 'id' }).createIndex('by-time', 'time');
    db.createObjectStore('rankerLog', { keyPath: 'id', autoIncrement: true }).createIndex('by-time', 'time');
  }
  if (oldVersion < 5) {
    // The head served now is the first kept version, so a rollback can come back to it after the next training.
    // Its loss and held-out accuracy were never stored: those metrics stay null (versions.ts, metricsOf).
    const versions = db.createObjectStore('versions', { keyPath: 'version' });
    void tx
      .objectStore('weights')
      .get('current')
      .then((current) => (current && current.version > 0 ? versions.put(versionRecord(current)) : undefined));
  }
}
