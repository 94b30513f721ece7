/**
 * The learning benchmark, run inside a page: learning curves through the public API only (createClassifier,
 * label, train, selectForReview, predictBatch, stats), next to @tensorflow-models/knn-classifier fed the same
 * features and labels. scripts/bench-learning.mjs serves this page, calls `runLearningBenchmark` once per
 * dataset and prints what it returns.
 */
import { KNNClassifier } from '@tensorflow-models/knn-classifier';
import * as tf from '@tensorflow/tfjs-core';
import { createClassifier, type Classifier, type ClassifierInput, type Prediction } from '../src/index.js';
import type { BackendRequest, ReviewStrategy, Stats } from '../src/protocol.js';
import { TEXT_DIM, featurizeText } from '../workers/featurizers/text.js';
import { seededRandom } from '../scripts/seeded-random.mjs';
import { startPeerBackend } from './peer-backend.js';

export const DATASETS = ['spam', 'iris', 'mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface BenchConfig {
  dataset: DatasetName;
  /** Label budgets at which the test split is scored; those above the pool size are dropped. */
  budgets: number[];
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
  /** Wall-clock budget for this dataset; runs stop at a checkpoint when their part of it is spent (see run()). */
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
  /** Near-duplicates (see nearDuplicate) that the model also got wrong before the correction, … */
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
  threshold: number;
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
  ceiling: (Checkpoint & { labelMs: number }) | null;
  corrections: CorrectionCheck | null;
  /** Anything the public API did that the benchmark had to work around (wrong indices from selectForReview…). */
  anomalies: string[];
  wallMs: number;
}

interface TextFixture {
  name: string;
  source: string;
  input: 'text';
  labels: string[];
  note: string;
  train: { text: string; label: string }[];
  test: { text: string; label: string }[];
}
interface ImageFixture {
  name: string;
  source: string;
  input: 'image';
  labels: string[];
  note: string;
  width: number;
  height: number;
  train: { pixels: string; labels: string[] };
  test: { pixels: string; labels: string[] };
}
interface FeaturesFixture {
  name: string;
  source: string;
  input: 'features';
  labels: string[];
  note: string;
  train: { x: number[]; label: string }[];
  test: { x: number[]; label: string }[];
}
type Fixture = TextFixture | ImageFixture | FeaturesFixture;

/** One split as the benchmark uses it: inputs for our API, truth, and the peer's dense vector of each item. */
interface Split {
  size: number;
  input(i: number): ClassifierInput;
  label(i: number): string;
  peerVector(i: number): Float32Array;
}

interface Dataset {
  fixture: Fixture;
  train: Split;
  test: Split;
  peerFeatures: string;
}

const EVAL_CHUNK = 50;
/** Shares of a dataset's time budget (see run()). */
const PEER_SHARE = 0.25;
const RANDOM_SHARE = 0.2;
/** The ceiling runs when its estimated time ends within this share of the budget past the budget's end. */
const CEILING_GRACE = 0.1;
/**
 * How the cost of an active-learning budget grows with its size: (next / previous) ** this. Each budget adds
 * twice the labels of the one before, and training and scoring cost more with more labels: measured 1.5–2.1× per
 * doubling on this engine (up to 3× with a slower head), so a slight over-estimate.
 */
const ACTIVE_GROWTH = 1.2;
const ECE_BINS = 10;

declare global {
  interface Window {
    /** Set by the runner (page.exposeFunction) to stream progress to the terminal. */
    benchProgress?: (message: string) => void;
    runLearningBenchmark: (config: BenchConfig) => Promise<DatasetResult>;
    /** The result being filled in by the run in progress. */
    benchState?: DatasetResult;
  }
}

function progress(message: string): void {
  const log = document.getElementById('log');
  if (log) log.textContent += `${message}\n`;
  window.benchProgress?.(message);
}

