/**
 * Types shared by the page and the engine worker: the only module both sides import (with reports.ts, which it
 * re-exports).
 * Everything here is plain data so it crosses `postMessage` unchanged.
 */

export const INPUT_KINDS = ['text', 'image', 'features'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export const BACKEND_REQUESTS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
export type BackendName = Exclude<BackendRequest, 'auto'>;

export const STORAGE_KINDS = ['indexeddb', 'memory'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

/**
 * How `selectForReview` ranks a pool: by the top probability, the gap between the top two, the entropy of
 * all scores, or `diverse` — uncertainty plus spread over the embedding, so a batch is not k near-copies.
 * `cold-start` picks typical items of the parts of the pool no label covers (TypiClust) until the model has
 * held-out labels to check its probabilities on, then ranks as `diverse`.
 */
export const REVIEW_STRATEGIES = ['least-confidence', 'margin', 'entropy', 'diverse', 'cold-start'] as const;
export type ReviewStrategy = (typeof REVIEW_STRATEGIES)[number];

/** What the worker needs to open (or create) one model. */
export interface ModelSpec {
  name: string;
  labels: string[];
  input: InputKind;
  storage: StorageKind;
  /** Image models only: a frozen TensorFlow.js model the site hosts, used as the feature extractor. */
  featureExtractor?: FeatureExtractorSpec;
  /** Text models only: a pretrained sentence encoder the site hosts, whose embeddings join the n-gram features. */
  textEncoder?: TextEncoderSpec;
  /** Image models only: a Teachable Machine export the site hosts; its labels join `labels`, its head answers first. */
  teachableMachine?: TeachableMachineSpec;
}

/** A site-hosted Teachable Machine image export (model.json, weights.bin, metadata.json); `url` is absolute in the worker. */
export interface TeachableMachineSpec {
  /** The export's folder (ending in `/`) or its model.json; metadata.json sits beside model.json. */
  url: string;
  /** Origins other than the page's own that the site allows models to load from. */
  allowedOrigins?: string[];
}

/** A site-hosted SentencePiece graph model (Universal Sentence Encoder lite's shape); URLs are absolute in the worker. */
export interface TextEncoderSpec {
  /** The graph model's model.json. */
  url: string;
  /** Its SentencePiece vocabulary of [piece, score] pairs; default vocab.json beside model.json. */
  vocabularyUrl?: string;
  /** Origins other than the page's own that the site allows models to load from. */
  allowedOrigins?: string[];
}

/** A site-hosted feature extractor; `url` is absolute by the time it reaches the worker. */
export interface FeatureExtractorSpec {
  url: string;
  /** Origins other than the page's own that the site allows models to load from. */
  allowedOrigins?: string[];
  /** What pixel bytes 0…255 map onto; [0, 1] by default, [-1, 1] for MobileNet-style models. */
  inputRange?: [number, number];
  /** A layers model only: the layer whose output is the feature row (default: the model's output). */
  layer?: string;
}

/** A model is identified by its name and where it lives: a memory model never sees a stored one. */
export function modelKey(spec: Pick<ModelSpec, 'name' | 'storage'>): string {
  return `${spec.storage}:${spec.name}`;
}

/**
 * An image on its way to the worker. Blobs are decoded there; elements and canvases become ImageBitmaps on the
 * page (the only way to move their pixels), ImageData travels as its pixels. The worker resizes all of them.
 */
export type WireImage =
  | { image: 'bitmap'; bitmap: ImageBitmap }
  | { image: 'blob'; blob: Blob }
  | { image: 'pixels'; width: number; height: number; data: Uint8ClampedArray };

/** Inputs as they travel to the worker: text as is, numeric rows as Float32Array, images as a {@link WireImage}. */
export type WireInput = string | Float32Array | WireImage;

export interface Prediction {
  /** Unique id; pass it to `label()` so the log links the human decision to what was shown. */
  id: string;
  /** The most probable label, or null while the model has no labelled example. */
  label: string | null;
  /** Probability of `label` (0 when `label` is null). */
  confidence: number;
  /** A probability for every label; the values sum to 1. */
  scores: Record<string, number>;
  /** `confidence < threshold`, and always true without a model. */
  needsReview: boolean;
  /** Version of the trained model that answered; 0 before the first training. */
  modelVersion: number;
  /**
   * With `autoAccept`: true when the engine sent this prediction to a person at random although it would have
   * auto-accepted it, so that its answer is unbiased evidence for the guarantee (it also `needsReview`).
   */
  spotCheck?: true;
  /**
   * With `autoAccept`: the labels that cannot be ruled out (a conformal prediction set holding the true label with
   * probability at least 1 − maxError), most probable first. Empty or every label: the model does not know.
   */
  set?: string[];
}

/**
 * A prediction as the worker returns it: the handle adds `needsReview` from its own threshold, or from `review`,
 * the engine's verdict when auto-accept is on.
 */
export type RawPrediction = Omit<Prediction, 'needsReview'> & { review?: boolean };

/** `autoAccept` and `spotCheckRate` as the page resolved them (ClassifierOptions): what the engine needs to decide. */
export interface AutoAcceptSettings {
  maxError: number;
  confidence: number;
  perClass: boolean;
  spotCheckRate: number;
}

/**
 * What a person did with a prediction: took it, picked another label, or rejected it (then picked); or, on a second
 * look at a label the check doubts (`reviewLabel`), kept it ('confirm'); or settled a conflict between annotators
 * (`adjudicate`, 'adjudicate').
 */
export const DECISION_ACTIONS = ['accept', 'correct', 'reject', 'confirm', 'adjudicate'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export interface LabelMeta {
  predictionId?: string;
  annotator?: string;
  /** Inferred from the prediction shown when absent: 'accept' if the label equals it, else 'correct'. */
  action?: DecisionAction;
  /**
   * The person's visible, active time on this decision in ms (the elements measure it): finite and ≥ 0. Stored in the
   * decision's log entry; quality().humanTime reads it.
   */
  durationMs?: number;
}

export interface LabelResult {
  /** Identifies this human decision in the audit log; pass it to `undo()`. */
  decisionId: string;
  /** Stable id of the stored example (a hash of the input): labelling the same input again replaces its label. */
  exampleId: string;
  /** True when this input already had a label and the new one replaced it. */
  replaced: boolean;
  examples: number;
}

/** A label a person gave, as stored. */
export interface StoredLabel {
  label: string;
  annotator?: string;
  /** When it was given, in ms since the epoch. */
  time: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  loss: number;
}

export interface TrainResult {
  modelVersion: number;
  examples: number;
  ms: number;
  /**
   * Where training started: `'zeros'`; `'warm'` from the head served before it (a text model past 2,000 labels:
   * two passes over every label instead of a retrain from zeros, see docs/learning.md); or `'shipped'` from the head
   * of a Teachable Machine export, which it is also pulled back toward.
   */
  start: 'zeros' | 'warm' | 'shipped';
  /**
   * Set when a pinned version kept serving (pin()): the version trained here is kept in versions(), for a
   * rollback to it, but does not answer predictions.
   */
  pinned?: number;
}

export interface Stats {
  examples: number;
  byLabel: Record<string, number>;
  modelVersion: number;
  backend: BackendName;
  /** True while a training run for this model is in progress. */
  training: boolean;
  /** Labels with too few examples to learn well, fewest first. */
  classWarnings: ClassWarning[];
  /**
   * How well confidence matches accuracy on human labels the last training held out: the softmax temperature it
   * fitted and the expected calibration error before and after; null before a training with enough labels.
   */
  calibration: {
    temperature: number;
    /** Weight of the nearest-labelled-example vote mixed into every answer, fitted with the temperature (0: the head alone). */
    voteWeight?: number;
    heldOut: number;
    /**
     * True when only labels nobody picked with `selectForReview` or the review queue were held out: labels chosen for
     * their uncertainty are harder than typical inputs, and a temperature fitted on them would under-state confidence.
     */
    heldOutUnpicked?: boolean;
    eceBefore: number;
    eceAfter: number;
    /**
     * The labels' class mix, one number per label (centred log shares, in the order of `labels` when trained), added
     * to the head's log-odds: the head trains as if every label were equally common, which costs accuracy where they
     * are not. Added when the labels' mix is uneven and the held-out labels do not show that it hurts; absent otherwise.
     */
    classPrior?: number[];
    /**
     * The similarity from which an input follows the human label of the labelled example it nearly copies, when the
     * held-out labels chose a bar above the floor for the kind of input (0.8 for text and numbers, 0.93 for images);
     * absent: the floor. Past 1,000 labels chosen on a sample of 300 held-out labels. Labels given since the training follow
     * their near-duplicates from the floor until the next one, so a correction carries at once.
     */
    nearDuplicate?: number;
    /**
     * How sure an answer that follows a near-duplicate is: a temperature on such answers, fitted on the held-out labels
     * that follow one (past 1,000 labels on a sample of 300), when it makes them clearly more likely; absent: 1.
     * It never changes which label is answered.
     */
    followTemperature?: number;
  } | null;
  /** The check on the human labels after the last training: out-of-fold figures and how many labels it flags. */
  outOfFold: OutOfFoldReport | null;
  /**
   * What cross-validation on the model's own labels chose for its head, with every candidate's out-of-fold accuracy:
   * for text, which features it reads; for numbers and images while the head is small enough to solve to convergence,
   * its L2 strength. Null before the first choice (at 40 labels) and for models that choose nothing.
   */
  featureChoice: FeatureChoice | null;
  /** With `autoAccept`: the threshold the evidence allows, and what it rests on. */
  autoAccept?: AutoAcceptReport;
}

export interface OpenResult {
  key: string;
  /** Identifies this open() for close(): each handle's settings (such as autoTrain) count until it closes. */
  handle: string;
  labels: string[];
  backend: BackendName;
  modelVersion: number;
  examples: number;
  /** False when IndexedDB could not be used and the model lives in memory only; `storageProblem` says why. */
  persistent: boolean;
  storageProblem?: string;
}

/** Notifications the worker pushes to every page-side connection. */
export type EngineEvent =
  | { type: 'examples-changed'; key: string; examples: number }
  | { type: 'model-updated'; key: string; modelVersion: number }
  /** A training run started or ended; `at` is when, by the worker's clock (ms since the epoch), whenever a page hears of it. */
  | { type: 'training'; key: string; running: boolean; at: number }
  | { type: 'training-progress'; key: string; epoch: number; epochs: number; loss: number }
  | { type: 'reset'; key: string }
  | { type: 'labels-changed'; key: string; labels: string[] }
  | { type: 'queue-changed'; key: string; size: number }
  | { type: 'imported'; key: string; examples: number }
  /**
   * Drift (see `quality().drift`, over the last 200 predictions people saw) started (`drifted: true`) or ended; pushed
   * by the engine as the log changes, and once on open when the stored log is drifting already.
   */
  | { type: 'drift'; key: string; drifted: boolean; report: DriftReport }
  /** The label check ran again after a training, or the number of labels it flags changed. */
  | { type: 'label-check'; key: string; suspicious: number; modelVersion: number }
  /** A write failed because the browser's storage is full (`problem: 'quota'`); `message` says what to do. */
  | { type: 'storage-error'; key: string; problem: 'quota'; message: string }
  /**
   * Page-side: the engine worker died or stopped answering and was ended; the next call starts a fresh one, which
   * reloads the model from IndexedDB. Elements predict again on it, so they recover on their own.
   */
  | { type: 'engine-restarted'; key: string; message: string }
  /** A ranker's comparisons or model changed (src/ranker-protocol.ts). */
  | RankerChange;

export interface OpenOptions {
  backend: BackendRequest;
  /** Retrain in the background this many ms after the last new label; 0 or less turns it off. */
  autoTrainDelayMs: number;
  /** False: this handle wants no raw input stored; the model stores none while any such handle is open. */
  keepInputs: boolean;
  /** Delete labels, log entries and queue items older than this many days; the shortest of all open handles wins. */
  retentionDays?: number;
  /** Trained versions kept for rollback (default DEFAULT_KEEP_VERSIONS); the largest of all open handles wins. */
  keepVersions?: number;
}

/** How `predict` records what it answered; every write happens after the answer, in one batched transaction. */
export interface PredictOptions {
  /** Predictions below `threshold` (and without a human label) go into the persistent review queue. */
  queue: boolean;
  /** Log each prediction as one a person saw. */
  shown: boolean;
  /** The asking handle's threshold: what "needs review" means for it. */
  threshold: number;
  /** The asking handle's auto-accept settings: then the engine decides what needs review, and draws spot checks. */
  autoAccept?: AutoAcceptSettings;
}

/** An input as the queue and the log give it back: text, a numeric row, or a picture (the log keeps its size only). */
export type StoredInputView = string | number[] | { width: number; height: number; data: Uint8ClampedArray };

/** A pending review item. `prediction.needsReview` is added by the handle from its threshold. */
export interface QueueItem {
  /** The input hash (the same as the example id its label will get). */
  id: string;
  /** Absent when the model keeps no inputs (`keepInputs: false`): label it with `labelQueued(id, …)`. */
  input?: StoredInputView;
  /** The latest prediction for it, re-predicted when the model has changed since. */
  prediction: Prediction;
  /** Informativeness under the engine's default review strategy, higher first; skipped items come after every other one. */
  score: number;
  addedAt: number;
  /** True once skipped: it waits behind every item not skipped. */
  skipped: boolean;
}

/** A queue item as the worker sends it: the handle adds `needsReview` to its prediction. */
export type RawQueueItem = Omit<QueueItem, 'prediction'> & { prediction: RawPrediction };

export interface UndoResult {
  exampleId: string;
  /** The label the example has again, or null when the undone decision had created it (now removed). */
  restoredLabel: string | null;
  examples: number;
}

export type * from './reports.js';
import type {
  AgreementReport,
  ClassWarning,
  DriftReport,
  Explanation,
  ExportedModelMetadata,
  ImportResult,
  LogEntry,
  LogVerification,
  OutOfFoldReport,
  FeatureChoice,
  QualityReport,
  SuspiciousLabel,
  AutoAcceptReport,
  RiskCoveragePoint,
} from './reports.js';
export { LOG_KINDS } from './reports.js';
export type * from './label-data.js';
import type { LabelBatchResult, LabelChangeResult, LabelExport, LabelFormat, LabelImportResult, WireLabelItem } from './label-data.js';
export { LABEL_FORMATS } from './label-data.js';
export type * from './model-versions.js';
import type { ModelVersion, VersionChange } from './model-versions.js';
export { DEFAULT_KEEP_VERSIONS } from './model-versions.js';
export type * from './ranker-protocol.js';
import type { RankerChange, RankerMethod, RankerMethods } from './ranker-protocol.js';
export { COMPARE_OUTCOMES, PAIR_STRATEGIES, RANKER_LOG_KINDS, rankerKey } from './ranker-protocol.js';

/** Standard TensorFlow.js layers-model artifacts, as the worker returns them. */
export interface RawExportedModel {
  /** model.json: topology, weights manifest (naming weights.bin) and {@link ExportedModelMetadata}. */
  modelJson: File;
  /** weights.bin: the float32 kernel (inputDim × labels) and bias. */
  weights: File;
  metadata: ExportedModelMetadata;
}

/** The engine worker's API, reached through Comlink. Methods take and return plain data only. */
export interface EngineApi {
  ping(): Promise<'pong'>;
  /** Registers a listener for engine events (a Comlink proxy on the page side). */
  subscribe(listener: (event: EngineEvent) => void): Promise<void>;
  open(spec: ModelSpec, options: OpenOptions): Promise<OpenResult>;
  predict(key: string, inputs: WireInput[], options?: PredictOptions): Promise<RawPrediction[]>;
  label(key: string, input: WireInput, label: string, meta: LabelMeta): Promise<LabelResult>;
  /** Labels a queued item by its id: the only way when the model keeps no inputs. */
  labelQueued(key: string, itemId: string, label: string, meta: LabelMeta): Promise<LabelResult>;
  undo(key: string, decisionId: string): Promise<UndoResult>;
  queue(key: string, limit: number): Promise<RawQueueItem[]>;
  enqueue(key: string, inputs: WireInput[]): Promise<number>;
  skip(key: string, itemId: string): Promise<void>;
  quality(key: string, window: number, threshold: number): Promise<QualityReport>;
  agreement(key: string): Promise<AgreementReport>;
  auditLog(key: string, limit: number, since: number): Promise<LogEntry[]>;
  /** Recomputes the audit log's hash chain from the stored entries. */
  verifyLog(key: string): Promise<LogVerification>;
  exportBundle(key: string): Promise<Blob>;
  importBundle(key: string, data: Blob): Promise<ImportResult>;
  /** The trained head as TensorFlow.js layers-model files; rejects with a RangeError before the first training. */
  exportModel(key: string): Promise<RawExportedModel>;
  train(key: string, runId: string, onProgress?: (progress: TrainProgress) => void, fromZeros?: boolean): Promise<TrainResult>;
  cancelTrain(key: string, runId: string): Promise<void>;
  /**
   * Without a strategy the engine ranks by its default (workers/engine/policy.ts); without `explore`, one pick in ten
   * of a batch of 10 or more is drawn at random (workers/review.ts, EXPLORE_SHARE).
   */
  selectForReview(key: string, pool: WireInput[], k: number, strategy?: ReviewStrategy, explore?: number): Promise<number[]>;
  /** Adds a class to a live model without losing the others; resolves with the new label list. */
  addLabel(key: string, label: string): Promise<string[]>;
  /** With `autoAccept`, `Stats.autoAccept` reports the guarantee for those settings. */
  stats(key: string, autoAccept?: AutoAcceptSettings): Promise<Stats>;
  /** The risk–coverage curve behind the auto-accept threshold, for these settings. */
  riskCoverage(key: string, autoAccept: AutoAcceptSettings): Promise<RiskCoveragePoint[]>;
  reset(key: string): Promise<void>;
  /** The human label stored for exactly this input, or null. */
  getLabel(key: string, input: WireInput): Promise<StoredLabel | null>;
  /** Releases one `open()`; the model's memory is freed when the last one is released. */
  close(key: string, handle: string): Promise<void>;
  /** Live TensorFlow.js tensors and bytes in the worker: for leak tests and benchmarks. */
  memory(): Promise<{ tensors: number; bytes: number }>;
  /** Renames a label in every stored record, logged, in one transaction. */
  renameLabel(key: string, from: string, to: string): Promise<LabelChangeResult>;
  /** Removes a label; its examples move to `reassignTo`, or are deleted with `drop: true` (checked in the worker). */
  removeLabel(key: string, label: string, how: { reassignTo: string } | { drop: true }): Promise<LabelChangeResult>;
  /** Many labels in one transaction: all stored, or none. */
  labelBatch(key: string, items: WireLabelItem[]): Promise<LabelBatchResult>;
  /** Labelled text in another tool's format, validated in full, then stored in one transaction. */
  importLabels(key: string, data: string | Blob, format: LabelFormat, addLabels: boolean): Promise<LabelImportResult>;
  exportLabels(key: string, format: LabelFormat): Promise<LabelExport>;
  /** Labels the out-of-fold check doubts, most contradicted first (after the trainings asked for so far). */
  suspiciousLabels(key: string, limit: number): Promise<SuspiciousLabel[]>;
  /** A second look at a stored label by example id: the same label confirms it, another changes it. */
  reviewLabel(key: string, exampleId: string, label: string, meta: LabelMeta): Promise<LabelResult>;
  /** Settles a conflict between annotators on a stored example: a decision logged with the action 'adjudicate'. */
  adjudicate(key: string, exampleId: string, label: string, meta: LabelMeta): Promise<LabelResult>;
  /** Why the model gives `input` the label (default: the predicted one), with the `k` nearest labelled examples. */
  explain(key: string, input: WireInput, label: string | null, k: number): Promise<Explanation>;
  /** The kept versions of the trained head, newest first (model-versions.ts). */
  versions(key: string): Promise<ModelVersion[]>;
  /** Serves a kept version (its weights as trained), in one transaction, logged; other tabs follow. */
  rollback(key: string, version: number): Promise<VersionChange>;
  /** Pins a kept version (serving it), or unpins with null: background training does not replace a pinned version. */
  pin(key: string, version: number | null): Promise<VersionChange>;
  /** Rankers (createRanker): one entry point, dispatched by method name to workers/ranker/. */
  ranker<M extends RankerMethod>(method: M, args: Parameters<RankerMethods[M]>): ReturnType<RankerMethods[M]>;
}
