/**
 * Issue 22's benchmark, run in the performance page by scripts/bench-perf.mjs: for each text distribution of
 * scripts/perf-distributions.mjs, a classifier (memory storage, no background training, the requested backend) with
 * 1,000 and then 10,000 stored texts, trained once at each size, measured through the public API: warm predict,
 * predictBatch and selectForReview over a pool, main-thread long tasks. Beside it, on the same texts, what the
 * public API cannot show: the near-duplicate recall of the bounded lookup against the exact search (an ExampleMemory
 * built in this page, in both modes), and the time featurizing and looking up take per query, to see which of them
 * a predict's time is spent on.
 */
import { DISTRIBUTIONS, makeDistributions } from '../scripts/perf-distributions.mjs';
import { createClassifier, type Classifier } from '../src/index.js';
import type { BackendRequest, TrainResult } from '../src/protocol.js';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import type { SparseVector } from '../workers/featurizers/vector.js';
import { ExampleMemory, NEAR_DUPLICATE } from '../workers/memory/example-memory.js';
import { Similarity } from '../workers/memory/similarity.js';
import { DEFAULT_REVIEW_STRATEGY } from '../workers/engine/policy.js';
import { rankForReview } from '../workers/review.js';
import { nearDuplicateRecall, type Recall } from '../test/near-duplicate-recall.js';
import {
  labelAll,
  latency,
  overPool,
  progress,
  timed,
  trainCapped,
  warmLatency,
  watchLongTasks,
  type Latency,
  type LongTasks,
} from './perf-measure.js';

/** Labels added before the retrain at the largest count, from a range neither the stored texts nor the pool use. */
const RETRAIN_LABELS = 100;
const RETRAIN_RANGE = 3_000_000;

export interface DistributionConfig {
  backend: BackendRequest;
  /** Names from DISTRIBUTIONS, in the order to run them. */
  distributions: string[];
  /** Stored-text counts, each measured after labelling up to it and training once. */
  stored: number[];
  /** Texts predicted by predictBatch and ranked by selectForReview (from a range no stored text comes from). */
  pool: number;
  warmRuns: number;
  /** Queries of the recall and per-step timings, the first ones of the pool. */
  recallQueries: number;
  trainCapMs: number;
  poolCapMs: number;
}

export interface StoredFigures {
  labelPerSecond: number;
  train: { ms: number | null; over?: number; error?: string; longTasks: LongTasks };
  predict: Latency;
  predictLongTasks: LongTasks;
  recall: Recall;
  /** Per query, in this page: featurizing, the bounded floor lookup predictions use, and the exact one. */
  featurizeMs: Latency;
  boundedLookupMs: Latency;
  exactLookupMs: Latency;
  /** Prefix postings a bounded lookup visited, p50 / p95 (its budget is LOOKUP_BUDGET.postings). */
  postings: { p50: number; p95: number };
}

export interface PoolFigures {
  items: number;
  ms: number;
  projected: boolean;
  longTasks: LongTasks;
}

export interface DistributionFigures {
  name: string;
  description: string;
  /** Mean characters of the stored texts. */
  meanChars: number;
  stored: Record<string, StoredFigures>;
  /** The retrain after RETRAIN_LABELS more labels at the largest stored count, and where it started. */
  retrain?: StoredFigures['train'] & { start?: TrainResult['start'] };
  /** At the largest stored count. */
  select: PoolFigures | null;
  batch: (PoolFigures & { perSecond: number }) | null;
  /**
   * selectForReview's picks against the ranking of every answer (the memory blended into each, as predictBatch gives
   * them, ranked by rankForReview with the same strategy): what it ranked before the memory refined only candidates.
   */
  reviewOverlap: { pool: number; k: number; same: number } | null;
  error?: string;
}

declare global {
  interface Window {
    runDistributionBenchmark: (config: DistributionConfig) => Promise<DistributionFigures[]>;
  }
}

const LABELS = ['ham', 'spam'];
const QUERY_START = 1_000_000;

