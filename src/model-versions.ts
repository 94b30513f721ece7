/**
 * Model versions (issue 21): the trained heads a model keeps for rollback, and what training knew of each. Wire
 * types, re-exported by protocol.ts; plain data.
 */

/** How many trained versions a model keeps when `keepVersions` is not given. */
export const DEFAULT_KEEP_VERSIONS = 5;

/** What a training knew about the head it produced, kept with the version. */
export interface TrainingMetrics {
  /** Labelled examples the head was trained on, and how many of each label. */
  examples: number;
  byLabel: Record<string, number>;
  /** Where training started (see TrainResult.start). */
  start: 'zeros' | 'warm' | 'shipped';
  /** The mean training loss over the last pass; null for a version kept from before versions existed. */
  loss: number | null;
  /**
   * The stratified held-out fifth a training from zeros measures itself on (from 30 labels, 3 in a class): how many
   * labels, the accuracy of the head trained without them, and the expected calibration error after calibration.
   * Null when there were too few labels, and for warm starts, which carry the calibration over.
   */
  heldOut: { examples: number; accuracy: number | null; ece: number } | null;
  /**
   * Text models: the extra group's share of the features this head reads, which group (`extra`, as in
   * `stats().featureChoice`), and the out-of-fold accuracy cross-validation measured for that choice (null when none
   * was measured yet). Null for other inputs.
   */
  featureChoice: { shortGramShare: number; extra: 'letters' | 'counts' | 'words' | 'encoder'; accuracy: number | null } | null;
  /** How long the training took, in ms (null when not known), and the TensorFlow.js backend it ran on. */
  ms: number | null;
  backend: string;
}

/** One kept version of a model's trained head, as `versions()` lists them (newest first). */
export interface ModelVersion {
  version: number;
  /** When it was trained (ms since the epoch). */
  trainedAt: number;
  /** True for the version that answers predictions now. */
  serving: boolean;
  /** True for the pinned version: background training does not replace it (`pin()`). */
  pinned: boolean;
  metrics: TrainingMetrics;
}

/** What rollback() and pin() leave: the version serving now, and the pinned one (null: none). */
export interface VersionChange {
  modelVersion: number;
  pinned: number | null;
}
