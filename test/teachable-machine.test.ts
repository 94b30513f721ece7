// Real Chromium: a Teachable-Machine-shaped export (built by scripts/build-test-teachable-machine.mjs, committed) is
// served same-origin by the test run's Vite server, as a site hosts its own export next to its pages.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createClassifier, type Classifier, type ClassifierOptions } from '../src/index.js';
import { TM_LABELS, TM_SIZE, tmImage } from '../scripts/tm-images.mjs';
import { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import { stage, uniqueName } from './helpers.js';

const FIXTURES = '/test/fixtures';
const EXPORT = `${FIXTURES}/tm-export/`;
type Kind = 'red' | 'green' | 'blue' | 'dark-red';

const opened: Classifier[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((clf) => clf.close()));
});

async function open(options: Partial<ClassifierOptions> = {}): Promise<Classifier> {
  const clf = await createClassifier({
    name: uniqueName('tm'),
    storage: 'memory',
    input: 'image',
    autoTrain: false,
    teachableMachine: EXPORT,
    ...options,
  });
  opened.push(clf);
  return clf;
}

/** Pictures of `kind` from seeds the export was never trained on (it used 0–39). */
function pictures(kind: Kind, from: number, count: number): ImageData[] {
  return Array.from({ length: count }, (_, i) => {
    const { width, height, data } = tmImage(kind, from + i);
    return new ImageData(new Uint8ClampedArray(data), width, height);
  });
}

/** The whole export run on this page as Teachable Machine's library runs it: pixels as byte / 127 − 1, then predict. */
let reference: LayersModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  reference = await loadLayersModel(`${EXPORT}model.json`);
});

async function exportProbabilities(images: readonly ImageData[]): Promise<number[][]> {
  const values = new Float32Array(images.length * TM_SIZE * TM_SIZE * 3);
  let o = 0;
  for (const { data } of images) for (let p = 0; p < TM_SIZE * TM_SIZE; p++) for (let c = 0; c < 3; c++) values[o++] = data[p * 4 + c]! / 127 - 1;
  const x = tf.tensor4d(values, [images.length, TM_SIZE, TM_SIZE, 3]);
  const y = reference.predict(x) as tf.Tensor2D;
  try {
    return await y.array();
  } finally {
    tf.dispose([x, y]);
  }
}

async function accuracy(clf: Classifier, images: readonly ImageData[], label: string): Promise<number> {
  const predictions = await clf.predictBatch(images);
  return predictions.filter((p) => p.label === label).length / images.length;
}

