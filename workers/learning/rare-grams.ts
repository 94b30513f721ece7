import type { SparseVector } from '../featurizers/vector.js';

/**
 * The rare-gram prior: a text head's L2 strength, column by column, multiplied by (m / idf)², where
 * idf = ln((1 + n) / (1 + df)) + 1 over the n rows trained on (scikit-learn's smoothed idf) and m is the mean idf over
 * those rows' non-zeros, so that a typical occurrence is held as firmly as under the plain penalty.
 *
 * Why a penalty and not TF-IDF weights: in a linear model with L2, scaling column j by idf_j is the same model as
 * dividing its penalty by idf_j², and the penalty needs nothing at serving time (no document frequencies stored with
 * the head, explanations unchanged). It lets an n-gram few rows have (a language's letter pairs, a product code's
 * prefix) carry a large weight, and holds the grams every row has near zero. Where counts of common grams are the
 * signal (a word's syllables) or many rare grams are noise (e-mails), it hurts, so it is one of the candidates the
 * feature choice cross-validates (feature-choice.ts), never a default.
 *
 * Document frequencies come from the rows' features only, never their labels: a fold's head may count its held-out
 * rows too, as it would count unlabelled inputs.
 */
export function rareGramPenalty(rows: readonly SparseVector[], inputDim: number): Float64Array {
  const df = new Float64Array(inputDim);
  for (const row of rows) for (let j = 0; j < row.indices.length; j++) if (row.values[j] !== 0) df[row.indices[j]!]! += 1;
  const n = rows.length;
  const idf = Float64Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
  // Each column's idf counted once per row that has it: the mean over the rows' non-zeros.
  let sum = 0;
  let count = 0;
  for (let c = 0; c < inputDim; c++) {
    sum += df[c]! * idf[c]!;
    count += df[c]!;
  }
  const typical = count > 0 ? sum / count : 1;
  return Float64Array.from(idf, (x) => (typical / x) ** 2);
}