function shuffled(length: number, random: () => number): number[] {
  const order = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function memo<T>(make: (i: number) => T): (i: number) => T {
  const cache = new Map<number, T>();
  return (i) => {
    let value = cache.get(i);
    if (value === undefined) {
      value = make(i);
      cache.set(i, value);
    }
    return value;
  };
}

function denseText(text: string): Float32Array {
  const { indices, values } = featurizeText(text);
  const dense = new Float32Array(TEXT_DIM);
  for (let j = 0; j < indices.length; j++) dense[indices[j]!] = values[j]!;
  return dense;
}

function textSplit(items: { text: string; label: string }[]): Split {
  return {
    size: items.length,
    input: (i) => items[i]!.text,
    label: (i) => items[i]!.label,
    // Dense vectors are 64 kB each: made on demand, never all kept.
    peerVector: (i) => denseText(items[i]!.text),
  };
}

function featuresSplit(items: { x: number[]; label: string }[], mean: number[], std: number[]): Split {
  return {
    size: items.length,
    input: (i) => items[i]!.x,
    label: (i) => items[i]!.label,
    peerVector: memo((i) => Float32Array.from(items[i]!.x, (v, j) => (v - mean[j]!) / std[j]!)),
  };
}

function imageSplit(data: { pixels: string; labels: string[] }, width: number, height: number): Split {
  const bytes = Uint8Array.from(atob(data.pixels), (c) => c.charCodeAt(0));
  const size = width * height;
  return {
    size: data.labels.length,
    input: memo((i) => {
      const rgba = new Uint8ClampedArray(size * 4);
      for (let p = 0; p < size; p++) {
        const grey = bytes[i * size + p]!;
        rgba[p * 4] = grey;
        rgba[p * 4 + 1] = grey;
        rgba[p * 4 + 2] = grey;
        rgba[p * 4 + 3] = 255;
      }
      // ClassifierInput gains the image types when input: 'image' lands; the 28×28 ImageData is what it will take.
      return new ImageData(rgba, width, height) as unknown as ClassifierInput;
    }),
    label: (i) => data.labels[i]!,
    peerVector: (i) => Float32Array.from(bytes.subarray(i * size, (i + 1) * size), (v) => v / 255),
  };
}

async function loadDataset(name: DatasetName): Promise<Dataset> {
  const response = await fetch(new URL(`./data/${name}.json`, import.meta.url));
  if (!response.ok) throw new Error(`bench/data/${name}.json: HTTP ${response.status}. Run \`npm run data\` first.`);
  const fixture = (await response.json()) as Fixture;
  switch (fixture.input) {
    case 'text':
      return {
        fixture,
        train: textSplit(fixture.train),
        test: textSplit(fixture.test),
        peerFeatures: `the engine's own featurizeText (hashed word and character n-grams), densified to ${TEXT_DIM} values`,
      };
    case 'features': {
      const dim = fixture.train[0]!.x.length;
      const mean = Array.from({ length: dim }, (_, j) => fixture.train.reduce((s, r) => s + r.x[j]!, 0) / fixture.train.length);
      const std = mean.map((m, j) => Math.sqrt(fixture.train.reduce((s, r) => s + (r.x[j]! - m) ** 2, 0) / fixture.train.length) || 1);
      return {
        fixture,
        train: featuresSplit(fixture.train, mean, std),
        test: featuresSplit(fixture.test, mean, std),
        peerFeatures: 'the raw rows, standardised with the mean and std of the train split',
      };
    }
    case 'image':
      return {
        fixture,
        train: imageSplit(fixture.train, fixture.width, fixture.height),
        test: imageSplit(fixture.test, fixture.width, fixture.height),
        peerFeatures: `the raw ${fixture.width}×${fixture.height} pixels scaled to [0, 1]`,
      };
  }
}

/** Accuracy, ECE over ECE_BINS equal-width confidence bins, and accuracy/coverage above the threshold. */
export function score(
  predictions: { label: string | null; confidence: number }[],
  truth: (i: number) => string,
  threshold: number,
): { accuracy: number; ece: number; confident: { coverage: number; accuracy: number | null } } {
  const n = predictions.length;
  const bins = Array.from({ length: ECE_BINS }, () => ({ count: 0, correct: 0, confidence: 0 }));
  let correct = 0;
  let confident = 0;
  let confidentCorrect = 0;
  predictions.forEach((prediction, i) => {
    const right = prediction.label !== null && prediction.label === truth(i);
    if (right) correct += 1;
    const bin = bins[Math.min(ECE_BINS - 1, Math.floor(prediction.confidence * ECE_BINS))]!;
    bin.count += 1;
    bin.confidence += prediction.confidence;
    if (right) bin.correct += 1;
    if (prediction.confidence >= threshold) {
      confident += 1;
      if (right) confidentCorrect += 1;
    }
  });
  const ece = bins.reduce(
    (sum, bin) => (bin.count === 0 ? sum : sum + (bin.count / n) * Math.abs(bin.correct / bin.count - bin.confidence / bin.count)),
    0,
  );
  return {
    accuracy: correct / n,
    ece,
    confident: { coverage: confident / n, accuracy: confident > 0 ? confidentCorrect / confident : null },
  };
}

async function evaluate(classifier: Classifier, test: Split, threshold: number) {
  const started = performance.now();
  const predictions: Prediction[] = [];
  // In chunks: one call over the whole split could keep the worker busy past the client's hang timeout.
  for (let start = 0; start < test.size; start += EVAL_CHUNK) {
    const inputs = Array.from({ length: Math.min(EVAL_CHUNK, test.size - start) }, (_, j) => test.input(start + j));
    predictions.push(...(await classifier.predictBatch(inputs)));
  }
  const predictMs = performance.now() - started;
  const stats = await classifier.stats();
  return {
    ...score(predictions, test.label, threshold),
    predictMs: Math.round(predictMs),
    modelVersion: stats.modelVersion,
    byLabel: stats.byLabel,
    // Absent until the engine reports calibration; recorded as given.
    calibration: stats.calibration ?? null,
  };
}

let runCounter = 0;

async function open(dataset: Dataset, config: BenchConfig, run: string): Promise<Classifier> {
  runCounter += 1;
  return createClassifier({
    name: `bench-${dataset.fixture.name}-${run}-${runCounter}-${Date.now()}`,
    labels: dataset.fixture.labels,
    input: dataset.fixture.input,
    threshold: config.threshold,
    backend: config.backend,
    storage: 'memory',
    autoTrain: false,
  });
}

async function timedTrain(classifier: Classifier): Promise<{ ms: number; wallMs: number }> {
  const started = performance.now();
  const result = await classifier.train();
  return { ms: result.ms, wallMs: Math.round(performance.now() - started) };
}

/** One run's share of the dataset's time budget. */
interface Deadline {
  /** performance.now() by which the run should be done. */
  at: number;
  /** Set when the run stopped early; says after how many labels. */
  stopped: string | null;
}

/**
 * Before going from `labels` to `next`: stops when the last step, scaled by (next / labels) ** growth, would end
 * past the deadline. The first checkpoint always runs.
 */
function outOfTime(deadline: Deadline, lastStepMs: number, labels: number, next: number, growth = 1, what = 'the next step'): boolean {
  if (labels === 0 || lastStepMs === 0) return false;
  const estimate = lastStepMs * (next / labels) ** growth;
  if (performance.now() + estimate <= deadline.at) return false;
  deadline.stopped = `stopped after ${labels} labels: ${what} (~${Math.round(estimate / 1000)} s) would pass its share of the time budget`;
  return true;
}

/** Labels the pool in the fixed random order; trains and scores once at every budget. */
async function randomRun(
  dataset: Dataset,
  config: BenchConfig,
  pool: number[],
  budgets: number[],
  deadline: Deadline,
  checkpoints: Checkpoint[],
  cost: { labelMsPerItem: number },
  corrections: (check: CorrectionCheck) => void,
): Promise<void> {
  const classifier = await open(dataset, config, 'random');
  try {
    let labelled = 0;
    let trainings = 0;
    let lastStepMs = 0;
    let labelMs = 0;
    for (const budget of budgets) {
      if (outOfTime(deadline, lastStepMs, labelled, budget)) break;
      const started = performance.now();
      for (; labelled < budget; labelled++) {
        const i = pool[labelled]!;
        await classifier.label(dataset.train.input(i), dataset.train.label(i));
      }
      labelMs += performance.now() - started;
      cost.labelMsPerItem = labelMs / labelled;
      const trained = await timedTrain(classifier);
      trainings += 1;
      const scored = await evaluate(classifier, dataset.test, config.threshold);
      checkpoints.push({ labels: budget, ...scored, trainMs: trained.ms, trainWallMs: trained.wallMs, trainings });
      lastStepMs = performance.now() - started;
      progress(
        `  ${dataset.fixture.name} random ${budget} labels: accuracy ${pct(scored.accuracy)}, ECE ${scored.ece.toFixed(3)}, ` +
          `train ${trained.ms} ms (step ${seconds(lastStepMs)})`,
      );
    }
    // Last, because the corrections become labels of this model: its curve is already measured.
    if (labelled > 0) {
      const check = await correctionCheck(classifier, dataset, labelled);
      corrections(check);
      progress(
        `  ${dataset.fixture.name} corrections at ${labelled} labels: ${check.exact}/${check.corrected} corrected inputs and ` +
          `${check.near}/${check.nearTried} near-duplicates (${check.nearDuplicate}) follow the correction`,
      );
    }
  } finally {
    await classifier.close();
  }
}

/** Wrong test predictions corrected by the check (fewer if the model makes fewer mistakes). */
const CORRECTIONS = 20;

/**
 * A slightly different copy of a test item, made three ways in turn: what a person would call "the same" input.
 * Text: a line added, the last word dropped, one word doubled. Images: shifted one pixel right, one pixel down,
 * or with ±12 grey levels of noise. Numbers: every value moved by up to ±2 %.
 */
function nearDuplicate(dataset: Dataset, i: number, variant: number): ClassifierInput {
  const input = dataset.test.input(i);
  if (typeof input === 'string') {
    const words = input.split(' ');
    if (variant === 0) return `${input}\n\nSent from my phone`;
    if (variant === 1 && words.length > 2) return words.slice(0, -1).join(' ');
    const at = Math.floor(words.length / 2);
    return [...words.slice(0, at + 1), ...words.slice(at)].join(' ');
  }
  const random = seededRandom(1000 + i);
  if (input instanceof ImageData) {
    const { width, height, data } = input;
    const out = new Uint8ClampedArray(data.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const to = (y * width + x) * 4;
        const sx = variant === 0 ? x - 1 : x;
        const sy = variant === 1 ? y - 1 : y;
        const noise = variant === 2 ? Math.round((random() - 0.5) * 24) : 0;
        for (let c = 0; c < 3; c++) out[to + c] = sx < 0 || sy < 0 ? 0 : data[(sy * width + sx) * 4 + c]! + noise;
        out[to + 3] = 255;
      }
    }
    return new ImageData(out, width, height) as unknown as ClassifierInput;
  }
  return Array.from(input as ArrayLike<number>, (v) => v * (1 + (random() - 0.5) * 0.04));
}

