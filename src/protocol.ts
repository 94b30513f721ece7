/**
 * Types shared by the page and the engine worker: the only module both sides import.
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
}

/** A prediction as the worker returns it: the handle adds `needsReview` from its own threshold. */
export type RawPrediction = Omit<Prediction, 'needsReview'>;

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
    eceBefore: number;
    eceAfter: number;
  } | null;
  /** The check on the human labels after the last training: out-of-fold figures and how many labels it flags. */
  outOfFold: OutOfFoldReport | null;
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
  | { type: 'engine-restarted'; key: string; message: string };

export interface OpenOptions {
  backend: BackendRequest;
  /** Retrain in the background this many ms after the last new label; 0 or less turns it off. */
  autoTrainDelayMs: number;
  /** False: this handle wants no raw input stored; the model stores none while any such handle is open. */
  keepInputs: boolean;
  /** Delete labels, log entries and queue items older than this many days; the shortest of all open handles wins. */
  retentionDays?: number;
}

/** How `predict` records what it answered; every write happens after the answer, in one batched transaction. */
export interface PredictOptions {
  /** Predictions below `threshold` (and without a human label) go into the persistent review queue. */
  queue: boolean;
  /** Log each prediction as one a person saw. */
  shown: boolean;
  /** The asking handle's threshold: what "needs review" means for it. */
  threshold: number;
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

export const LOG_KINDS = ['prediction', 'decision', 'undo', 'import', 'reset', 'retention'] as const;
export type LogKind = (typeof LOG_KINDS)[number];

/** One audit log entry. */
export interface LogEntry {
  /** Increases with every entry: the log's order. */
  id: number;
  kind: LogKind;
  time: number;
  /** The input's hash (its example id); empty for import and reset entries. */
  inputHash: string;
  /** The input itself unless the model keeps no inputs; for images their size only. */
  input?: string | number[] | { width: number; height: number };
  modelVersion: number;
  /** The label the model showed (null: no model yet). For a decision, what was shown before it. */
  predicted: string | null;
  confidence: number;
  human?: string;
  previousLabel?: string;
  action?: DecisionAction;
  annotator?: string;
  predictionId?: string;
  /** On a decision its own id; on an undo, the id of the decision it undid. */
  decisionId?: string;
  /** Import entries: how many examples and log entries came in; reset and retention entries: what they removed. */
  detail?: string;
  /** Retention entries: where the chain resumes after entries retention removed (`resume` is an entry id). */
  cuts?: { resume: number; prev: string }[];
  /** SHA-256 (hex) of the entry before this one in the log's chain (64 zeros for the first), and of this entry. */
  prev?: string;
  hash?: string;
}

/** What `verifyLog()` found: whether every entry is as written, and the first that is not. */
export interface LogVerification {
  ok: boolean;
  /** Entries checked. */
  entries: number;
  /** The id of the first entry that was edited, removed before, reordered or not chained; null when ok. */
  firstBadEntry: number | null;
  /** The hash of the newest entry: record it elsewhere to detect a log rewritten whole. */
  head: string;
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  /** Share of decisions in the bin where the human agreed with the prediction. */
  accuracy: number | null;
  /** Mean confidence shown in the bin. */
  confidence: number | null;
}

export interface DriftReport {
  drifted: boolean;
  /** The score is compared with this (see DRIFT_THRESHOLD in workers/audit/drift.ts). */
  threshold: number;
  /** The largest of the shifts below; null while either window is too small. */
  score: number | null;
  /** Total-variation distance between the predicted-label distributions of the two windows. */
  labelShift: number | null;
  /** Total-variation distance between the confidence histograms (5 bins) of the two windows. */
  confidenceShift: number | null;
  /** Absolute change in the human agreement rate. */
  agreementShift: number | null;
  referenceSize: number;
  recentSize: number;
  /** Human-readable reasons, e.g. "predicted 'spam' share 12% → 41%". */
  reasons: string[];
}

/** What `agreement()` finds between the people who labelled: who, how much they agree, and where they do not. */
export interface AgreementReport {
  /** Each annotator ('' for decisions without one) and how many inputs they label now. */
  annotators: { annotator: string; decisions: number }[];
  /** Every pair: inputs both label now, the share they agree on, and Cohen's κ (null with nothing shared). */
  pairs: { annotators: [string, string]; shared: number; agreement: number | null; kappa: number | null }[];
  /** Fleiss' κ over the inputs two or more annotators label (any number of them per input). */
  fleiss: { kappa: number | null; items: number };
  /**
   * Inputs annotators label differently and no adjudication settled since, each annotator's standing label oldest
   * first. `input` is the stored input (from `agreement()` only, and only when the model keeps inputs).
   */
  conflicts: AgreementConflict[];
  /**
   * Conflicts settled: a decision with the action 'adjudicate' (`adjudicate()`) made after every conflicting label.
   * A later label by one of the annotators opens the conflict again. Adjudications never count as an annotator's label.
   */
  settled: (AgreementConflict & { adjudication: { annotator: string; label: string; time: number; decisionId: string } })[];
}

/** One input annotators label differently (see `AgreementReport`). */
export interface AgreementConflict {
  inputHash: string;
  labels: { annotator: string; label: string; time: number }[];
  input?: StoredInputView;
}

export interface QualityReport {
  /** Human decisions (not undone) with a prediction shown before them. */
  decisions: number;
  /** The last `window` such decisions, oldest first. */
  agreement: { time: number; agreed: boolean; modelVersion: number }[];
  agreementRate: number | null;
  /** Rows: human label; columns: predicted label; over the same window. */
  confusion: { labels: string[]; matrix: number[][] };
  reliability: { bins: ReliabilityBin[]; ece: number | null };
  autoAccept: {
    /** Shown predictions in the window. */
    predictions: number;
    /** Of those, at or above the handle's threshold. */
    aboveThreshold: number;
    share: number | null;
    /** Decisions on predictions shown at or above the threshold: spot checks of what would be auto-accepted. */
    checked: number;
    correctWhenChecked: number | null;
  };
  drift: DriftReport;
  /**
   * Per label, over the same decisions as the confusion matrix: `support` (people gave it), `predicted` (the model
   * showed it), and precision, recall and F1 of what the model showed against what people decided (null when
   * undefined: nothing predicted, nothing given).
   */
  perClass: ClassFigures[];
  /** Labels with too few examples to learn well (see `Stats.classWarnings`). */
  classWarnings: ClassWarning[];
  /** The same figures from out-of-fold predictions of every labelled example (see `OutOfFoldReport`); null before a check. */
  outOfFold: OutOfFoldReport | null;
}

export interface ClassFigures {
  label: string;
  support: number;
  predicted: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/**
 * A label with too few human labels: `few`, fewer than 5; `rare`, fewer than a fifth of the median label's count.
 * The model learns little of such a label, and figures about it are noise.
 */
export interface ClassWarning {
  label: string;
  count: number;
  reason: 'few' | 'rare';
}

export interface ImportResult {
  examples: number;
  logEntries: number;
  modelVersion: number;
  /** Inputs labelled here before the import and labelled in the imported file too. */
  overlap: number;
  /** Agreement between the annotators of both logs over those overlapping inputs alone (no `input` on conflicts). */
  agreement: AgreementReport;
}

/**
 * What `exportModel()` writes into model.json as `userDefinedMetadata` (`model.getUserDefinedMetadata()` once
 * loaded): enough to feed the exported model and to know what it leaves out.
 */
export interface ExportedModelMetadata {
  format: 'hitl-classifier/head';
  formatVersion: 1;
  /** The classifier's name and the version of the trained model exported. */
  name: string;
  modelVersion: number;
  /** Output column c is the probability of labels[c]. */
  labels: string[];
  input: InputKind;
  /** How inputs become rows: 'hashed-ngrams-v1', 'raw-rows', 'scattering-28' or 'extractor:<model.json URL>'. */
  featurizer: string;
  /** Length of each row the model takes. */
  inputDim: number;
  /** What a row is, in words. */
  expects: string;
  /** 'folded': the column standardisation is part of the layer, so it takes raw rows. */
  standardization: 'folded' | 'none';
  /** The softmax temperature fitted on held-out labels, already divided into the weights (1: none fitted). */
  temperature: number;
  /** Weight the served answers give the nearest-labelled-example vote, which the exported model does not have. */
  voteWeight: number;
  /** What serving in the widget adds that a layers model cannot carry. */
  leftOut: string[];
  /** ISO time of the export. */
  exportedAt: string;
}

/** A stretch of an explained text and what it adds to the explained label's score (negative: against it). */
export interface ExplanationSpan {
  /** UTF-16 offsets into the text as given: `text.slice(start, end)` is `text`. */
  start: number;
  end: number;
  text: string;
  contribution: number;
}

/** One column of a numeric row and what it adds to the explained label's score. */
export interface FeatureContribution {
  index: number;
  value: number;
  contribution: number;
}

/** Occlusion over a picture: a grid of `width` × `height` cells over the whole image, row-major, top-left first. */
export interface HeatMap {
  width: number;
  height: number;
  /** How much covering each cell lowers the explained label's score (negative: covering it raises the score). */
  values: number[];
}

/** A labelled example near the explained input, as stored. */
export interface NearestExample {
  /** The example's id (a hash of its input), as `label()` returns it in `exampleId`. */
  id: string;
  label: string;
  /** Cosine for text and images, a Gaussian of the standardised distance for numbers; 1 is the same input. */
  similarity: number;
  annotator?: string;
  /** When the label was given, in ms since the epoch. */
  time: number;
}

/**
 * Why the model gives an input a label. The score explained is the label's logit minus the mean of the other
 * labels' logits (with two labels, the log-odds). `linear`: the trained head's exact terms, which sum to
 * `score - baseline`. `occlusion`: how much the score drops when a part is removed (a word, a patch, a column set to
 * its mean), for what is not linear in its parts (a text encoder, pictures, a model not trained yet).
 */
export interface Explanation {
  label: string;
  /** The label the model predicts for this input (null without a labelled example). */
  predicted: string | null;
  /** The served probability of `label`. */
  probability: number;
  method: 'linear' | 'occlusion';
  score: number;
  /** `linear`: the bias terms' share of `score`; null for occlusion. */
  baseline: number | null;
  /** Text models. */
  spans?: ExplanationSpan[];
  /** Numeric models. */
  features?: FeatureContribution[];
  /** Image models. */
  heatmap?: HeatMap;
  /** The labelled examples most similar to the input, the most similar first: the memory's evidence. */
  nearest: NearestExample[];
  /** True when the nearest example is a near-duplicate: the prediction then follows its human label. */
  nearDuplicate: boolean;
  modelVersion: number;
}

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
  /** Without a strategy the engine ranks by its default (workers/engine/policy.ts). */
  selectForReview(key: string, pool: WireInput[], k: number, strategy?: ReviewStrategy): Promise<number[]>;
  /** Adds a class to a live model without losing the others; resolves with the new label list. */
  addLabel(key: string, label: string): Promise<string[]>;
  stats(key: string): Promise<Stats>;
  reset(key: string): Promise<void>;
  /** The human label stored for exactly this input, or null. */
  getLabel(key: string, input: WireInput): Promise<StoredLabel | null>;
  /** Releases one `open()`; the model's memory is freed when the last one is released. */
  close(key: string, handle: string): Promise<void>;
  /** Live TensorFlow.js tensors and bytes in the worker: for leak tests and benchmarks. */
  memory(): Promise<{ tensors: number; bytes: number }>;
  /** Labels the out-of-fold check doubts, most contradicted first (after the trainings asked for so far). */
  suspiciousLabels(key: string, limit: number): Promise<SuspiciousLabel[]>;
  /** A second look at a stored label by example id: the same label confirms it, another changes it. */
  reviewLabel(key: string, exampleId: string, label: string, meta: LabelMeta): Promise<LabelResult>;
  /** Settles a conflict between annotators on a stored example: a decision logged with the action 'adjudicate'. */
  adjudicate(key: string, exampleId: string, label: string, meta: LabelMeta): Promise<LabelResult>;
  /** Why the model gives `input` the label (default: the predicted one), with the `k` nearest labelled examples. */
  explain(key: string, input: WireInput, label: string | null, k: number): Promise<Explanation>;
}

/**
 * A label the check on the human labels doubts: a head that never saw this example (out of fold) confidently prefers
 * `suggested`. The model never changes it; `reviewLabel(id, label)` records a person's second look.
 */
export interface SuspiciousLabel {
  /** The example id, as `label()` returns it in `exampleId`. */
  id: string;
  /** The stored input; absent when the model keeps no inputs. */
  input?: StoredInputView;
  /** The label a person gave. */
  label: string;
  /** The label the out-of-fold prediction prefers. */
  suggested: string;
  /** Its out-of-fold probability. */
  confidence: number;
  /** Who gave the label (null: no annotator was named). */
  annotator: string | null;
}

/**
 * Per-label figures of out-of-fold predictions: each labelled example predicted by a head trained, with the served
 * head's settings, on the other folds, against the label people gave.
 */
export interface OutOfFoldReport {
  /** The served model version the check followed. */
  modelVersion: number;
  /** Labelled examples checked. */
  examples: number;
  /** The oldest labels left out of the check past its cap (4,000). */
  skipped: number;
  folds: number;
  /** Labels flagged now. */
  suspicious: number;
  perClass: ClassFigures[];
}
