import type { DecisionAction, InputKind, RawPrediction, TrainingMetrics } from '../../src/protocol.js';

// The shapes stored in a model's database. Storage owns them: featurizers import their input and vector types from
// here, never the other way round, so the storage layer can change without reading the featurizers.

/** RGBA pixels of a square image, as the featurizer takes them and as a model that keeps inputs stores them. */
export interface SquarePixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A sparse row: sorted, unique indices with their values. Text features are sparse; numeric rows are dense. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
  /**
   * What a text model's head reads instead of this vector, when the model's featurizer choice adds a feature group
   * that the near-duplicate memory does not compare (text-short-grams.ts); `share` and `extra` (absent: letters) name
   * the choice it was made for, and `scale` the divisor of the letters' counts (extra 'counts').
   */
  head?: { share: number; extra?: HeadExtra; scale?: number; vector: SparseVector };
}

/**
 * The group a text head may read besides its n-grams (workers/featurizers/head-views.ts): 'letters', short character
 * grams, 'counts', the same grams' plain counts over a scale (countScale), or 'words', the n-grams' own word
 * unigrams and bigrams as a group of their own.
 */
export type TextGroup = 'letters' | 'counts' | 'words';
/**
 * What a text head's view changes (feature-choice.ts): a text group joined to the n-grams at a share, or, for a model
 * with a text encoder, 'encoder': the same vector re-split so that the embedding has that share (encoder-view.ts).
 */
export type HeadExtra = TextGroup | 'encoder';

export type Vector = SparseVector | Float32Array;

export interface ModelMeta {
  name: string;
  labels: string[];
  input: InputKind;
  /** Length of a numeric row, fixed by the first labelled example; null for text or before it. */
  featureDim: number | null;
  /** The highest model version ever saved; kept by reset() so versions only grow. */
  maxVersion: number;
  /**
   * Bumped by every rename or removal of a label (absent: 0). A tab that has not seen a revision still holds the
   * labels it retired, and must not bring them back when it writes the meta (mergeMeta).
   */
  labelsRevision?: number;
  /** Labels renamed away or removed, with the revision that retired each; a label added again leaves this list. */
  retiredLabels?: Record<string, number>;
  /** How inputs become vectors (e.g. 'hashed-ngrams-v1', or the feature extractor's URL). */
  featurizer?: string;
  createdAt: number;
  /** What cross-validation on the labels last chose for the head's features (feature-choice.ts); absent before. */
  featureChoice?: FeatureChoiceRecord;
}