describe('teachableMachine: starting from a Teachable Machine image export', () => {
  test('opens with the labels of metadata.json, and its first predictions are the export’s own', async () => {
    const clf = await open();
    expect(clf.labels).toEqual(TM_LABELS);
    expect(clf.teachableMachine?.url).toBe(new URL(EXPORT, document.baseURI).href);
    const images = (['red', 'green', 'blue', 'dark-red'] as const).flatMap((kind) => pictures(kind, 1000, 3));
    const wanted = await exportProbabilities(images);
    const single = await Promise.all(images.map((image) => clf.predict(image)));
    const batch = await clf.predictBatch(images);
    for (const predictions of [single, batch]) {
      predictions.forEach((prediction, i) => {
        expect(prediction.modelVersion).toBe(0);
        TM_LABELS.forEach((label, c) => {
          expect(Math.abs(prediction.scores[label]! - wanted[i]![c]!), `image ${i}, ${label}`).toBeLessThan(1e-4);
        });
      });
    }
    // The export's own mistake, which the next test corrects: dark red pictures come out green.
    expect(batch.slice(9).map((p) => p.label)).toEqual(['green', 'green', 'green']);
  });

  test('labels given with the export are added after its own', async () => {
    const clf = await open({ labels: ['purple'] });
    expect(clf.labels).toEqual([...TM_LABELS, 'purple']);
    const [prediction] = await clf.predictBatch(pictures('blue', 1000, 1));
    expect(prediction!.label).toBe('blue');
  });

  test('a correction is followed at once, and a retrain keeps what the export knew of the classes nobody corrected', async () => {
    const clf = await open();
    // Pictures the site showed (their vectors are what the shipped head's answers are replayed on).
    // Many more dark red pictures than people correct: the export's answer on the rest must not outvote them.
    const shown = [...(['red', 'green', 'blue'] as const).flatMap((kind) => pictures(kind, 1000, 12)), ...pictures('dark-red', 1000, 30)];
    await clf.predictBatch(shown);
    const heldOut = { red: pictures('red', 3000, 20), green: pictures('green', 3000, 20), blue: pictures('blue', 3000, 20) };
    const heldOutDarkRed = pictures('dark-red', 3000, 20);
    const before = {
      red: await accuracy(clf, heldOut.red, 'red'),
      green: await accuracy(clf, heldOut.green, 'green'),
      blue: await accuracy(clf, heldOut.blue, 'blue'),
      darkRed: await accuracy(clf, heldOutDarkRed, 'red'),
    };
    expect(before.darkRed).toBe(0);

    // One correction: that picture follows the person at once, before any training.
    const darkReds = shown.slice(36);
    expect((await clf.predict(darkReds[0]!)).label).toBe('green');
    await clf.label(darkReds[0]!, 'red');
    expect((await clf.predict(darkReds[0]!)).label).toBe('red');

    for (const image of darkReds.slice(1, 4)) await clf.label(image, 'red');
    const trained = await clf.train();
    expect(trained).toMatchObject({ modelVersion: 1, examples: 4, start: 'shipped' });
    for (const image of darkReds.slice(0, 4)) expect((await clf.predict(image)).label).toBe('red');

    const after = {
      red: await accuracy(clf, heldOut.red, 'red'),
      green: await accuracy(clf, heldOut.green, 'green'),
      blue: await accuracy(clf, heldOut.blue, 'blue'),
      darkRed: await accuracy(clf, heldOutDarkRed, 'red'),
    };
    console.info('held-out accuracy before → after four corrections and a retrain', JSON.stringify({ before, after }));
    // Nobody corrected green or blue pictures (nor red ones): what the export knew of them is kept.
    expect(after.green).toBeGreaterThanOrEqual(before.green);
    expect(after.blue).toBeGreaterThanOrEqual(before.blue);
    expect(after.red).toBeGreaterThanOrEqual(before.red);
    // And the correction generalises to dark red pictures nobody labelled.
    expect(after.darkRed).toBeGreaterThan(0.5);

    // The replayed answers are no labels: only the four people gave are stored, and only they are in the log.
    const stats = await clf.stats();
    expect(stats.examples).toBe(4);
    expect(stats.byLabel).toEqual({ red: 4, green: 0, blue: 0 });
    const log = await clf.auditLog();
    expect(log.filter((entry) => entry.kind === 'decision')).toHaveLength(4);
  });

  test('reset() goes back to the export’s own answers', async () => {
    const clf = await open();
    const darkRed = pictures('dark-red', 1000, 1)[0]!;
    await clf.label(darkRed, 'red');
    await clf.label(pictures('blue', 1000, 1)[0]!, 'blue');
    await clf.train();
    await clf.reset();
    const [wanted] = await exportProbabilities([darkRed]);
    const prediction = await clf.predict(darkRed);
    expect(prediction.modelVersion).toBe(0);
    TM_LABELS.forEach((label, c) => expect(Math.abs(prediction.scores[label]! - wanted![c]!)).toBeLessThan(1e-4));
  });
});

describe('<hitl-classifier teachable-machine>', () => {
  test('opens the export without a labels attribute, offers its labels and shows its own prediction', async () => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = TM_SIZE;
    canvas.getContext('2d')!.putImageData(pictures('blue', 1000, 1)[0]!, 0, 0);
    const element = document.createElement('hitl-classifier');
    expect(element).toBeInstanceOf(HitlClassifier);
    for (const [key, value] of Object.entries({ model: uniqueName('tm-element'), storage: 'memory', 'teachable-machine': EXPORT })) {
      element.setAttribute(key, value);
    }
    element.append(canvas);
    stage().append(element);
    try {
      await expect.poll(() => element.prediction?.label, { timeout: 30_000 }).toBe('blue');
      expect(element.prediction?.modelVersion).toBe(0);
      const buttons = [...(element.shadowRoot?.querySelectorAll<HTMLButtonElement>('[part~="label-button"]') ?? [])];
      expect(buttons.map((button) => button.textContent?.trim())).toEqual(TM_LABELS);
    } finally {
      element.remove();
    }
  });
});

