/**
 * The reference learners, run on exactly the random run's labels (the first `budget` items of the pool order) and
 * scored on the same test split: knn-classifier on the features knn gets, and, for text, multinomial naive Bayes and
 * logistic regression on exact word and character n-grams; for numbers and images, logistic regression on the raw
 * features. Each chooses its own setting by cross-validation on the labels it is given (references/cross-validation.ts).
 */
import { KNNClassifier } from '@tensorflow-models/knn-classifier';
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './datasets.js';
import { score } from './metrics.js';
import { argmax, trainWithCrossValidation } from './references/cross-validation.js';
import type { Learner } from './references/learner.js';
import { logisticRegression } from './references/logistic-regression.js';
import { naiveBayes } from './references/naive-bayes.js';
import { FeatureSpace, NGRAM_TITLES, type NgramKind, ngrams } from './references/ngrams.js';
import { type SparseRow, denseRow } from './references/sparse.js';
import type { BenchConfig, KnnCheckpoint, ReferenceResult } from './types.js';
import { type Deadline, memo, outOfTime, pct, progress, seconds } from './util.js';

/** A reference other than knn: how to fit it and the rows it reads. */
interface Reference {
  name: string;
  learner: Learner;
  title: string;
  train: (i: number) => SparseRow;
  test: (i: number) => SparseRow;
}

/** How cost grows with labels for the references: cross-validated L-BFGS fits grow a little faster than linearly. */
const REFERENCE_GROWTH = 1.2;

function references(dataset: Dataset): Reference[] {
  if (dataset.fixture.input === 'text') {
    const spaces: Record<NgramKind, { space: FeatureSpace; train: (i: number) => SparseRow; test: (i: number) => SparseRow }> = {
      word: rowsOf('word'),
      char: rowsOf('char'),
    };
    function rowsOf(kind: NgramKind) {
      const space = new FeatureSpace();
      return {
        space,
        train: memo((i) => space.row(ngrams(kind, dataset.train.text(i)!))),
        test: memo((i) => space.row(ngrams(kind, dataset.test.text(i)!))),
      };
    }
    const out: Reference[] = [];
    for (const kind of ['word', 'char'] as const) {
      out.push({ name: `nb-${kind}`, learner: naiveBayes(), title: `multinomial naive Bayes, ${NGRAM_TITLES[kind]}`, ...spaces[kind] });
      out.push({
        name: `lr-${kind}`,
        learner: logisticRegression({ tfidf: true }),
        title: `logistic regression, ${NGRAM_TITLES[kind]} (sublinear tf-idf)`,
        ...spaces[kind],
      });
    }
    return out;
  }
  return [
    {
      name: 'lr-raw',
      learner: logisticRegression({ tfidf: false }),
      title: `logistic regression on ${dataset.peerFeatures}`,
      train: memo((i) => denseRow(dataset.train.peerVector(i))),
      test: memo((i) => denseRow(dataset.test.peerVector(i))),
    },
  ];
}

/** Every reference but knn, budget by budget, until the deadline. */
export async function referenceRuns(
  dataset: Dataset,
  config: BenchConfig,
  pool: number[],
  budgets: number[],
  deadline: Deadline,
  out: Record<string, ReferenceResult>,
): Promise<void> {
  const labels = dataset.fixture.labels;
  const classOf = new Map(labels.map((label, c) => [label, c]));
  const list = references(dataset);
  for (const reference of list) {
    out[reference.name] = { title: reference.title, grid: reference.learner.settings.join(', '), checkpoints: [] };
  }
  let lastStepMs = 0;
  let previous = 0;
  for (const budget of budgets) {
    if (outOfTime(deadline, lastStepMs, previous, budget, REFERENCE_GROWTH)) break;
    const started = performance.now();
    const chosen = pool.slice(0, budget);
    const y = Int32Array.from(chosen, (i) => classOf.get(dataset.train.label(i))!);
    const parts: string[] = [];
    for (const reference of list) {
      const t0 = performance.now();
      const rows = chosen.map((i) => reference.train(i));
      const trained = trainWithCrossValidation(reference.learner, rows, y, labels.length);
      const predictions = Array.from({ length: dataset.test.size }, (_, t) => {
        const p = trained.model.probabilities(reference.test(t));
        const best = argmax(p);
        return { label: labels[best]!, confidence: p[best]! };
      });
      const { accuracy, ece } = score(predictions, dataset.test.label, config.threshold);
      out[reference.name]!.checkpoints.push({
        labels: budget,
        accuracy,
        ece,
        choice: reference.learner.settings[trained.setting]!,
        cvAccuracy: trained.cvAccuracy,
        ms: Math.round(performance.now() - t0),
      });
      parts.push(`${reference.name} ${pct(accuracy)} (${reference.learner.settings[trained.setting]})`);
      // Fitting is synchronous: a turn of the event loop between learners lets progress reach the terminal.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    lastStepMs = performance.now() - started;
    previous = budget;
    progress(`  ${dataset.fixture.name} references ${budget} labels: ${parts.join(', ')} (step ${seconds(lastStepMs)})`);
  }
}

/** knn-classifier with the random run's labels, in the same order, scored at the same budgets. */
export async function knnRun(
  dataset: Dataset,
  config: BenchConfig,
  pool: number[],
  budgets: number[],
  deadline: Deadline,
  checkpoints: KnnCheckpoint[],
): Promise<void> {
  const knn = new KNNClassifier();
  // Test vectors are reused at every budget; text ones are 64 kB dense, so those are rebuilt per use instead.
  const testVectors = dataset.fixture.input === 'text' ? null : Array.from({ length: dataset.test.size }, (_, i) => dataset.test.peerVector(i));
  try {
    let added = 0;
    let lastStepMs = 0;
    for (const budget of budgets) {
      if (outOfTime(deadline, lastStepMs, added, budget)) break;
      const started = performance.now();
      for (; added < budget; added++) {
        const i = pool[added]!;
        const example = tf.tensor1d(dataset.train.peerVector(i));
        knn.addExample(example, dataset.train.label(i));
        example.dispose();
      }
      const predictions = new Map(config.knnK.map((k) => [k, [] as { label: string | null; confidence: number }[]]));
      const predictStarted = performance.now();
      for (let t = 0; t < dataset.test.size; t++) {
        const query = tf.tensor1d(testVectors ? testVectors[t]! : dataset.test.peerVector(t));
        try {
          for (const k of config.knnK) {
            const result = await knn.predictClass(query, k);
            predictions.get(k)!.push({ label: result.label ?? null, confidence: result.confidences[result.label] ?? 0 });
          }
        } finally {
          query.dispose();
        }
      }
      const perItem = (performance.now() - predictStarted) / dataset.test.size / config.knnK.length;
      const byK = Object.fromEntries(
        config.knnK.map((k) => {
          const { accuracy, ece } = score(predictions.get(k)!, dataset.test.label, config.threshold);
          return [k, { accuracy, ece }];
        }),
      );
      checkpoints.push({ labels: budget, byK, predictMsPerItem: Number(perItem.toFixed(2)) });
      lastStepMs = performance.now() - started;
      progress(
        `  ${dataset.fixture.name} knn ${budget} labels: ` +
          config.knnK.map((k) => `k=${k} ${pct(byK[k]!.accuracy)}`).join(', ') +
          ` (${perItem.toFixed(2)} ms per prediction; step ${seconds(lastStepMs)})`,
      );
    }
  } finally {
    knn.clearAllClasses();
  }
}