/** A featurizer setting chosen by cross-validation, with the evidence for it. */
export interface FeatureChoiceRecord {
  /**
   * The extra group's share of a text head's features (head-views.ts); 0 is the n-grams alone. With `extra`
   * 'encoder', the embedding's share of the head's view; 0 is the stored vector itself (the featurizer's own share).
   */
  shortGramShare: number;
  /** Which group that share goes to; absent (records made before words were a candidate): letters. */
  extra?: HeadExtra;
  /** With `extra` 'counts': what the letters' counts are divided by, their mean length over the labels chosen on. */
  countScale?: number;
  /**
   * Numeric and image models whose head is solved to convergence (dense-solver.ts): the L2 strength λ chosen, where
   * text models choose views; absent: the head's default.
   */
  l2?: number;
  /** A text head whose L2 holds rare n-grams less firmly (rare-grams.ts); absent: the plain penalty. */
  rareGrams?: true;
  /** Mean out-of-fold accuracy of every candidate tried, on the same folds. */
  candidates: { shortGramShare: number; extra?: HeadExtra; l2?: number; rareGrams?: true; accuracy: number }[];
  /** Labelled examples the choice was made on, and when. */
  examples: number;
  time: number;
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
  /**
   * Set when a person kept this label on a second look although the out-of-fold check suggested this other label:
   * the label is not flagged again while the check keeps suggesting the same one.
   */
  confirmedAgainst?: string;
  /**
   * Set when `selectForReview` or the review queue offered the input for its uncertainty (or typicality) before this
   * label: calibration holds out the labels nobody picked when there are enough (learning/calibrate.ts).
   */
  picked?: true;
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
    /** Absent in heads saved before picked labels were told apart: false. */
    heldOutUnpicked?: boolean;
    eceBefore: number;
    eceAfter: number;
    /** Absent in heads saved before the vote (schema 1): 0. */ voteWeight?: number;
    /** The labels' class mix added to the logits (learning/class-prior.ts), already in the bias; absent: none. */
    classPrior?: number[];
    /** The near-duplicate bar chosen on held-out labels (memory/near-duplicate.ts); absent: the kind's floor, NEAR_DUPLICATE. */
    nearDuplicate?: number;
    /** How sure answers that follow a near-duplicate are (near-duplicate.ts, fitFollowTemperature); absent: 1. */
    followTemperature?: number;
  };
  /**
   * Where training started: zeros, the head served before it (warm-start.ts), or a shipped head (learning/prior.ts).
   * Absent in heads saved before warm starts.
   */
  start?: 'zeros' | 'warm' | 'shipped';
  /** The extra group's share of the features this head reads (head-views.ts); absent means 0. */
  shortGramShare?: number;
  /** Which group that share is; absent: letters (the short character grams). 'encoder': the embedding's share. */
  extra?: 'words' | 'counts' | 'encoder';
  /** The L2 strength this head trained with when it was chosen from the labels (FeatureChoiceRecord.l2); absent: the default. */
  l2?: number;
  /** This head trained with the rare-gram prior (FeatureChoiceRecord.rareGrams); absent: the plain penalty. */
  rareGrams?: true;
  /** With `extra` 'counts': the divisor of the letters' counts this head read (FeatureChoiceRecord.countScale). */
  countScale?: number;
  /**
   * Every label this head trained on has a sequence number (ExampleRecord.seq) below this one: labels from it on are
   * newer than the head, and their near-duplicates follow them from the floor (Serving.nearDuplicateBar). Absent in
   * heads saved before it, and in imported ones (import numbers the labels afresh): every label counts as learnt.
   */
  labelSeqEnd?: number;
  /** The example count of the last retrain from zeros this head descends from (warm starts carry it on). */
  fromZerosAt?: number;
  /** Set on the served head (`weights: 'current'`) while it is pinned: a training stores its head as a version only. */
  pinned?: true;
  /**
   * Grows with every write of the served head (a training, an import, a rollback, a pin): another tab follows a
   * stored head whose serial is above the one it serves, so a rollback to an older version is followed too, and a
   * read that a newer write overtook is not. Absent: the version (heads saved before versions existed).
   */
  serial?: number;
}

/** A trained head kept for rollback (schema 5), by its version: the weights as saved, and what training knew of them. */
export interface VersionRecord {
  version: number;
  weights: WeightsRecord;
  metrics: TrainingMetrics;
}

/** What the log keeps of an input: text, a numeric row, or an image's size only. */
export type LoggedInput = string | Float32Array | { width: number; height: number };

/**
 * One decision of a batch (labelBatch, importLabels), inside the batch's single log record: what a `kind: 'label'`
 * record says of a decision, less what the batch shares (time, model version).
 */
export interface BatchDecisionRecord {
  exampleId: string;
  label: string;
  /** The batch record's decisionId, '#', the decision's index in it: undo finds the record by the part before '#'. */
  decisionId: string;
  previousLabel?: string;
  annotator?: string;
  input?: LoggedInput;
  detail?: string;
  /** The state before it, which undo restores (as on a 'label' record); filled in by the store, never hashed. */
  before?: { example: ExampleRecord | null; queued: QueueRecord | null };
}

/**
 * One audit log record. `kind: 'label'` is a human decision — the v1 name and shape, kept so v1 records need no
 * rewrite; schema 2 adds the optional fields and the other kinds. `kind: 'labels'` is a batch of decisions stored
 * in one transaction, written as one record (`decisions`) rather than one each: a log write per decision, with its
 * two index entries, was most of what a batch of thousands cost.
 */
