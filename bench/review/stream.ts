/**
 * The streaming deployment of `npm run bench:review` (issue 19, item 6), run in the page scripts/bench-review.mjs
 * drives. Items of a real dataset arrive one by one in a seeded order; each is predicted with `shown: true` by a
 * classifier with `autoAccept`; a simulated person (the dataset's own label: a person who is right) answers what
 * needs review, with the prediction's id. What the model let through is scored against the truth at the end.
 *
 * Two ways the person works:
 * - `random`: every prediction that needs review is labelled as it arrives;
 * - `active`: spot checks are answered as they arrive, but the rest of the review work is chosen by active learning
 *   (`selectForReview` over what waits, a fixed share of it every 100 items), so the labels the model learns from
 *   are the hard ones, and only the spot checks can carry the guarantee.
 *
 * Training follows a fixed schedule, chosen before any run: after 100 labels, then each time the labels have grown
 * fourfold (100, 400, 1,600, …). Each new version must earn its own evidence (workers/engine/auto-accept.ts).
 *
 * The fixed thresholds 0.8 and 0.95 are scored on the same predictions: what they would have let through.
 */
import { loadDataset } from '../learning/datasets.js';
import { createClassifier, type Classifier, type ClassifierInput } from '../../src/index.js';
import type { DatasetName } from '../learning/types.js';

export interface ReviewConfig {
  dataset: DatasetName;
  /** Items streamed (drawn from both splits); the dataset's size when larger. */
  size: number;
  order: 'random' | 'active';
  seed: number;
  maxError: number;
  confidence: number;
  spotCheckRate: number;
}

export interface FixedThresholdScore {
  threshold: number;
  accepted: number;
  errors: number;
  realisedError: number | null;
  coverage: number;
}

export interface ReviewResult {
  dataset: DatasetName;
  order: ReviewConfig['order'];
  seed: number;
  items: number;
  accepted: number;
  errors: number;
  /** Errors among the auto-accepted; null when nothing was. */
  realisedError: number | null;
  coverage: number;
  /** Coverage over the items after the first 500. */
  coverageAfter500: number | null;
  /** Labels a person gave (spot checks included) per 1,000 items streamed. */
  humanPer1000: number;
  spotChecks: number;
  /** Items that needed review and were never labelled (active order: the queue active learning did not reach). */
  unreviewed: number;
  trainings: number;
  /** The last threshold served and the bound it rested on. */
  finalThreshold: number | null;
  finalBound: number | null;
  fixed: FixedThresholdScore[];
  ms: number;
}

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first training, and the growth factor of the labels between trainings. */
const FIRST_TRAINING = 100;
const TRAINING_GROWTH = 4;
/** Active order: every this many items, the person labels this share of what waits, picked by selectForReview. */
const ACTIVE_EVERY = 100;
const ACTIVE_SHARE = 0.3;
const FIXED = [0.8, 0.95];

export async function runReview(config: ReviewConfig, progress: (message: string) => void): Promise<ReviewResult> {
  const started = performance.now();
  const data = await loadDataset(config.dataset);
  const next = random(config.seed);
  const all: { input: () => ClassifierInput; label: string }[] = [];
  for (const split of [data.train, data.test]) {
    for (let i = 0; i < split.size; i++) all.push({ input: () => split.input(i), label: split.label(i) });
  }
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const stream = all.slice(0, Math.min(config.size, all.length));
  const clf: Classifier = await createClassifier({
    name: `bench-review-${config.dataset}-${config.order}-${config.seed}-${Date.now()}`,
    labels: data.fixture.labels,
    input: data.fixture.input,
    storage: 'memory',
    autoTrain: false,
    autoAccept: { maxError: config.maxError, confidence: config.confidence },
    spotCheckRate: config.spotCheckRate,
  });
  let labels = 0;
  let spotChecks = 0;
  let trainings = 0;
  let nextTraining = FIRST_TRAINING;
  let accepted = 0;
  let errors = 0;
  let acceptedAfter = 0;
  const fixed = FIXED.map((threshold) => ({ threshold, accepted: 0, errors: 0 }));
  const waiting: { input: ClassifierInput; label: string; predictionId: string }[] = [];
  const label = async (input: ClassifierInput, truth: string, predictionId: string) => {
    await clf.label(input, truth, { predictionId });
    labels += 1;
    if (labels >= nextTraining) {
      await clf.train();
      trainings += 1;
      nextTraining *= TRAINING_GROWTH;
    }
  };
  try {
    for (let i = 0; i < stream.length; i++) {
      const item = stream[i]!;
      const input = item.input();
      const p = await clf.predict(input, { shown: true, queue: false });
      if (p.label !== null) {
        for (const f of fixed) {
          if (p.confidence < f.threshold) continue;
          f.accepted += 1;
          if (p.label !== item.label) f.errors += 1;
        }
      }
      if (!p.needsReview) {
        accepted += 1;
        if (i >= 500) acceptedAfter += 1;
        if (p.label !== item.label) errors += 1;
      } else if (p.spotCheck || config.order === 'random') {
        if (p.spotCheck) spotChecks += 1;
        await label(input, item.label, p.id);
      } else {
        waiting.push({ input, label: item.label, predictionId: p.id });
      }
      if (config.order === 'active' && (i + 1) % ACTIVE_EVERY === 0 && waiting.length > 0) {
        const k = Math.max(1, Math.round(waiting.length * ACTIVE_SHARE));
        const picked = new Set(
          await clf.selectForReview(
            waiting.map((w) => w.input),
            k,
          ),
        );
        const chosen = waiting.filter((_, j) => picked.has(j));
        for (let j = waiting.length - 1; j >= 0; j--) if (picked.has(j)) waiting.splice(j, 1);
        for (const w of chosen) await label(w.input, w.label, w.predictionId);
      }
      if ((i + 1) % 500 === 0) progress(`${config.dataset} ${config.order} seed ${config.seed}: ${i + 1}/${stream.length}, ${labels} labels`);
    }
    const report = (await clf.stats()).autoAccept!;
    const items = stream.length;
    return {
      dataset: config.dataset,
      order: config.order,
      seed: config.seed,
      items,
      accepted,
      errors,
      realisedError: accepted === 0 ? null : errors / accepted,
      coverage: accepted / items,
      coverageAfter500: items > 500 ? acceptedAfter / (items - 500) : null,
      humanPer1000: (1000 * labels) / items,
      spotChecks,
      unreviewed: waiting.length,
      trainings,
      finalThreshold: report.threshold,
      finalBound: report.errorUpperBound,
      fixed: fixed.map((f) => ({ ...f, realisedError: f.accepted === 0 ? null : f.errors / f.accepted, coverage: f.accepted / items })),
      ms: performance.now() - started,
    };
  } finally {
    await clf.reset().catch(() => undefined);
    await clf.close();
  }
}
