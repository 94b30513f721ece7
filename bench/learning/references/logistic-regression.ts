/**
 * Multinomial logistic regression with an L2 penalty, as scikit-learn's LogisticRegression fits it: minimise
 * C × Σ cross-entropy + ½‖W‖² (the bias unpenalised) with L-BFGS. Here the objective is divided by C × n, so its scale
 * does not grow with the labels. C, the inverse regularisation strength, is the setting cross-validation chooses;
 * 1 is scikit-learn's default. Settings are fitted from the strongest penalty up, each starting from the previous
 * solution, which is far cheaper than from zeros and reaches the same optimum (the problem is strictly convex).
 *
 * Text rows are weighted as TfidfVectorizer(sublinear_tf=True) does: (1 + ln count) × idf, idf = ln((1 + n) /
 * (1 + df)) + 1 from the training rows, then L2-normalised. Numeric rows are used as given.
 */
import type { Fitted, Learner } from './learner.js';
import { minimize } from '../../../workers/learning/lbfgs.js';
import { type SparseRow, Vocabulary, softmaxInPlace } from './sparse.js';

export const LR_CS = [0.1, 1, 10, 100];

export interface LogisticOptions {
  Cs?: number[];
  tfidf: boolean;
}

export function logisticRegression({ Cs = LR_CS, tfidf }: LogisticOptions): Learner {
  return {
    settings: Cs.map((c) => `C=${c}`),
    defaultSetting: Math.max(0, Cs.indexOf(1)),
    fit(rows, labels, classes, settings) {
      const vocabulary = new Vocabulary(rows);
      const size = vocabulary.size;
      const idf = tfidf
        ? inverseDocumentFrequency(
            rows.map((r) => vocabulary.map(r)),
            size,
          )
        : null;
      const prepare = (row: SparseRow) => (idf ? weigh(vocabulary.map(row), idf) : vocabulary.map(row));
      const local = rows.map(prepare);
      const weights = new Float64Array(size * classes + classes);
      const order = settings.map((s, at) => ({ s, at })).sort((a, b) => Cs[a.s]! - Cs[b.s]!);
      const fitted: Fitted[] = new Array<Fitted>(settings.length);
      for (const { s, at } of order) {
        const lambda = 1 / (Cs[s]! * local.length);
        minimize((w, gradient) => objective(w, gradient, local, labels, classes, size, lambda), weights);
        const w = weights.slice();
        fitted[at] = {
          probabilities(row: SparseRow) {
            const x = prepare(row);
            const scores = w.slice(size * classes);
            x.indices.forEach((f, j) => {
              for (let c = 0; c < classes; c++) scores[c]! += x.values[j]! * w[f * classes + c]!;
            });
            return softmaxInPlace(scores);
          },
        };
      }
      return fitted;
    },
  };
}

/** Mean cross-entropy + λ/2 ‖W‖², and its gradient; weights are W (feature-major, size × classes) then the biases. */
function objective(
  w: Float64Array,
  gradient: Float64Array,
  rows: SparseRow[],
  labels: Int32Array,
  classes: number,
  size: number,
  lambda: number,
): number {
  // Plain indexed loops: this runs tens of times per fit, over every non-zero of every row.
  gradient.fill(0);
  const bias = size * classes;
  const p = new Float64Array(classes);
  const n = rows.length;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const { indices, values } = rows[i]!;
    const nnz = indices.length;
    for (let c = 0; c < classes; c++) p[c] = w[bias + c]!;
    for (let j = 0; j < nnz; j++) {
      const base = indices[j]! * classes;
      const v = values[j]!;
      for (let c = 0; c < classes; c++) p[c]! += v * w[base + c]!;
    }
    softmaxInPlace(p);
    const y = labels[i]!;
    loss -= Math.log(Math.max(p[y]!, 1e-300));
    p[y]! -= 1;
    for (let c = 0; c < classes; c++) {
      p[c]! /= n;
      gradient[bias + c]! += p[c]!;
    }
    for (let j = 0; j < nnz; j++) {
      const base = indices[j]! * classes;
      const v = values[j]!;
      for (let c = 0; c < classes; c++) gradient[base + c]! += v * p[c]!;
    }
  }
  let penalty = 0;
  for (let k = 0; k < bias; k++) {
    penalty += w[k]! * w[k]!;
    gradient[k]! += lambda * w[k]!;
  }
  return loss / n + (lambda / 2) * penalty;
}

function inverseDocumentFrequency(rows: SparseRow[], size: number): Float64Array {
  const df = new Float64Array(size);
  for (const row of rows) row.indices.forEach((f, j) => (df[f]! += row.values[j]! > 0 ? 1 : 0));
  return Float64Array.from(df, (d) => Math.log((1 + rows.length) / (1 + d)) + 1);
}

function weigh(row: SparseRow, idf: Float64Array): SparseRow {
  // A stored zero (a dense row made sparse) is no occurrence: ln 0 would make it −∞.
  const values = Float64Array.from(row.values, (count, j) => (count > 0 ? (1 + Math.log(count)) * idf[row.indices[j]!]! : 0));
  let norm = 0;
  for (const v of values) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let j = 0; j < values.length; j++) values[j]! /= norm;
  return { indices: row.indices, values };
}
