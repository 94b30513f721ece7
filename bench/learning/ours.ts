/**
 * Our model through the public API only (createClassifier, label, train, selectForReview, predictBatch, stats): the
 * random-order run, the active-learning runs, and the ceiling with every train label.
 */
import { createClassifier, type Classifier, type Prediction } from '../../src/index.js';
import type { ReviewStrategy, Stats } from '../../src/protocol.js';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { correctionCheck } from './corrections.js';
import type { Dataset, Split } from './datasets.js';
import { score } from './metrics.js';
import type { BenchConfig, Checkpoint, CorrectionCheck, DatasetResult } from './types.js';
import { type Deadline, outOfTime, pct, progress, sample, seconds } from './util.js';

export const EVAL_CHUNK = 50;

export async function evaluate(classifier: Classifier, test: Split, threshold: number) {
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

export async function open(dataset: Dataset, config: BenchConfig, run: string, textEncoder?: string): Promise<Classifier> {
  runCounter += 1;
  return createClassifier({
    ...(textEncoder === undefined ? {} : { textEncoder }),
    name: `bench-${dataset.fixture.name}-${run}-${runCounter}-${Date.now()}`,
    labels: dataset.fixture.labels,
    input: dataset.fixture.input,
    threshold: config.threshold,
    backend: config.backend,
    storage: 'memory',
    autoTrain: false,
  });
}

/**
 * For the log line, what the model chose from its own labels: how it serves (stats().calibration) and, from its
 * cross-validation (stats().featureChoice), what a text head reads or a numeric head's L2 strength.
 */
async function modelChoices(classifier: Classifier): Promise<string> {
  const { featureChoice: choice, calibration } = await classifier.stats();
  return `${served(calibration)}${choice ? viewChosen(choice) : ''}`;
}

/** How the last training serves its answers: the temperature, the vote's weight and the class mix, when fitted. */
function served(calibration: Stats['calibration']): string {
  if (!calibration) return '';
  const { temperature, voteWeight, classPrior, heldOut, heldOutUnpicked } = calibration;
  const prior = classPrior ? `, class prior ${classPrior.map((p) => p.toFixed(2)).join('/')}` : '';
  const held = `${heldOut} held out${heldOutUnpicked ? ', unpicked' : ''}`;
  return `, T ${temperature.toFixed(2)}, vote ${(voteWeight ?? 0).toFixed(2)}${prior} (${held})`;
}

function viewChosen(choice: NonNullable<Stats['featureChoice']>): string {
  const numeric = choice.candidates.every((c) => c.l2 !== null);
  const view = (c: { shortGramShare: number; extra: string; l2: number | null; rareGrams: boolean }) => {
    const strength = [c.rareGrams ? 'rare grams' : '', c.l2 !== null ? `L2 ${c.l2}` : ''].filter(Boolean).join(', ');
    if (numeric) return strength;
    const read = c.shortGramShare === 0 ? 'n-grams alone' : `${c.extra} ${c.shortGramShare}`;
    return strength ? `${read} at ${strength}` : read;
  };
  const cv = choice.candidates.map((c) => `${view(c)}: ${pct(c.accuracy)}`).join(', ');
  return `, ${numeric ? 'trains with' : 'reads'} ${view(choice)} (chosen at ${choice.examples} labels; CV ${cv})`;
}

export async function timedTrain(classifier: Classifier): Promise<{ ms: number; wallMs: number }> {
  const started = performance.now();
  const result = await classifier.train();
  return { ms: result.ms, wallMs: Math.round(performance.now() - started) };
}

/** Labels the pool in the fixed random order; trains and scores once at every budget. */
export async function randomRun(
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
      // In random order a rare class may have no label yet at the first budgets (sensor readings with 0.8 % anomalies:
      // none among the first 100), and train() refuses a single class: the memory answers alone, as on a page whose
      // background training waits for a second class.
      const classes = new Set(pool.slice(0, labelled).map((i) => dataset.train.label(i))).size;
      const trained = classes > 1 ? await timedTrain(classifier) : { ms: null, wallMs: null };
      if (trained.ms !== null) trainings += 1;
      const scored = await evaluate(classifier, dataset.test, config.threshold);
      checkpoints.push({ labels: budget, ...scored, trainMs: trained.ms, trainWallMs: trained.wallMs, trainings });
      lastStepMs = performance.now() - started;
      progress(
        `  ${dataset.fixture.name} random ${budget} labels: accuracy ${pct(scored.accuracy)}, ECE ${scored.ece.toFixed(3)}, ` +
          `${trained.ms === null ? 'not trained (one class so far)' : `train ${trained.ms} ms`}${await modelChoices(classifier)} (step ${seconds(lastStepMs)})`,
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

/**
 * Pool-based active learning as a person would run it: seed labels, then repeatedly ask selectForReview for a
 * batch of max(10, 10 % of the labels so far), label it with the truth (the simulated annotator), retrain.
 * Advanced one budget at a time, so every strategy reaches a budget before any goes on to the next.
 */
export class ActiveRun {
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
        `train ${this.last?.ms ?? '–'} ms${await modelChoices(this.classifier)}, selectForReview so far ${seconds(this.selectMs)} ` +
        `(step ${seconds(performance.now() - started)})`,
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

/** Every train label, one train(): how good the model gets with everything labelled. */
export async function ceilingRun(dataset: Dataset, config: BenchConfig): Promise<DatasetResult['ceiling']> {
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
