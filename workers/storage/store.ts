import type { ComparisonStore } from './comparison-store.js';
import type {
  Dump,
  EmbeddingRecord,
  ExampleRecord,
  ImportPlan,
  LabelChange,
  LabelChangeCounts,
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
import type { ServeChange, ServeLogWriter } from './versions.js';

/** Writes a label change's log entry once the change knows how many records it rewrote. */
export type LabelChangeLogWriter = (counts: LabelChangeCounts) => LogRecord;

/** Writes the undo's own log entry from the decision it reverts and the example it restores. */
export type UndoLogWriter = (decision: LogRecord, restored: ExampleRecord | null) => LogRecord;

/**
 * Where one model keeps its labels, weights, queue and log. Every write resolves only once it is durable (except
 * `record`, see there). The IndexedDB store and the memory store keep this contract alike, down to the order of
 * what they return: store-contract.test.ts runs the same tests against both.
 */
export interface ModelStore {
  load(): Promise<LoadedModel>;
  /**
   * Merges `meta` into the stored one (mergeMeta) and returns what was stored: another tab may have added a label
   * first, and every tab must number the labels alike.
   */
  saveMeta(meta: ModelMeta): Promise<ModelMeta>;
  /**
   * A human decision in one transaction: the example, its log entry (with the state before it, for undo), the
   * queue entry for the input removed, and (when given) the meta, merged like saveMeta.
   */
  saveDecision(example: ExampleRecord, log: LogRecord, meta?: ModelMeta): Promise<void>;
  /**
   * Many decisions in one transaction, in the order given: all of them stored, or none. `logs` are 'labels' records
   * whose decisions, in order, are the examples' (one log record per many decisions). Two decisions on one input
   * follow each other (the second's `before` is the first's example). A label the stored meta lacks (another tab
   * renamed or removed it) is refused with a RangeError naming the decision's index, and so is it in saveDecision.
   */
  saveDecisions(examples: readonly ExampleRecord[], logs: readonly LogRecord[], meta?: ModelMeta): Promise<void>;
  /**
   * Renames or removes a label in every record that names it (examples, queue predictions, the head's columns, the
   * meta), with its log entry, in one transaction (label-changes.ts). Checked against the stored labels inside it:
   * a RangeError when they do not allow the change, and nothing is written.
   */
  changeLabels(change: LabelChange, log: LabelChangeLogWriter): Promise<LabelChangeOutcome>;
  /** Reverts one decision in one transaction; RangeError naming why when it cannot (unknown, undone, superseded). */
  undo(decisionId: string, undoLog: UndoLogWriter): Promise<UndoOutcome>;
  /**
   * Weights and meta (merged like saveMeta) in one transaction: a half-written model is never loaded. A version
   * not above every version stored (assertNewer) is refused with a RangeError and nothing is written. The head is
   * kept as a version too (with `history.metrics`, or what its record tells), and the oldest versions beyond
   * `history.keep` (default 5) are deleted, never the one served. While the served head is pinned, it stays served:
   * the new head is kept as a version only, and `served` says so. `head`: the served head as stored now (with its
   * serial), the new one or the pinned one.
   */
  saveWeights(
    weights: WeightsRecord,
    meta: ModelMeta,
    history?: { metrics?: TrainingMetrics; keep?: number },
  ): Promise<{ served: boolean; head: WeightsRecord }>;
  /** The kept versions (schema 5), newest first. */
  versions(): Promise<VersionRecord[]>;
  /**
   * Serves a kept version, or pins or unpins the served head, with its log entry, in one transaction (versions.ts,
   * applyServe): a RangeError naming the kept versions when `change.version` is not one, and nothing is written.
   */
  serveVersion(change: ServeChange, log: ServeLogWriter): Promise<WeightsRecord>;
  /** Batched writes of the predict path: log entries, queue entries and queue evictions in one relaxed transaction. */
  record(log: LogRecord[], queue: QueueRecord[], evict?: string[]): Promise<void>;
  putQueued(records: QueueRecord[]): Promise<void>;
  /** Log entries in `range` (all of them without one), oldest first: by time, then by id. */
  readLog(range?: LogRange): Promise<LogRecord[]>;
  /**
   * Log entries written after the one with id `id`, in the order they were written (by id): what a reader that has
   * read up to `id` is missing. Reads only those, through the key range. Refuses an id that is not a whole number.
   */
  readLogAfter(id: number): Promise<LogRecord[]>;
  /** How many log entries there are at or after `since` (all of them without it). */
  countLog(since?: number): Promise<number>;
  /** Chains entries written before the audit log was a hash chain (log-chain.ts); a no-op once it is. */
  sealLog(): Promise<void>;
  /** The prediction entry with this id, the first written if there are several. */
  findPrediction(predictionId: string): Promise<LogRecord | undefined>;
  /** Everything, read in one transaction: a consistent snapshot for export. */
  dump(): Promise<Dump>;
  /** Writes a validated import in one transaction, meta merged like saveMeta: all of it, or nothing when any part fails. */
  applyImport(plan: ImportPlan): Promise<void>;
  /** Deletes labels, weights, kept versions, queue, log and embeddings; keeps the meta (clearedMeta) so versions keep growing. */
  clear(meta: ModelMeta): Promise<void>;
  /** The stored inputs of the examples `ids`, in the order asked; undefined where there is none (or no input kept). */
  getInputs(ids: readonly string[]): Promise<(StoredInput | undefined)[]>;
  /** The vectors stored for `ids` in `space`, in the order asked; undefined where none is. */
  getEmbeddings(space: string, ids: readonly string[]): Promise<(Float32Array | undefined)[]>;
  /**
   * Stores vectors, replacing those of the same space and id, then deletes the oldest (by time, then key) beyond
   * `keep` records in all, in one relaxed transaction: it is a cache, losing its last write costs a recomputation.
   */
  putEmbeddings(records: readonly EmbeddingRecord[], keep: number): Promise<void>;
  /** Meta and weights alone, as stored now: what another tab may have changed without touching the examples. */
  loadHead(): Promise<StoredHead>;
  /** Deletes examples, log entries, queue items and embeddings older than `cutoff` (ms since the epoch) in one transaction. */
  purgeBefore(cutoff: number): Promise<PurgeCounts>;
  /** A ranker's comparisons and log, in stores of this model's database (comparison-store.ts). */
  comparisons(): ComparisonStore;
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

/** The browser gave this origin no usable IndexedDB: the model works in memory and keeps nothing. */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

/**
 * Two tabs write one meta record: versions must only grow and a label one tab added must never vanish because
 * another tab wrote the meta it had in memory. Labels are only ever appended, so the stored order stays first.
 */
export function mergeMeta(stored: ModelMeta | undefined, incoming: ModelMeta): ModelMeta {
  if (!stored) return incoming;
  // Only a label change (changeLabels) takes labels away, in its own transaction. A writer that has not seen the
  // revision which retired a label still holds it from before: it stays retired.
  const seen = incoming.labelsRevision ?? 0;
  const retired = stored.retiredLabels ?? {};
  const added = incoming.labels.filter((label) => !stored.labels.includes(label) && !(seen < (retired[label] ?? 0)));
  const labels = [...stored.labels, ...added];
  const merged = { ...incoming, labels, maxVersion: Math.max(stored.maxVersion, incoming.maxVersion) };
  const revision = Math.max(stored.labelsRevision ?? 0, seen);
  if (revision === 0) return merged;
  const stillRetired = Object.fromEntries(Object.entries(retired).filter(([label]) => !labels.includes(label)));
  return { ...merged, labelsRevision: revision, retiredLabels: stillRetired };
}

/** The meta a reset keeps: labels and versions merged, but featureDim as given (a reset model may take other rows). */
export function clearedMeta(stored: ModelMeta | undefined, incoming: ModelMeta): ModelMeta {
  return { ...mergeMeta(stored, incoming), featureDim: incoming.featureDim };
}

/**
 * A saved head must be newer than every version stored, in the meta or the weights: another tab may have saved a
 * newer model meanwhile, and the stored model must never go back to an older one.
 */
export function assertNewer(weights: WeightsRecord, stored: StoredHead): void {
  const newest = Math.max(stored.meta?.maxVersion ?? 0, stored.weights?.version ?? 0);
  if (weights.version <= newest) {
    throw new RangeError(`Model version ${weights.version} is not newer than version ${newest}, which another tab saved meanwhile; train again.`);
  }
}

/** How many embeddings a cache keeps: a whole number, 0 or more. */
export function assertKeep(keep: number): void {
  if (!(Number.isInteger(keep) && keep >= 0))
    throw new RangeError(`An embedding cache keeps a whole number of vectors, 0 or more, got ${String(keep)}.`);
}

/** `since` must be a key the time index can compare; `limit` a count (Infinity: all of them). */
/** A log id for readLogAfter: a whole number (0 before the first entry). */
export function assertLogId(id: number): void {
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new RangeError(`A log entry id must be a whole number, got ${String(id)}.`);
}

export function assertLogRange(range: LogRange): void {
  if (range.since !== undefined && (typeof range.since !== 'number' || Number.isNaN(range.since))) {
    throw new RangeError(`A log range's since must be a number of ms since the epoch, got ${String(range.since)}.`);
  }
  const limit = range.limit;
  if (limit !== undefined && !(typeof limit === 'number' && limit >= 0 && (Number.isInteger(limit) || limit === Infinity))) {
    throw new RangeError(`A log range's limit must be a whole number of entries, 0 or more, got ${String(limit)}.`);
  }
}
