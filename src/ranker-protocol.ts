/**
 * The wire types of rankers (createRanker): what the page and the engine worker exchange about a preference model
 * learnt from people's pairwise comparisons. src/protocol.ts re-exports them; workers import them from there.
 * Plain data only, like every wire type.
 */
import type {
  BackendName,
  BackendRequest,
  FeatureExtractorSpec,
  InputKind,
  LogVerification,
  StorageKind,
  TextEncoderSpec,
  WireInput,
} from './protocol.js';

/** Who won a comparison: the first item, the second, or neither (a tie). */
export const COMPARE_OUTCOMES = ['a', 'b', 'tie'] as const;
export type CompareOutcome = (typeof COMPARE_OUTCOMES)[number];

/**
 * How `selectPairs` picks pairs: `informative` ranks pairs by how unsure the model is of their outcome (close in score)
 * times how much it would learn (the uncertainty of the score difference), and keeps the batch diverse; `random`
 * draws pairs uniformly (the baseline active selection is measured against).
 */
export const PAIR_STRATEGIES = ['informative', 'random'] as const;
export type PairStrategy = (typeof PAIR_STRATEGIES)[number];

/** What the worker needs to open (or create) one ranker. */
export interface RankerSpec {
  name: string;
  input: InputKind;
  storage: StorageKind;
  featureExtractor?: FeatureExtractorSpec;
  textEncoder?: TextEncoderSpec;
}

export interface RankerOpenOptions {
  backend: BackendRequest;
  /** Refit (choosing the regularisation by the model's evidence) this many ms after the last comparison; 0 or less: off. */
  autoTrainDelayMs: number;
  /** False: comparisons keep the items' vectors and hashes, never the raw inputs. */
  keepInputs: boolean;
  /** Delete comparisons and log entries older than this many days. */
  retentionDays?: number;
}

export interface RankerOpenResult {
  key: string;
  handle: string;
  backend: BackendName;
  comparisons: number;
  modelVersion: number;
  persistent: boolean;
  storageProblem?: string;
}

export interface CompareMeta {
  annotator?: string;
  /** The id of what the person was shown (a prediction of the site's own), kept in the log. */
  predictionId?: string;
}

export interface CompareResult {
  /** Identifies this comparison in the audit log; pass it to `undo()`. */
  decisionId: string;
  comparisons: number;
  /** The model's probability that a person prefers `a`, before and after it learnt from this comparison. */
  before: number;
  after: number;
}

/** An item's score: its Bradley–Terry log-strength, and the standard deviation of that score under the model. */
export interface RankScore {
  score: number;
  uncertainty: number;
}

/** One item of `rank()`'s answer: the index it had in the list given, with its score. */
export interface RankedItem extends RankScore {
  index: number;
}

/** The three outcomes' probabilities for a pair (Davidson's tie model); they sum to 1. */
export interface PairProbability {
  a: number;
  b: number;
  tie: number;
}

export interface RankerUndoResult {
  decisionId: string;
  comparisons: number;
}

export interface RankerTrainResult {
  modelVersion: number;
  comparisons: number;
  ms: number;
  /** The L2 strength the model's evidence chose (null when too few comparisons to choose: the default is kept). */
  l2: number | null;
}

/**
 * Figures of a ranker. Held-out figures are out-of-fold (5 folds over the comparisons, refitted per fold at the last
 * training), so they measure the model on comparisons it did not learn from; null before a training with at least
 * 10 comparisons.
 */
