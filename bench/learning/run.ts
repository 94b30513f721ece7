/**
 * One dataset's run: the references first (knn, then the n-gram or raw-feature learners), then our model in random
 * order, then every review strategy, then the ceiling, each in its share of the dataset's time budget.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_REVIEW_STRATEGY } from '../../src/classifier.js';
import type { Classifier } from '../../src/index.js';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import { startPeerBackend } from '../peer-backend.js';
import { loadDataset } from './datasets.js';
import { ENCODER_TASKS, encoderRun } from './encoder.js';
import { ActiveRun, ceilingRun, open, randomRun } from './ours.js';
import { knnRun, referenceRuns } from './references.js';
import type { BenchConfig, Checkpoint, DatasetResult } from './types.js';
import { type Deadline, describeError, outOfTime, progress, seconds, shuffled } from './util.js';

/**
 * Shares of a dataset's time budget, as marks from its start: knn until 20 %, the other references until 35 %, the
 * random run until 50 %; the strategies share the rest. knn on text scores each test item against every label
 * through 16,384 dense values, three times (k = 1, 3, 10): on short texts it costs more than all our runs together.
 */
const KNN_SHARE = 0.2;
const REFERENCES_SHARE = 0.35;
const RANDOM_SHARE = 0.5;
/** The text-encoder run (paraphrase only) until this much past the random run's mark. */
const ENCODER_SHARE = 0.15;
/** The ceiling runs when its estimated time ends within this share of the budget past the budget's end. */
const CEILING_GRACE = 0.1;
/**
 * How the cost of an active-learning budget grows with its size: (next / previous) ** this. Training and scoring
 * cost more with more labels: measured 1.5–2.1× per doubling on this engine (up to 3× with a slower head), so a
 * slight over-estimate.
 */
const ACTIVE_GROWTH = 1.2;

/** The budgets of a run: the fixed ones and SetFit's (per class × classes), merged, up to the pool's size. */
export function budgetsFor(config: BenchConfig, classes: number, poolSize: number): { budgets: number[]; perClass: Record<string, number> } {
  const perClass: Record<string, number> = {};
  for (const n of config.perClassBudgets) if (n * classes <= poolSize) perClass[n * classes] = n;
  const budgets = [...new Set([...config.budgets, ...Object.keys(perClass).map(Number)])].filter((b) => b <= poolSize).sort((a, b) => a - b);
  return { budgets, perClass };
}

export async function run(config: BenchConfig): Promise<DatasetResult> {
  const started = performance.now();
  const end = started + config.budgetMs;
  const dataset = await loadDataset(config.dataset);
  const { fixture } = dataset;
  const poolSize = Math.min(config.poolSize, dataset.train.size);
  const { budgets, perClass } = budgetsFor(config, fixture.labels.length, poolSize);
  // One fixed random order: the random run labels it front to back, every active run starts from its head,
  // and every reference gets exactly the random run's labels.
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
    perClass,
    threshold: config.threshold,
    defaultStrategy: DEFAULT_REVIEW_STRATEGY,
    budgetMs: config.budgetMs,
    backend: null,
    userAgent: navigator.userAgent,
    runs: {},
    stopped: {},
    errors: {},
    peer: null,
    references: {},
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
  // The time budget, as marks from the start: the references must have whole curves, so they go first; the
  // strategies then advance together, budget by budget, so they all stop at the same one when time runs out; the
  // ceiling last, if its estimated time fits. Time a part leaves unused goes to the parts after it.
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
      result.errors[name] = describeError(error);
      progress(`  ${fixture.name} ${name}: FAILED: ${result.errors[name]}`);
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
  const knnDeadline = mark(KNN_SHARE);
  await attempt('knn', () => knnRun(dataset, config, pool, budgets, knnDeadline, peer.checkpoints));
  note('knn', knnDeadline);
  const referencesDeadline = mark(REFERENCES_SHARE);
  await attempt('references', () => referenceRuns(dataset, config, pool, budgets, referencesDeadline, result.references));
  note('references', referencesDeadline);

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
    const randomDeadline = mark(RANDOM_SHARE);
    const random: Checkpoint[] = (result.runs.random = []);
    const cost = { labelMsPerItem: 0 };
    await attempt('random', () => randomRun(dataset, config, pool, budgets, randomDeadline, random, cost, (check) => (result.corrections = check)));
    note('random', randomDeadline);

    if (ENCODER_TASKS.includes(fixture.name)) {
      // Before the strategies, in their time: it is one short curve, and the target it serves needs it.
      const encoderDeadline = mark(RANDOM_SHARE + ENCODER_SHARE);
      await attempt('encoder', () => encoderRun(dataset, config, pool, perClass, encoderDeadline, result));
      note('encoder', encoderDeadline);
    }

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
