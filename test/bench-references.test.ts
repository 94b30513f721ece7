// The learning benchmark's reference learners and curve area (bench/learning/): what their figures rest on.
import { describe, expect, it } from 'vitest';
import { commonBudgets, curveArea } from '../bench/learning/curve.mjs';
import { argmax, stratifiedFolds, trainWithCrossValidation } from '../bench/learning/references/cross-validation.js';
import { minimize } from '../workers/learning/lbfgs.js';
import type { Learner } from '../bench/learning/references/learner.js';
import { logisticRegression } from '../bench/learning/references/logistic-regression.js';
import { naiveBayes } from '../bench/learning/references/naive-bayes.js';
import { FeatureSpace, charNgrams, wordNgrams } from '../bench/learning/references/ngrams.js';
import { type SparseRow, denseRow } from '../bench/learning/references/sparse.js';

describe('n-grams', () => {
  it('makes word 1–2-grams and character 1–4-grams inside word boundaries', () => {
    expect(wordNgrams('Hello, big World')).toEqual(['hello', 'big', 'world', 'hello big', 'big world']);
    expect(charNgrams('ab')).toEqual(['a', 'b', ' a', 'ab', 'b ', ' ab', 'ab ', ' ab ']);
    // Boundary marks tell an ending from the same letters inside a word.
    expect(charNgrams('ing')).toContain('ng ');
    expect(charNgrams('ingot')).not.toContain('ng ');
  });

  it('counts repeated n-grams in one row, with ids ascending', () => {
    const space = new FeatureSpace();
    const row = space.row(['b', 'a', 'b']);
    expect(Array.from(row.indices)).toEqual([0, 1]);
    expect(Array.from(row.values)).toEqual([2, 1]);
    expect(Array.from(space.row(['a', 'c']).indices)).toEqual([1, 2]);
  });
});

describe('L-BFGS', () => {
  it('finds the minimum of an ill-conditioned quadratic', () => {
    const scales = [1, 10, 100, 1000];
    const target = [3, -2, 0.5, 7];
    const { x } = minimize(
      (point, gradient) => {
        let value = 0;
        point.forEach((v, i) => {
          value += (scales[i]! * (v - target[i]!) ** 2) / 2;
          gradient[i] = scales[i]! * (v - target[i]!);
        });
        return value;
      },
      new Float64Array(4),
      { maxIterations: 200, gradientTolerance: 1e-8 },
    );
    x.forEach((v, i) => expect(v).toBeCloseTo(target[i]!, 5));
  });
});

/** Two word-count features; class 1 uses feature 1 more, with overlap so neither learner is certain. */
function toyRows(): { rows: SparseRow[]; labels: Int32Array } {
  const data: [number, number, number][] = [
    [3, 0, 0],
    [2, 1, 0],
    [4, 1, 0],
    [1, 1, 0],
    [0, 3, 1],
    [1, 2, 1],
    [1, 4, 1],
    [2, 2, 1],
  ];
  return { rows: data.map(([a, b]) => denseRow([a, b])), labels: Int32Array.from(data, (d) => d[2]) };
}

describe('multinomial naive Bayes', () => {
  it('gives the closed-form posterior', () => {
    const { rows, labels } = toyRows();
    const [model] = naiveBayes([1]).fit(rows, labels, 2, [0]);
    // Class 0 counts: feature 0 = 10, feature 1 = 3; class 1: 4 and 11. Laplace: (n + 1) / (total + 2).
    const theta = [
      [11 / 15, 4 / 15],
      [5 / 17, 12 / 17],
    ];
    const joint = theta.map((t) => 0.5 * t[0]! ** 2 * t[1]!);
    const p = model!.probabilities(denseRow([2, 1]));
    expect(p[0]).toBeCloseTo(joint[0]! / (joint[0]! + joint[1]!), 10);
  });

  it('ignores features no training row has', () => {
    const space = new FeatureSpace();
    const rows = [space.row(['good', 'good']), space.row(['bad'])];
    const [model] = naiveBayes([1]).fit(rows, Int32Array.from([0, 1]), 2, [0]);
    const known = model!.probabilities(space.row(['good']));
    const withUnknown = model!.probabilities(space.row(['good', 'never', 'seen']));
    expect(Array.from(withUnknown)).toEqual(Array.from(known));
  });
});

