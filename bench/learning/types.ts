/** What one dataset's run of the learning benchmark is given and gives back, as the runner and the page share it. */
import type { BackendRequest, ReviewStrategy, Stats } from '../../src/protocol.js';

export const DATASETS = ['spam', 'iris', 'mnist', 'cmudict', 'paraphrase', 'names', 'sotu'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface BenchConfig {
  dataset: DatasetName;
  /** Label budgets at which the test split is scored; those above the pool size are dropped. */
  budgets: number[];
  /**
   * SetFit's budgets, in labels per class: each adds (per class × classes) to `budgets`, labelled in the same
   * random order (so about that many per class on a balanced task, not exactly).
   */
  perClassBudgets: number[];
  strategies: ReviewStrategy[];
  /** Random labels every active-learning run starts from (the first ones of the random order). */
  seedSize: number;
  /** Unlabelled items selection may choose from: a seeded random subset of the train split, for speed. */
  poolSize: number;
  /** k values tried for the knn peer; the table shows k = 3 (knn-classifier's default) and the best of these. */
  knnK: number[];
  threshold: number;
  backend: BackendRequest;
  seed: number;
  /**
   * Items offered to each selectForReview call: a seeded random sample of the unlabelled pool of at most this many
   * (selectForReview featurizes every item it is given, every round).
   */
  candidates: number;
  /** Train a model on every train label once (the ceiling). */
  ceiling: boolean;
  /** Wall-clock budget for this dataset; runs stop at a checkpoint when their part of it is spent (see run.ts). */
  budgetMs: number;
}

export interface Checkpoint {
  labels: number;
  accuracy: number;
  ece: number;
  /** Predictions with confidence ≥ threshold: the share of the test split, and how many of them are right. */
  confident: { coverage: number; accuracy: number | null };
  /** TrainResult.ms of the training that produced this model, and the wall time of the train() call. */
  trainMs: number | null;
  trainWallMs: number | null;
  /** Wall time of scoring the whole test split with predictBatch. */
  predictMs: number;
  /** Total selectForReview wall time spent to get here (active learning only). */
  selectMs?: number;
  /** train() calls made to get here (active learning retrains after every batch). */
  trainings: number;
  modelVersion: number;
  byLabel: Record<string, number>;
  calibration: Stats['calibration'] | null;
}

/** Issue 3: a correction flips the corrected input every time, and a near-duplicate of it at least 9 times in 10. */
export interface CorrectionCheck {
  /** Labels the model had (the random run's largest budget) when the corrections were given. */
  labels: number;
  /** Test items the model got wrong, each then labelled with its true label. */
  corrected: number;
  /** Of those, how many were predicted as the correction right after label() resolved. */
  exact: number;
  /** Near-duplicates that the model also got wrong before the correction, … */
  nearTried: number;
  /** … and how many of them followed the correction. */
  near: number;
  nearDuplicate: string;
}

export interface KnnCheckpoint {
  labels: number;
  byK: Record<string, { accuracy: number; ece: number }>;
  predictMsPerItem: number;
}

/** A reference learner at one budget: trained on the random run's labels, its settings chosen by cross-validation. */
export interface ReferenceCheckpoint {
  labels: number;
  accuracy: number;
  ece: number;
  /** The setting cross-validation chose (e.g. "C=10") and its cross-validated accuracy on those labels. */
  choice: string;
  cvAccuracy: number | null;
  /** Cross-validation, the final fit and scoring the test split together. */
  ms: number;
}

export interface ReferenceResult {
  /** What it is and on which features, e.g. "logistic regression, char 1–4-grams of ' word '". */
  title: string;
  /** What cross-validation chose among. */
  grid: string;
  checkpoints: ReferenceCheckpoint[];
}

export interface DatasetResult {
  dataset: DatasetName;
  status: 'ok' | 'skipped' | 'error';
  reason?: string;
  source: string;
  note: string;
  input: 'text' | 'features' | 'image';
  labels: string[];
  trainSize: number;
  testSize: number;
  poolSize: number;
  seedSize: number;
  budgets: number[];
  /** The budgets that are SetFit's (labels per class × classes), as labels per class by total labels. */
  perClass: Record<string, number>;
  threshold: number;
  /** The strategy selectForReview uses when none is named (the engine's default), for the target lines. */
  defaultStrategy: ReviewStrategy;
  backend: string | null;
  userAgent: string;
  runs: Record<string, Checkpoint[]>;
  /** Runs that stopped before the largest budget because their share of the time budget was spent. */
  stopped: Record<string, string>;
  /** Runs that failed, with the error; their checkpoints up to the failure are kept. */
  errors: Record<string, string>;
  candidates: number;
  budgetMs: number;
  peer: { name: string; features: string; backend: string; k: number[]; checkpoints: KnnCheckpoint[] } | null;
  /** The reference learners other than knn, by short name (nb-word, lr-char …). */
  references: Record<string, ReferenceResult>;
  ceiling: (Checkpoint & { labelMs: number }) | null;
  /**
   * Issue 17's encoder target (the paraphrase task): our model opened with `textEncoder`, given the random run's
   * labels at SetFit's budgets. Absent on other tasks, and on this one when the run failed (see errors.encoder).
   */
  encoder?: { model: string; checkpoints: { labels: number; accuracy: number; ece: number; trainMs: number; predictMs: number }[] };
  corrections: CorrectionCheck | null;
  /** Anything the public API did that the benchmark had to work around (wrong indices from selectForReview…). */
  anomalies: string[];
  wallMs: number;
}

declare global {
  interface Window {
    /** Set by the runner (page.exposeFunction) to stream progress to the terminal. */
    benchProgress?: (message: string) => void;
    runLearningBenchmark: (config: BenchConfig) => Promise<DatasetResult>;
    /** The result being filled in by the run in progress. */
    benchState?: DatasetResult;
  }
}