async function correctionCheck(classifier: Classifier, dataset: Dataset, labels: number): Promise<CorrectionCheck> {
  const wrong: number[] = [];
  for (let start = 0; start < dataset.test.size && wrong.length < CORRECTIONS; start += EVAL_CHUNK) {
    const indices = Array.from({ length: Math.min(EVAL_CHUNK, dataset.test.size - start) }, (_, j) => start + j);
    const predictions = await classifier.predictBatch(indices.map((i) => dataset.test.input(i)));
    predictions.forEach((p, j) => p.label !== dataset.test.label(indices[j]!) && wrong.length < CORRECTIONS && wrong.push(indices[j]!));
  }
  const check: CorrectionCheck = {
    labels,
    corrected: wrong.length,
    exact: 0,
    nearTried: 0,
    near: 0,
    nearDuplicate:
      dataset.fixture.input === 'text'
        ? 'a line added, the last word dropped or a word doubled'
        : dataset.fixture.input === 'image'
          ? 'shifted 1 px or ±12 grey levels of noise'
          : 'every value moved by up to ±2 %',
  };
  for (const [n, i] of wrong.entries()) {
    const truth = dataset.test.label(i);
    const near = nearDuplicate(dataset, i, n % 3);
    const nearWasWrong = (await classifier.predict(near)).label !== truth;
    await classifier.label(dataset.test.input(i), truth);
    if ((await classifier.predict(dataset.test.input(i))).label === truth) check.exact += 1;
    if (nearWasWrong) {
      check.nearTried += 1;
      if ((await classifier.predict(near)).label === truth) check.near += 1;
    }
  }
  return check;
}

