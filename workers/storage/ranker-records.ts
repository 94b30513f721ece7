import type { CompareOutcome, RankerLogKind } from '../../src/protocol.js';
import type { ChainCut, StoredInput, Vector } from './records.js';

// The shapes a ranker stores (schema 4), beside the classifier's in the same database: a ranker and a classifier of
// one name share the database, each in stores of its own.

/** One item of a comparison as stored: its input hash, the input unless the ranker keeps none, and its vector. */
export interface ComparedItem {
  id: string;
  input?: StoredInput;
  /** The featurised input: what training reads, so a reload refits without featurising again. */
  vector: Vector;
}

/** A person's comparison of two items. */
export interface ComparisonRecord {
  /** The decision id (a UUID): undo names it. */
  id: string;
  a: ComparedItem;
  b: ComparedItem;
  outcome: CompareOutcome;
  annotator?: string;
  predictionId?: string;
  /** When it was made, ms since the epoch: the order training and retention read. */
  time: number;
}

/** One entry of a ranker's audit log: its public form (RankerLogEntry) as stored, the id assigned on write. */
export interface RankerLogRecord {
  id?: number;
  kind: RankerLogKind;
  time: number;
  decisionId?: string;
  a?: string;
  b?: string;
  outcome?: CompareOutcome;
  annotator?: string;
  predictionId?: string;
  probability?: number;
  modelVersion: number;
  detail?: string;
  cuts?: ChainCut[];
  prev?: string;
  hash?: string;
}