describe('logistic regression', () => {
  it('reaches the optimum: mean predicted probability of each class equals its share of the labels', () => {
    // The bias is unpenalised, so at the optimum Σ (p_ic − y_ic) = 0 for every class; an unconverged fit misses it.
    // Six of class 0 and four of class 1, so the all-zero start (0.5 each) is far from it.
    const toy = toyRows();
    const rows = [...toy.rows, denseRow([2, 0]), denseRow([3, 1])];
    const labels = Int32Array.from([...toy.labels, 0, 0]);
    for (const tfidf of [false, true]) {
      const [model] = logisticRegression({ Cs: [1], tfidf }).fit(rows, labels, 2, [0]);
      const mean = rows.reduce((sum, row) => sum + model!.probabilities(row)[1]!, 0) / rows.length;
      expect(mean).toBeCloseTo(0.4, 4);
    }
  });

  it('fits the training labels closer as the penalty weakens, whichever order settings are asked in', () => {
    const { rows, labels } = toyRows();
    const logLoss = (model: { probabilities(row: SparseRow): Float64Array }) =>
      rows.reduce((sum, row, i) => sum - Math.log(model.probabilities(row)[labels[i]!]!), 0);
    const models = logisticRegression({ Cs: [0.01, 1, 100], tfidf: false }).fit(rows, labels, 2, [2, 0, 1]);
    const [strong, weak, middle] = [models[1]!, models[0]!, models[2]!];
    expect(logLoss(weak)).toBeLessThan(logLoss(middle));
    expect(logLoss(middle)).toBeLessThan(logLoss(strong));
  });

  it('separates classes of a three-class problem', () => {
    const rows = [0, 1, 2].flatMap((c) => [0, 1, 2, 3].map((k) => denseRow([c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0, k / 3])));
    const labels = Int32Array.from(rows, (_, i) => Math.floor(i / 4));
    const [model] = logisticRegression({ Cs: [10], tfidf: false }).fit(rows, labels, 3, [0]);
    rows.forEach((row, i) => expect(argmax(model!.probabilities(row))).toBe(labels[i]));
  });
});

describe('cross-validation', () => {
  it('deals each class over the folds', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const folds = stratifiedFolds(labels, 2, 5);
    for (let f = 0; f < 5; f++) {
      const members = [...labels.keys()].filter((i) => folds[i] === f);
      expect(members.map((i) => labels[i]).sort()).toEqual([0, 1]);
    }
  });

  /** Setting 0 always answers class 0; setting 1 answers by feature 0, which is the label; setting 2 is the default. */
  const byFeature: Learner = {
    settings: ['always 0', 'feature 0', 'always 1'],
    defaultSetting: 2,
    fit: (_rows, _labels, _classes, settings) =>
      settings.map((s) => ({
        probabilities: (row: SparseRow) => {
          const one = s === 2 || (s === 1 && row.values[0]! > 0.5);
          return Float64Array.from(one ? [0, 1] : [1, 0]);
        },
      })),
  };

  it('chooses the setting that predicts held-out labels best, with its held-out accuracy', () => {
    const rows = Array.from({ length: 10 }, (_, i) => denseRow([i % 2]));
    const labels = Int32Array.from(rows, (r) => r.values[0]!);
    const trained = trainWithCrossValidation(byFeature, rows, labels, 2);
    expect(trained.setting).toBe(1);
    expect(trained.cvAccuracy).toBe(1);
  });

  it('breaks a tie in accuracy by held-out likelihood', () => {
    const confidence = [0.6, 0.9, 0.7];
    const sureOrNot: Learner = {
      settings: ['60 %', '90 %', '70 %'],
      defaultSetting: 0,
      fit: (_rows, _labels, _classes, settings) =>
        settings.map((s) => ({
          probabilities: (row: SparseRow) => {
            const p = confidence[s]!;
            return Float64Array.from(row.values[0]! > 0.5 ? [1 - p, p] : [p, 1 - p]);
          },
        })),
    };
    const rows = Array.from({ length: 10 }, (_, i) => denseRow([i % 2]));
    const trained = trainWithCrossValidation(
      sureOrNot,
      rows,
      Int32Array.from(rows, (r) => r.values[0]!),
      2,
    );
    expect(trained.setting).toBe(1);
  });

  it('keeps the default when the labels hold one class only', () => {
    const rows = Array.from({ length: 6 }, () => denseRow([0]));
    const trained = trainWithCrossValidation(byFeature, rows, new Int32Array(6), 2);
    expect(trained.setting).toBe(2);
    expect(trained.cvAccuracy).toBeNull();
  });
});

describe('area under a learning curve', () => {
  it('is the mean accuracy over log2(labels)', () => {
    const points = [
      { labels: 10, accuracy: 0.5 },
      { labels: 20, accuracy: 0.7 },
      { labels: 80, accuracy: 0.9 },
    ];
    // Widths 1 and 2 in log2: (1 × 0.6 + 2 × 0.8) / 3.
    expect(curveArea(points, [10, 20, 80])).toBeCloseTo((0.6 + 1.6) / 3, 12);
    expect(curveArea(points, [10, 20, 40])).toBeNull();
    expect(curveArea(points, [10])).toBeNull();
  });

  it('compares curves on the budgets all of them reached', () => {
    const full = [10, 20, 40].map((labels) => ({ labels, accuracy: 1 }));
    expect(commonBudgets([full, full.slice(0, 2)], [10, 20, 40])).toEqual([10, 20]);
  });
});