/** A seeded random sample of at most `size` items, in pool order. */
function sample(items: number[], size: number, random: () => number): number[] {
  if (items.length <= size) return items.slice();
  const order = shuffled(items.length, random)
    .slice(0, size)
    .sort((a, b) => a - b);
  return order.map((j) => items[j]!);
}

/**
 * Pool-based active learning as a person would run it: seed labels, then repeatedly ask selectForReview for a
 * batch of max(10, 10 % of the labels so far), label it with the truth (the simulated annotator), retrain.
 * Advanced one budget at a time, so every strategy reaches a budget before any goes on to the next.
 */
class ActiveRun {
  readonly checkpoints: Checkpoint[] = [];
  private unlabelled: number[];
  // The same candidate draws for every strategy: only what selectForReview picks differs between runs.
  private readonly random: () => number;
  private labelled = 0;
  private trainings = 0;
  private selectMs = 0;
  private last: { ms: number; wallMs: number } | null = null;

  private constructor(
    private readonly dataset: Dataset,
    private readonly config: BenchConfig,
    readonly strategy: ReviewStrategy,
    private readonly classifier: Classifier,
    private readonly anomalies: string[],
    pool: number[],
  ) {
    this.unlabelled = pool.slice(config.seedSize);
    this.random = seededRandom(config.seed + 1);
  }