export interface LogRecord {
  /** Assigned by the store when the entry is written (ascending); entries handed to a store come without one. */
  id?: number;
  kind: 'label' | 'labels' | 'prediction' | 'undo' | 'import' | 'reset' | 'retention' | 'relabel' | 'model';
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
  /** Decisions: the person's visible, active ms on it (LabelMeta.durationMs); an optional field, no schema change. */
  durationMs?: number;
  input?: LoggedInput;
  /** Decisions only: the state before it, which undo restores. */
  before?: { example: ExampleRecord | null; queued: QueueRecord | null };
  detail?: string;
  /** 'labels' records: the batch's decisions, in the order made. */
  decisions?: BatchDecisionRecord[];
  /** Retention entries: where the chain skips entries retention removed (see log-chain.ts). */
  cuts?: ChainCut[];
  /** The hash of the entry before this one in the chain (GENESIS for the first), and this entry's own. */
  prev?: string;
  hash?: string;
}

/** A gap retention left in the audit log's chain: the entry with id `resume` follows one whose hash was `prev`. */
export interface ChainCut {
  resume: number;
  prev: string;
}

/**
 * Which audit log entries to read: those at or after `since` (ms since the epoch), and of them only the newest
 * `limit`. Entries come oldest first either way, by time and then by id, the order the `by-time` index keeps.
 */
export interface LogRange {
  since?: number;
  limit?: number;
}

export interface LoadedModel {
  meta: ModelMeta | undefined;
  /** In insertion order (`seq`). */
  examples: ExampleRecord[];
  weights: WeightsRecord | undefined;
  /** By id, the order the queue's key keeps. */
  queue: QueueRecord[];
}

/** Meta and weights alone: what another tab may change without touching the examples. */
export interface StoredHead {
  meta: ModelMeta | undefined;
  weights: WeightsRecord | undefined;
}

export interface Dump extends LoadedModel {
  /** By id: the order the entries were written in. */
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

/**
 * A label renamed, or removed with its examples moved to another label (`reassignTo`) or deleted (null). `decisionId`
 * identifies the change in the log, and every example it rewrites carries it, so an older decision on them cannot be
 * undone past it.
 */
export type LabelChange = { decisionId: string } & LabelEdit;

/** A label change as asked for, before it has an id. */
export type LabelEdit = { kind: 'rename'; from: string; to: string } | { kind: 'remove'; label: string; reassignTo: string | null };

/** How many records a label change rewrote (or deleted), for its log entry. */
export interface LabelChangeCounts {
  examples: number;
  queue: number;
}

/**
 * What a label change left stored: the meta with the new labels, its log entry as written, and the queue and head
 * as they are now (a rename needs no other read to follow it).
 */
export interface LabelChangeOutcome extends LabelChangeCounts {
  meta: ModelMeta;
  log: LogRecord;
  queued: QueueRecord[];
  weights: WeightsRecord | undefined;
}

export interface UndoOutcome {
  decision: LogRecord;
  /** The example as it is again, or null when the decision had created it. */
  restored: ExampleRecord | null;
  /** The queue item put back, if the decision had taken it from the queue. */
  requeued: QueueRecord | null;
}

/** How many records a retention sweep deleted, per store. */
export interface PurgeCounts {
  examples: number;
  log: number;
  queue: number;
  embeddings: number;
}

/**
 * A vector computed once for an input and kept so it is never computed again (schema 3): what an expensive
 * encoder gave. Storage does not interpret it; `space` names what computed it, so vectors of two encoders never mix.
 */
export interface EmbeddingRecord {
  space: string;
  /** The input's id (its hash), as examples are keyed. */
  id: string;
  vector: Float32Array;
  /** When it was written (ms since the epoch): the oldest go first when the cache is full, and with a retention sweep. */
  time: number;
}