describe('featureExtractor: { url, layer } cuts a layers model at a named layer', () => {
  const model = `${EXPORT}model.json`;

  test('at the embedding of the export, or inside its nested backbone', async () => {
    for (const layer of ['global_average_pooling2d_GlobalAveragePooling2D1', 'Conv1_relu']) {
      const clf = await open({ teachableMachine: undefined, labels: ['red', 'blue'], featureExtractor: { url: model, layer, inputRange: [-1, 1] } });
      for (const image of pictures('red', 1000, 4)) await clf.label(image, 'red');
      for (const image of pictures('blue', 1000, 4)) await clf.label(image, 'blue');
      await clf.train();
      expect(await accuracy(clf, pictures('red', 3000, 10), 'red'), layer).toBeGreaterThanOrEqual(0.9);
      expect(await accuracy(clf, pictures('blue', 3000, 10), 'blue'), layer).toBeGreaterThanOrEqual(0.9);
    }
  });
});

describe('bad input gets a clear error and loses nothing', () => {
  test('an export on another origin', async () => {
    await expect(open({ teachableMachine: 'https://models.example.com/tm/' })).rejects.toThrow(
      /Refusing to load the Teachable Machine model https:\/\/models\.example\.com\/tm\/model\.json: .*allowedOrigins: \['https:\/\/models\.example\.com'\]/,
    );
  });

  test('a missing file', async () => {
    await expect(open({ teachableMachine: `${FIXTURES}/tm-nope/` })).rejects.toThrow(
      /tm-nope\/(metadata|model)\.json .*could not be loaded: HTTP 404/,
    );
    await expect(open({ teachableMachine: `${FIXTURES}/tm-missing-weights/` })).rejects.toThrow(
      /Weights file http:\/\/.*\/tm-missing-weights\/weights\.bin of the Teachable Machine model .* could not be loaded: HTTP 404/,
    );
  });

  test('a model that is not a layers model', async () => {
    await expect(open({ teachableMachine: `${FIXTURES}/tm-graph/` })).rejects.toThrow(
      /tm-graph\/model\.json is a graph model; a Teachable Machine export is a layers model/,
    );
    await expect(
      open({ teachableMachine: undefined, labels: ['a', 'b'], featureExtractor: { url: `${FIXTURES}/extractor-graph/model.json`, layer: 'conv' } }),
    ).rejects.toThrow(/featureExtractor\.layer cuts a layers model, but .* is a graph model/);
  });

  test('a layer name that does not exist names the layers that do', async () => {
    await expect(
      open({ teachableMachine: undefined, labels: ['a', 'b'], featureExtractor: { url: `${EXPORT}model.json`, layer: 'embedding' } }),
    ).rejects.toThrow(/has no layer named "embedding"\. Its layers are: "model1", "input_1", "Conv1", .*"dense_Dense2"\./);
  });

  test('metadata whose labels do not match the output size', async () => {
    await expect(open({ teachableMachine: `${FIXTURES}/tm-labels-mismatch/` })).rejects.toThrow(
      /metadata\.json lists 2 labels \("red", "green"\) but the Teachable Machine model .* outputs \[null, 3\]/,
    );
  });

  test('options that cannot go together, checked before anything loads', async () => {
    await expect(open({ input: 'text' })).rejects.toThrow(/teachableMachine is for input: 'image' only/);
    await expect(open({ featureExtractor: `${EXPORT}model.json` })).rejects.toThrow(/teachableMachine or featureExtractor, not both/);
    await expect(open({ teachableMachine: { url: 7 } as never })).rejects.toThrow(TypeError);
    await expect(open({ teachableMachine: undefined })).rejects.toThrow(/labels must be an array/);
  });

  test('a stored model opened with a bad export keeps its labels for the good one', async () => {
    const name = uniqueName('tm-stored');
    const first = await createClassifier({ name, input: 'image', autoTrain: false, teachableMachine: EXPORT });
    await first.label(pictures('dark-red', 1000, 1)[0]!, 'red');
    await first.close();
    await expect(createClassifier({ name, input: 'image', teachableMachine: `${FIXTURES}/tm-labels-mismatch/` })).rejects.toThrow(/lists 2 labels/);
    const again = await open({ name, storage: 'indexeddb' });
    expect((await again.stats()).examples).toBe(1);
    expect((await again.predict(pictures('dark-red', 1000, 1)[0]!)).label).toBe('red');
    await again.reset();
  });
});
