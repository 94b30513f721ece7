/** What a reference learner is to the benchmark: a few settings to choose among, and models fitted per setting. */
import type { SparseRow } from './sparse.js';

export interface Fitted {
  /** Class probabilities of one row (ids of the same FeatureSpace the model was fitted in). */
  probabilities(row: SparseRow): Float64Array;
}

export interface Learner {
  /** The settings cross-validation chooses among, described ("alpha=0.1", "C=10"), in the order fit takes them. */
  settings: string[];
  /** The setting used when there are too few labels to cross-validate: the package default it mirrors. */
  defaultSetting: number;
  /** One model per requested setting index, fitted on `rows` with `labels` in 0…classes−1. */
  fit(rows: SparseRow[], labels: Int32Array, classes: number, settings: number[]): Fitted[];
}
