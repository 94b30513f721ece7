/**
 * The reports the engine gives about its model and its people, part of the wire types (src/protocol.ts re-exports
 * them; import them from there): the audit log's entries and checks, quality, drift, agreement, per-label figures,
 * imports, the exported head's metadata, explanations and the label check. Plain data, like every wire type.
 */
import type { DecisionAction, InputKind, StoredInputView } from './protocol.js';

/** `model`: a rollback or a pin of a model version (rollback(), pin()), with what changed in `detail`. */
export const LOG_KINDS = ['prediction', 'decision', 'decisions', 'undo', 'import', 'reset', 'retention', 'relabel', 'model'] as const;
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
  /**
   * Decisions from the elements (or `label(…, { durationMs })`): the person's visible, active time from the prediction
   * shown to the decision, in ms (docs/review.md, "The cost of human time"). Absent on entries written without it.
   */
  durationMs?: number;
  /**
   * Import entries: how many examples and log entries came in; reset and retention entries: what they removed;
   * relabel entries (renameLabel, removeLabel): the change and how many examples and queue items it rewrote.
   */
  detail?: string;
  /** Retention entries: where the chain resumes after entries retention removed (`resume` is an entry id). */
  cuts?: { resume: number; prev: string }[];
  /**
   * `decisions` entries: the decisions of one `labelBatch` or `importLabels`, stored together (one entry holds up
   * to 1,000 of them; a larger batch writes several, in the same transaction). Each is undone by its own `decisionId`.
   */
  decisions?: BatchDecisionEntry[];
  /** SHA-256 (hex) of the entry before this one in the log's chain (64 zeros for the first), and of this entry. */
  prev?: string;
  hash?: string;
}

/** One decision of a `decisions` entry: what a `decision` entry says of it, less the time and model version they share. */
export interface BatchDecisionEntry {
  inputHash: string;
  human: string;
  decisionId: string;
  previousLabel?: string;
  annotator?: string;
  input?: string | number[] | { width: number; height: number };
  detail?: string;
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
  /** What the people's time cost and what auto-accept saved, from the whole log (see `HumanTimeReport`). */
  humanTime: HumanTimeReport;
}

/**
 * The cost of human time, from the whole audit log: decisions (not undone), the median visible, active seconds a
 * decision took (over the decisions that carry a `durationMs`), and what that median makes of the predictions let
 * through without a person and of the spot checks answered. Hours are estimates: count × median seconds / 3,600.
 */
export interface HumanTimeReport {
  /** Human decisions in the log, not undone. */
  decisions: number;
  /** Of those, the ones with a measured duration. */
  timed: number;
  /** Median seconds per timed decision; null before the first. */
  medianSeconds: number | null;
  /** Per annotator ('' for decisions without one), most decisions first. */
  perAnnotator: { annotator: string; decisions: number; timed: number; medianSeconds: number | null }[];
  /** Shown predictions let through without review (threshold or auto-accept) that no person answered after all. */
  autoAccepted: number;
  /** autoAccepted × medianSeconds, in hours; null without a median. */
  hoursSaved: number | null;
  /** Decisions answering a spot check (not undone). */
  spotChecks: number;
  /** spotChecks × medianSeconds, in hours: what the evidence for auto-accept cost; null without a median. */
  spotCheckHours: number | null;
}

/**
 * A model's choice for its head, made by 5-fold cross-validation on its newest labels (at most 1,000) whenever the
 * labels have doubled since the last choice: for a text model, which features the head reads, then how strongly its
 * weights are held toward zero (`l2`) on those; for a numeric or image model whose head is solved to convergence (few
 * enough values), that strength alone.
 */
export interface FeatureChoice {
  /**
   * The share of the head's features given to the `extra` group (0: word and character 3–5-gram features alone).
   * With 'encoder', the embedding's share of what the head reads (0: the vectors as joined, at one half).
   */
  shortGramShare: number;
  /**
   * The group that share goes to: 'letters', character 1- and 2-grams inside word boundaries (where the class lies
   * in a word's letters), 'counts', how many of each of those grams a text has (where it lies in how many: a word's
   * syllables, a text's length), or 'words', the word unigrams and bigrams again (where it lies in which words occur).
   * 'encoder' for a model with a `textEncoder`: the share is the embedding's, next to the n-grams.
   */
  extra: 'letters' | 'counts' | 'words' | 'encoder';
  /**
   * The L2 strength λ chosen (the head minimises its cross-entropy + λ‖W‖²; smaller is weaker); null where the head
   * keeps its default (1e-4): a text model's default won, or it has a text encoder, whose heads always keep it.
   */
  l2: number | null;
  /**
   * True when a text head's L2 holds rare n-grams less firmly than common ones: each weight's penalty scaled by
   * (typical idf / its n-gram's idf)², the same model as TF-IDF weights, where a gram few labelled texts have decides
   * (a language's letter pairs). Tried against the L2 strengths; false for numeric, image and encoder heads.
   */
  rareGrams: boolean;
  /** Each candidate tried, with its mean out-of-fold accuracy on the same folds. */
  candidates: {
    shortGramShare: number;
    extra: 'letters' | 'counts' | 'words' | 'encoder';
    l2: number | null;
    rareGrams: boolean;
    accuracy: number;
  }[];
  /** How many labels the choice was made with, and when (ms since the epoch). */
  examples: number;
  time: number;
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

/** `stats().autoAccept`: the auto-accept threshold for a handle's settings, and the evidence behind it. */
export interface AutoAcceptReport {
  /** Predictions at or above it are let through without review; null: nothing is auto-accepted yet. */
  threshold: number | null;
  maxError: number;
  confidence: number;
  /** Share of the recent predictions (up to 1,000) this handle's settings let through. */
  coverage: number;
  /** The upper bound on the error rate above `threshold` at the tested level (≤ maxError); null without a threshold. */
  errorUpperBound: number | null;
  /** Spot checks answered for the model now serving (since drift last began). */
  evidence: number;
  /** More spot checks, if they all agree with the model, before anything can be auto-accepted; 0 once it can. */
  needed: number;
  /** True while drift holds auto-accept back: evidence from before it no longer counts. */
  suspended: boolean;
  /** With `perClass`: the same per predicted label; `threshold` above is then null unless every label has one. */
  perClass?: Record<string, { threshold: number | null; errorUpperBound: number | null; evidence: number; needed: number }>;
}

/** One point of `riskCoverage()`: what auto-accepting at `threshold` would let through, and how wrong it may be. */
export interface RiskCoveragePoint {
  threshold: number;
  /** Share of the recent predictions at or above it. */
  coverage: number;
  /** Spot checks at or above it, and the share the person corrected (null before any). */
  checked: number;
  estimatedError: number | null;
  /** Clopper–Pearson upper bound at the level this threshold was tested at. */
  upperBound: number;
  /** True when the test let it through (the served threshold is the lowest such). */
  passed: boolean;
}
