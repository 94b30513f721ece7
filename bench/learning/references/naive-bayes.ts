/**
 * Multinomial naive Bayes (scikit-learn's MultinomialNB): class priors from the label counts, per-class feature
 * probabilities (count + alpha) / (class total + alpha × vocabulary size), over the features the training rows use.
 * Alpha, the additive smoothing, is the setting cross-validation chooses; 1 (Laplace) is scikit-learn's default.
 */
import type { Fitted, Learner } from './learner.js';
import { type SparseRow, Vocabulary, softmaxInPlace } from './sparse.js';

export const NB_ALPHAS = [1, 0.3, 0.1, 0.03, 0.01];

export function naiveBayes(alphas: number[] = NB_ALPHAS): Learner {
  return {
    settings: alphas.map((a) => `alpha=${a}`),
    defaultSetting: Math.max(0, alphas.indexOf(1)),
    fit(rows, labels, classes, settings) {
      const vocabulary = new Vocabulary(rows);
      const size = vocabulary.size;
      const counts = new Float64Array(size * classes);
      const totals = new Float64Array(classes);
      const docs = new Float64Array(classes);
      rows.forEach((row, i) => {
        const c = labels[i]!;
        docs[c]! += 1;
        const local = vocabulary.map(row);
        local.indices.forEach((f, j) => {
          counts[f * classes + c]! += local.values[j]!;
          totals[c]! += local.values[j]!;
        });
      });
      const logPrior = Float64Array.from(docs, (d) => Math.log(d / rows.length));
      return settings.map((s): Fitted => {
        const alpha = alphas[s]!;
        const logTheta = new Float64Array(size * classes);
        for (let f = 0; f < size; f++) {
          for (let c = 0; c < classes; c++) logTheta[f * classes + c] = Math.log((counts[f * classes + c]! + alpha) / (totals[c]! + alpha * size));
        }
        return {
          probabilities(row: SparseRow) {
            const scores = Float64Array.from(logPrior);
            const local = vocabulary.map(row);
            local.indices.forEach((f, j) => {
              for (let c = 0; c < classes; c++) scores[c]! += local.values[j]! * logTheta[f * classes + c]!;
            });
            return softmaxInPlace(scores);
          },
        };
      });
    },
  };
}