  static async start(dataset: Dataset, config: BenchConfig, pool: number[], strategy: ReviewStrategy, anomalies: string[]): Promise<ActiveRun> {
    const run = new ActiveRun(dataset, config, strategy, await open(dataset, config, strategy), anomalies, pool);
    try {
      for (const i of pool.slice(0, config.seedSize)) await run.label(i);
      await run.train();
    } catch (error) {
      await run.close();
      throw error;
    }
    return run;
  }

  get labels(): number {
    return this.labelled;
  }

  private async label(i: number): Promise<void> {
    await this.classifier.label(this.dataset.train.input(i), this.dataset.train.label(i));
    this.labelled += 1;
  }

  private async train(): Promise<void> {
    try {
      this.last = await timedTrain(this.classifier);
      this.trainings += 1;
    } catch (error) {
      // A seed set with one class only cannot be trained yet; selection then works from the label memory alone.
      if (!(error instanceof RangeError)) throw error;
      this.last = null;
    }
  }

  async advanceTo(budget: number): Promise<void> {
    const { dataset, config, strategy } = this;
    const started = performance.now();
    while (this.labelled < budget && this.unlabelled.length > 0) {
      const k = Math.min(Math.max(10, Math.round(this.labelled * 0.1)), budget - this.labelled, this.unlabelled.length);
      const candidates = sample(this.unlabelled, config.candidates, this.random);
      const t0 = performance.now();
      const picked = await this.classifier.selectForReview(
        candidates.map((i) => dataset.train.input(i)),
        k,
        { strategy },
      );
      this.selectMs += performance.now() - t0;
      const where = `${dataset.fixture.name} ${strategy} at ${this.labelled} labels`;
      const items = new Set(validSelection(picked, k, candidates.length, where, this.anomalies).map((p) => candidates[p]!));
      this.unlabelled = this.unlabelled.filter((i) => !items.has(i));
      for (const i of items) await this.label(i);
      await this.train();
    }
    const scored = await evaluate(this.classifier, dataset.test, config.threshold);
    this.checkpoints.push({
      labels: this.labelled,
      ...scored,
      trainMs: this.last?.ms ?? null,
      trainWallMs: this.last?.wallMs ?? null,
      selectMs: Math.round(this.selectMs),
      trainings: this.trainings,
    });
    progress(
      `  ${dataset.fixture.name} ${strategy} ${this.labelled} labels: accuracy ${pct(scored.accuracy)}, ECE ${scored.ece.toFixed(3)}, ` +
        `train ${this.last?.ms ?? '–'} ms, selectForReview so far ${seconds(this.selectMs)} (step ${seconds(performance.now() - started)})`,
    );
  }