export interface RankerStats {
  comparisons: number;
  ties: number;
  /** Distinct items compared. */
  items: number;
  modelVersion: number;
  backend: BackendName;
  /** Share of held-out comparisons (ties left out) whose winner the model scored higher. */
  heldOutAgreement: number | null;
  /** How many held-out comparisons that share was measured on. */
  heldOut: number;
  /** Expected calibration error of `probability()` on held-out comparisons (10 equal bins). */
  ece: number | null;
  /**
   * Of the triples of items whose three pairs have all been compared (majority outcome per pair, ties left out),
   * the share whose preferences go round in a cycle (a > b > c > a): people's own inconsistency.
   */
  intransitiveShare: number | null;
  triples: number;
  /** Davidson's tie parameter ν: P(tie) = ν / (2 + ν) for two items of equal score. */
  tieParameter: number;
  l2: number;
  /**
   * What the model reads of a text item, chosen with the L2 strength by the model's evidence on the comparisons (see
   * docs/ranking.md). null before the first choice, for rankers of numbers, images or a text encoder, and while
   * comparisons are kept without their text (`keepInputs: false`).
   */
  features: RankerFeatures | null;
}

/** A text ranker's choice of features. */
export interface RankerFeatures {
  /** true: the hashed n-grams' plain counts (how much an item holds counts); false: the unit-length vector. */
  counts: boolean;
  /** The share of the squared length given to character 1- and 2-grams inside words (0, 0.25 or 0.5). */
  shortGramShare: number;
  /** The comparisons it was chosen on. */
  comparisons: number;
}

export const RANKER_LOG_KINDS = ['compare', 'undo', 'import', 'reset', 'retention'] as const;
export type RankerLogKind = (typeof RANKER_LOG_KINDS)[number];

/** One entry of a ranker's audit log, a hash chain like the classifier's (log-chain.ts). */
export interface RankerLogEntry {
  id: number;
  kind: RankerLogKind;
  time: number;
  /** A comparison's id; on an undo, the id of the comparison it undid. */
  decisionId?: string;
  /** The two items' input hashes. */
  a?: string;
  b?: string;
  outcome?: CompareOutcome;
  annotator?: string;
  predictionId?: string;
  /** What the model gave as the probability that `a` is preferred, just before this comparison. */
  probability?: number;
  modelVersion: number;
  detail?: string;
  cuts?: { resume: number; prev: string }[];
  prev?: string;
  hash?: string;
}

export interface RankerImportResult {
  /** Comparisons added (those already here by id are skipped). */
  comparisons: number;
  logEntries: number;
  modelVersion: number;
}

/** The methods of the engine that serve rankers; `EngineApi.ranker(method, args)` dispatches to them by name. */
export interface RankerMethods {
  open(spec: RankerSpec, options: RankerOpenOptions): Promise<RankerOpenResult>;
  compare(key: string, a: WireInput, b: WireInput, outcome: CompareOutcome, meta: CompareMeta): Promise<CompareResult>;
  score(key: string, inputs: WireInput[]): Promise<RankScore[]>;
  probability(key: string, a: WireInput, b: WireInput): Promise<PairProbability>;
  selectPairs(key: string, pool: WireInput[], k: number, strategy: PairStrategy, seed: number): Promise<[number, number][]>;
  undo(key: string, decisionId: string): Promise<RankerUndoResult>;
  train(key: string): Promise<RankerTrainResult>;
  stats(key: string): Promise<RankerStats>;
  auditLog(key: string, limit: number): Promise<RankerLogEntry[]>;
  verifyLog(key: string): Promise<LogVerification>;
  exportBundle(key: string): Promise<Blob>;
  importBundle(key: string, data: Blob): Promise<RankerImportResult>;
  reset(key: string): Promise<void>;
  close(key: string, handle: string): Promise<void>;
}

export type RankerMethod = keyof RankerMethods;

/** Pushed to every page when a ranker's comparisons or model changed, whoever changed them (this tab or another). */
export interface RankerChange {
  type: 'ranker-changed';
  key: string;
  /** What happened: a comparison, an undo, a training, an import, a reset, or another tab's change read back. */
  reason: 'compare' | 'undo' | 'train' | 'import' | 'reset' | 'remote';
  comparisons: number;
  modelVersion: number;
}

/** A ranker's key in the engine: apart from classifiers' keys, so a ranker and a classifier may share a name. */
export function rankerKey(spec: Pick<RankerSpec, 'name' | 'storage'>): string {
  return `ranker:${spec.storage}:${spec.name}`;
}
