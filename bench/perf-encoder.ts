/**
 * What the pretrained text encoder costs (issue 17): in the engine worker on wasm, through the public API, against the
 * same model without an encoder. Run by `npm run bench:perf -- --encoder` (scripts/bench-perf.mjs), which serves the
 * encoder's files from the npm package as a site serves its copy.
 */
import { createClassifier, type Classifier } from '../src/index.js';
import { latency, progress, round, type Latency } from './perf-measure.js';

export interface EncoderConfig {
  /** The encoder's model.json, served from this origin. */
  modelUrl: string;
  /** New texts predicted one at a time. */
  singles: number;
  /** New texts in each predictBatch. */
  batch: number;
}

export interface EncoderFigures {
  /** The first prediction of a text never seen: its embedding computed, then stored. */
  firstPrediction: Latency;
  /** predictBatch over new texts: the first batch starts the encoder's helper workers, the second has them. */
  firstBatchPerSecond: number;
  batchPerSecond: number;
  /** The same texts again, their embeddings remembered, against the same texts on a model without an encoder. */
  cached: Latency;
  withoutEncoder: Latency;
  /** predictBatch over new texts on the model without an encoder. */
  batchWithoutEncoderPerSecond: number;
  cores: number;
}

declare global {
  interface Window {
    runEncoderBenchmark: (config: EncoderConfig) => Promise<EncoderFigures>;
  }
}

/** Distinct support-ticket-like sentences of 8–14 words, the same on every run (a fixed linear congruential walk). */
export function ticketSentences(count: number, seed: number): string[] {
  const subjects = ['The app', 'My invoice', 'The export', 'Our team', 'The dashboard', 'Login', 'The editor', 'Billing', 'Search', 'The API'];
  const verbs = ['crashes when', 'shows an error after', 'is slow since', 'charged us twice for', 'needs a button for', 'fails during'];
  const objects = ['the last update', 'the annual plan', 'uploading images', 'saving a draft', 'the weekly report', 'single sign-on', 'dark mode'];
  const tails = ['on Monday', 'in Firefox', 'for every user', 'again today', 'since March', 'on the phone', 'with two tabs open'];
  let state = seed;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const out = new Set<string>();
  while (out.size < count) out.add([subjects[next(10)], verbs[next(6)], objects[next(7)], tails[next(7)], `(ticket ${next(100_000)})`].join(' '));
  return [...out];
}

const LABELLED: [string, string][] = [
  ['I was charged twice for my subscription this month', 'billing'],
  ['Please send me an invoice for last month', 'billing'],
  ['How do I get a refund for the annual plan', 'billing'],
  ['The app crashes when I open the settings page', 'bug'],
  ['Clicking save shows an error and nothing is saved', 'bug'],
  ['The export button does nothing in Firefox', 'bug'],
  ['Please add a dark mode to the editor', 'feature'],
  ['It would be great to export reports as PDF', 'feature'],
  ['Can you support single sign-on with Okta', 'feature'],
];

async function singles(clf: Classifier, texts: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const text of texts) {
    const start = performance.now();
    await clf.predict(text, { queue: false });
    out.push(performance.now() - start);
  }
  return out;
}

async function perSecond(clf: Classifier, texts: readonly string[]): Promise<number> {
  const start = performance.now();
  await clf.predictBatch([...texts], { queue: false });
  return round(texts.length / ((performance.now() - start) / 1000), 0);
}

window.runEncoderBenchmark = async (config: EncoderConfig): Promise<EncoderFigures> => {
  const labels = ['billing', 'bug', 'feature'];
  const open = (textEncoder?: string) =>
    createClassifier({
      name: `perf-encoder-${textEncoder ? 'with' : 'without'}`,
      labels,
      storage: 'memory',
      backend: 'wasm',
      ...(textEncoder ? { textEncoder } : {}),
    });
  const withEncoder = await open(config.modelUrl);
  const without = await open();
  try {
    for (const clf of [withEncoder, without]) {
      for (const [text, label] of LABELLED) await clf.label(text, label);
      await clf.train();
      // The first call compiles the kernels and loads what loads lazily.
      await clf.predict('A first text to warm up', { queue: false });
    }
    progress('encoder: first predictions');
    const fresh = ticketSentences(config.singles, 17);
    const first = await singles(withEncoder, fresh);
    progress('encoder: batches');
    const firstBatchPerSecond = await perSecond(withEncoder, ticketSentences(config.batch, 29));
    const batchPerSecond = await perSecond(withEncoder, ticketSentences(config.batch, 31));
    const batchWithoutEncoderPerSecond = await perSecond(without, ticketSentences(config.batch, 37));
    progress('encoder: cached texts');
    const cached = await singles(withEncoder, fresh);
    await singles(without, fresh);
    const plain = await singles(without, fresh);
    return {
      firstPrediction: latency(first),
      firstBatchPerSecond,
      batchPerSecond,
      cached: latency(cached),
      withoutEncoder: latency(plain),
      batchWithoutEncoderPerSecond,
      cores: navigator.hardwareConcurrency,
    };
  } finally {
    await Promise.all([withEncoder.close(), without.close()]);
  }
};