async function loadEmails(): Promise<{ text: string; label: string }[]> {
  const url = '/data/spam-assassin.json';
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} (scripts/bench-perf.mjs prepares it)`);
  return response.json() as Promise<{ text: string; label: string }[]>;
}

/**
 * The memory's side of one stored count: recall against the exact search and the cost of each step per query,
 * on a memory built here from the same stored texts the classifier holds.
 */
function memoryFigures(stored: readonly { text: string; label: string }[], queries: readonly string[]) {
  const memory = new ExampleMemory(
    new Similarity(
      'cosine',
      () => TEXT_DIM,
      () => null,
    ),
  );
  stored.forEach((item, i) => memory.upsert(`${i}`, LABELS.indexOf(item.label), featurizeText(item.text), i));
  memory.prepare(NEAR_DUPLICATE.text);
  const featurize: number[] = [];
  const vectors: SparseVector[] = queries.map((text) => {
    const started = performance.now();
    const vector = featurizeText(text);
    featurize.push(performance.now() - started);
    return vector;
  });
  const bounded: number[] = [];
  const exact: number[] = [];
  const postings: number[] = [];
  for (const vector of vectors) {
    let started = performance.now();
    memory.nearest(vector, LABELS.length, NEAR_DUPLICATE.text);
    bounded.push(performance.now() - started);
    postings.push(memory.lastLookup.postings);
    started = performance.now();
    memory.nearest(vector, LABELS.length, NEAR_DUPLICATE.text, 'exact');
    exact.push(performance.now() - started);
  }
  postings.sort((a, b) => a - b);
  const at = (q: number) => postings[Math.min(postings.length - 1, Math.ceil(q * postings.length) - 1)] ?? 0;
  return {
    recall: nearDuplicateRecall(memory, vectors, LABELS.length, NEAR_DUPLICATE.text),
    featurizeMs: latency(featurize),
    boundedLookupMs: latency(bounded),
    exactLookupMs: latency(exact),
    postings: { p50: at(0.5), p95: at(0.95) },
  };
}

const REVIEW_POOL = 2_000;
const REVIEW_K = 20;

/** How many of selectForReview's k picks the ranking of every fully blended answer also picks. */
async function reviewOverlap(clf: Classifier, pool: string[], k: number): Promise<DistributionFigures['reviewOverlap']> {
  const picked = await clf.selectForReview(pool, k);
  const answers = await clf.predictBatch(pool);
  const probs = answers.map((a) => LABELS.map((label) => a.scores[label] ?? 0));
  const similarity = new Similarity(
    'cosine',
    () => TEXT_DIM,
    () => null,
  );
  const full = rankForReview(
    probs,
    pool.map((text) => featurizeText(text)),
    k,
    DEFAULT_REVIEW_STRATEGY,
    similarity,
  );
  const wanted = new Set(full);
  return { pool: pool.length, k, same: picked.filter((i) => wanted.has(i)).length };
}

async function measureDistribution(
  config: DistributionConfig,
  distribution: { name: string; description: string; items: (start: number, count: number) => { text: string; label: string }[] },
): Promise<DistributionFigures> {
  const sizes = [...config.stored].sort((a, b) => a - b);
  const all = distribution.items(0, Math.max(...sizes));
  const pool = distribution.items(QUERY_START, config.pool).map((item) => item.text);
  const queries = pool.slice(0, Math.max(config.warmRuns, config.recallQueries));
  const figures: DistributionFigures = {
    name: distribution.name,
    description: distribution.description,
    meanChars: Math.round(all.reduce((sum, item) => sum + item.text.length, 0) / all.length),
    stored: {},
    select: null,
    batch: null,
    reviewOverlap: null,
  };
  const clf = await createClassifier({
    name: `perf-distribution-${distribution.name}-${config.backend}`,
    labels: LABELS,
    storage: 'memory',
    autoTrain: false,
    backend: config.backend,
  });
  try {
    let labelled = 0;
    for (const n of sizes) {
      const { ms: labelMs } = await timed(() =>
        labelAll(
          clf,
          all.slice(labelled, n).map((item) => ({ input: item.text, label: item.label })),
        ),
      );
      const labelPerSecond = Math.round(((n - labelled) / labelMs) * 1000);
      labelled = n;
      const train = await trainCapped(clf, config.trainCapMs);
      const warm = await watchLongTasks(() => warmLatency(clf, queries, config.warmRuns));
      const memory = memoryFigures(all.slice(0, n), queries.slice(0, config.recallQueries));
      figures.stored[n] = { labelPerSecond, train, predict: warm.value, predictLongTasks: warm.longTasks, ...memory };
      progress(
        `${distribution.name} @ ${n}: predict ${JSON.stringify(warm.value)}, recall ${memory.recall.recall.toFixed(4)} ` +
          `(${memory.recall.pairs} pairs, ${memory.recall.stopped} stopped), featurize ${JSON.stringify(memory.featurizeMs)}, ` +
          `lookup bounded ${JSON.stringify(memory.boundedLookupMs)} exact ${JSON.stringify(memory.exactLookupMs)}, train ${JSON.stringify(train)}`,
      );
    }
    // A retrain after a few more labels at the largest count: warm from the served head past 2,000 labels (issue 17).
    await labelAll(
      clf,
      distribution.items(RETRAIN_RANGE, RETRAIN_LABELS).map((item) => ({ input: item.text, label: item.label })),
    );
    figures.retrain = await trainCapped(clf, config.trainCapMs);
    progress(`${distribution.name}: retrain after ${RETRAIN_LABELS} more labels ${JSON.stringify(figures.retrain)}`);
    // Review selection first: work the engine queues after a large batch of predictions must not be billed to it.
    // Over the whole pool, never projected from a sample: its cost is not linear in the pool (the memory refines a
    // fixed number of candidates), and bounding it is what is measured.
    const selected = await watchLongTasks(() => timed(() => clf.selectForReview(pool, 20)));
    figures.select = { items: pool.length, ms: Math.round(selected.value.ms), projected: false, longTasks: selected.longTasks };
    progress(`${distribution.name}: selectForReview ${JSON.stringify(figures.select)}`);
    const batch = await overPool(pool, config.poolCapMs, (items) => clf.predictBatch(items));
    figures.batch = { ...batch, perSecond: Math.round((batch.items / batch.ms) * (batch.projected ? pool.length / batch.items : 1) * 1000) };
    progress(`${distribution.name}: predictBatch ${JSON.stringify(figures.batch)}`);
    figures.reviewOverlap = await reviewOverlap(clf, pool.slice(0, REVIEW_POOL), REVIEW_K);
    progress(`${distribution.name}: review overlap ${JSON.stringify(figures.reviewOverlap)}`);
  } catch (error) {
    figures.error = error instanceof Error ? error.message : String(error);
    progress(`${distribution.name}: ERROR ${figures.error}`);
  } finally {
    await clf.close();
  }
  return figures;
}

window.runDistributionBenchmark = async (config: DistributionConfig): Promise<DistributionFigures[]> => {
  for (const name of config.distributions) {
    if (!DISTRIBUTIONS.includes(name)) throw new Error(`Unknown distribution ${name}: use ${DISTRIBUTIONS.join(', ')}.`);
  }
  const distributions = makeDistributions(await loadEmails());
  const results: DistributionFigures[] = [];
  for (const name of config.distributions) results.push(await measureDistribution(config, distributions[name]!));
  return results;
};