  async close(): Promise<void> {
    await this.classifier.close();
  }
}

/** selectForReview must return k distinct indices into the pool; anything else is recorded and repaired. */
function validSelection(picked: number[], k: number, poolSize: number, where: string, anomalies: string[]): number[] {
  const valid: number[] = [];
  const take = (p: number) => {
    if (Number.isInteger(p) && p >= 0 && p < poolSize && !valid.includes(p)) valid.push(p);
  };
  picked.forEach(take);
  if (valid.length !== picked.length || picked.length !== k) {
    anomalies.push(`${where}: selectForReview(pool of ${poolSize}, k=${k}) returned ${picked.length} indices, ${valid.length} valid and distinct`);
  }
  // Repaired with pool order, so the run can go on; the anomaly stays in the results.
  for (let p = 0; valid.length < k && p < poolSize; p++) take(p);
  return valid.slice(0, k);
}

/** knn-classifier with the random run's labels, in the same order, scored at the same budgets. */
async function peerRun(
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

/** Every train label, one train(): how good the model gets with everything labelled. */
async function ceilingRun(dataset: Dataset, config: BenchConfig): Promise<DatasetResult['ceiling']> {
  const classifier = await open(dataset, config, 'ceiling');
  try {
    const started = performance.now();
    for (let i = 0; i < dataset.train.size; i++) {
      await classifier.label(dataset.train.input(i), dataset.train.label(i));
      if ((i + 1) % 1000 === 0) progress(`  ${dataset.fixture.name} ceiling: ${i + 1} of ${dataset.train.size} labelled`);
    }
    const labelMs = Math.round(performance.now() - started);
    const trained = await timedTrain(classifier);
    const scored = await evaluate(classifier, dataset.test, config.threshold);
    progress(`  ${dataset.fixture.name} ceiling (${dataset.train.size} labels): accuracy ${pct(scored.accuracy)}, train ${trained.ms} ms`);
    return { labels: dataset.train.size, ...scored, trainMs: trained.ms, trainWallMs: trained.wallMs, trainings: 1, labelMs };
  } finally {
    await classifier.close();
  }
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function run(config: BenchConfig): Promise<DatasetResult> {
  const started = performance.now();
  const end = started + config.budgetMs;
  const dataset = await loadDataset(config.dataset);
  const { fixture } = dataset;
  const poolSize = Math.min(config.poolSize, dataset.train.size);
  const budgets = config.budgets.filter((b) => b <= poolSize);
  // One fixed random order: the random run labels it front to back, every active run starts from its head,
  // and the peer gets exactly the random run's labels.
  const pool = shuffled(dataset.train.size, seededRandom(config.seed)).slice(0, poolSize);
  const result: DatasetResult = {
    dataset: config.dataset,
    status: 'ok',
    source: fixture.source,
    note: fixture.note,
    input: fixture.input,
    labels: fixture.labels,
    trainSize: dataset.train.size,
    testSize: dataset.test.size,
    poolSize,
    seedSize: config.seedSize,
    candidates: config.candidates,
    budgets,
    threshold: config.threshold,
    budgetMs: config.budgetMs,
    backend: null,
    userAgent: navigator.userAgent,
    runs: {},
    stopped: {},
    errors: {},
    peer: null,
    ceiling: null,
    corrections: null,
    anomalies: [],
    wallMs: 0,
  };
  // Readable by the runner while this runs: if it has to abandon the page, what was measured so far survives.
  window.benchState = result;
  progress(
    `${fixture.name}: ${dataset.train.size} train, ${dataset.test.size} test, pool ${poolSize}, budgets ${budgets.join(', ')}, ` +
      `time budget ${seconds(config.budgetMs)}`,
  );
  // The time budget, as marks from the start: the references (knn, random) must have whole curves, so they go
  // first; the strategies then advance together, budget by budget, so they all stop at the same one when time runs
  // out; the ceiling last, if its estimated time fits. Time a part leaves unused goes to the parts after it.
  const mark = (share: number): Deadline => ({ at: started + share * config.budgetMs, stopped: null });
  const activeEnd = mark(1);
  const note = (name: string, deadline: Deadline) => {
    if (deadline.stopped) {
      result.stopped[name] = deadline.stopped;
      progress(`  ${fixture.name} ${name}: ${deadline.stopped}`);
    }
  };

  // One failing run (a crashed worker, say) must not cost the others: its error is recorded, the rest go on.
  const attempt = async (name: string, work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      result.errors[name] = message;
      progress(`  ${fixture.name} ${name}: FAILED: ${message}`);
      return false;
    }
  };

  await startPeerBackend();
  const peer: NonNullable<DatasetResult['peer']> = {
    name: '@tensorflow-models/knn-classifier',
    features: dataset.peerFeatures,
    backend: tf.getBackend(),
    k: config.knnK,
    checkpoints: [],
  };
  result.peer = peer;
  const peerDeadline = mark(PEER_SHARE);
  await attempt('knn', () => peerRun(dataset, config, pool, budgets, peerDeadline, peer.checkpoints));
  note('knn', peerDeadline);

  // Keeps one engine worker alive across the runs, so each run does not pay for starting a fresh one.
  let keeper: Classifier;
  try {
    keeper = await open(dataset, config, 'keeper');
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotSupportedError') {
      result.status = 'skipped';
      result.reason = error.message;
      progress(`${fixture.name}: skipped by the engine: ${error.message}`);
      result.wallMs = Math.round(performance.now() - started);
      return result;
    }
    throw error;
  }
  try {
    result.backend = keeper.backend;
    const randomDeadline = mark(PEER_SHARE + RANDOM_SHARE);
    const random: Checkpoint[] = (result.runs.random = []);
    const cost = { labelMsPerItem: 0 };
    await attempt('random', () => randomRun(dataset, config, pool, budgets, randomDeadline, random, cost, (check) => (result.corrections = check)));
    note('random', randomDeadline);

    const active: ActiveRun[] = [];
    for (const strategy of config.strategies) {
      result.runs[strategy] = [];
      await attempt(strategy, async () => {
        const run = await ActiveRun.start(dataset, config, pool, strategy, result.anomalies);
        result.runs[strategy] = run.checkpoints;
        active.push(run);
      });
    }
    let previous = config.seedSize;
    let levelMs = 0;
    for (const budget of budgets) {
      if (active.length === 0) break;
      const what = `the next budget for all ${active.length} strategies`;
      if (outOfTime(activeEnd, levelMs, previous, budget, ACTIVE_GROWTH, what)) {
        for (const run of active) note(run.strategy, { ...activeEnd });
        break;
      }
      const levelStarted = performance.now();
      for (const run of [...active]) {
        if (!(await attempt(run.strategy, () => run.advanceTo(budget)))) {
          active.splice(active.indexOf(run), 1);
          await run.close().catch(() => undefined);
        }
      }
      levelMs = performance.now() - levelStarted;
      previous = budget;
    }
    for (const run of active) await run.close();

    if (config.ceiling) {
      // Extrapolated from the random run's largest budget: labelling, train() and scoring all grow with the labels.
      const last = random.at(-1);
      const n = dataset.train.size;
      const estimate = last ? n * cost.labelMsPerItem + ((last.trainWallMs ?? 0) + last.predictMs) * (n / last.labels) : Infinity;
      if (performance.now() + estimate <= end + CEILING_GRACE * config.budgetMs) {
        await attempt('ceiling', async () => {
          result.ceiling = await ceilingRun(dataset, config);
        });
      } else {
        result.stopped.ceiling = `not run: it would take ~${Math.round(estimate / 1000)} s, more than the time budget has left`;
        progress(`  ${fixture.name} ceiling: ${result.stopped.ceiling}`);
      }
    }
    await attempt('stats', async () => {
      result.backend = (await keeper.stats()).backend;
    });
  } finally {
    await keeper.close();
  }
  result.wallMs = Math.round(performance.now() - started);
  return result;
}

window.runLearningBenchmark = async (config) => {
  try {
    return await run(config);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    progress(`${config.dataset}: failed: ${message}`);
    throw error;
  }
};
progress('ready');
