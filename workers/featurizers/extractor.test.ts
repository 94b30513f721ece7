// Real Chromium: the fixtures in test/fixtures/ (built by scripts/build-test-extractor.mjs, committed) are served
// same-origin by the test run's Vite server, exactly as a site hosts its own model next to its pages.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { useBackend } from '../backend.js';
import { EXTRACTOR_BATCH, loadFeatureExtractor, type FeatureExtractor, type ImagePixels } from './extractor.js';

const FIXTURES = '/test/fixtures';
const model = (name: string) => `${FIXTURES}/${name}/model.json`;

interface Expected {
  inputSize: number;
  channels: number;
  dim: number;
  features: number[][];
}
const expected = (await (await fetch(`${FIXTURES}/extractor-expected.json`)).json()) as Record<string, Expected>;

/** The formula scripts/build-test-extractor.mjs used for the expected features (see extractor-expected.json). */
function testImage(i: number, size: number): ImagePixels {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) data[p + c] = (c === i % 3 ? 200 : 40) + ((x * 7 + y * 13 + c * 29 + x * y * i) % 64) - 32;
      data[p + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

function norm(row: Float32Array): number {
  return Math.hypot(...row);
}

function expectRowsClose(actual: Float32Array[], wanted: number[][], tolerance = 1e-4): void {
  expect(actual.length).toBe(wanted.length);
  actual.forEach((row, r) => {
    expect(row.length).toBe(wanted[r]!.length);
    row.forEach((v, i) => expect(Math.abs(v - wanted[r]![i]!), `row ${r}, feature ${i}: ${v} vs ${wanted[r]![i]}`).toBeLessThan(tolerance));
  });
}

/** A weightless graph model: the image itself is the feature map, so its pooled row is the mean colour. */
function meanColourGraph(): string {
  const json = {
    format: 'graph-model',
    modelTopology: {
      node: [
        {
          name: 'images',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '4' }, { size: '4' }, { size: '3' }] } } },
        },
        { name: 'map', op: 'Identity', input: ['images'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      library: {},
      versions: {},
    },
    weightsManifest: [],
  };
  return `data:application/json;base64,${btoa(JSON.stringify(json))}`;
}

const open: FeatureExtractor[] = [];
async function load(...args: Parameters<typeof loadFeatureExtractor>): Promise<FeatureExtractor> {
  const extractor = await loadFeatureExtractor(...args);
  open.push(extractor);
  return extractor;
}
function disposeAll(): void {
  for (const extractor of open.splice(0)) extractor.dispose();
}
afterEach(disposeAll);

test('the test server serves the fixtures same-origin, and 404s a missing file', async () => {
  const response = await fetch(model('extractor-layers'));
  expect(response.ok).toBe(true);
  expect(new URL(response.url).origin).toBe(location.origin);
  expect(((await response.json()) as { format: string }).format).toBe('layers-model');
  expect((await fetch(model('extractor-nope'))).status).toBe(404);
});

describe.each(['wasm', 'cpu'] as const)('on the %s backend', (backend) => {
  beforeAll(async () => {
    expect(await useBackend(backend)).toBe(backend);
  });

  test('a layers model: its shape is read from the model, its features are the reference ones, nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const extractor = await loadFeatureExtractor(model('extractor-layers'));
    expect(tf.getBackend()).toBe(backend);
    expect(extractor).toMatchObject({ kind: 'layers', inputSize: 16, channels: 3, dim: 16 });
    expect(extractor.url).toBe(new URL(model('extractor-layers'), location.href).href);

    const images = [0, 1, 2].map((i) => testImage(i, 16));
    const loaded = tf.memory().numTensors;
    const rows = await extractor.featurize(images);
    expect(tf.memory().numTensors).toBe(loaded);
    expectRowsClose(rows, expected['extractor-layers']!.features);
    for (const row of rows) {
      expect(row).toBeInstanceOf(Float32Array);
      expect(row.every(Number.isFinite)).toBe(true);
      expect(norm(row)).toBeCloseTo(1, 5);
    }
    // Deterministic: the same pixels give the same bits, call after call.
    expect(await extractor.featurize(images)).toEqual(rows);
    expect(await extractor.featurize([])).toEqual([]);
    expect(tf.memory().numTensors).toBe(loaded);

    extractor.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(extractor.featurize(images)).rejects.toThrow(/was disposed/);
  });

  test('a graph model of the same network gives the same features', async () => {
    const before = tf.memory().numTensors;
    const extractor = await load(model('extractor-graph'));
    expect(extractor).toMatchObject({ kind: 'graph', inputSize: 16, channels: 3, dim: 16 });
    const loaded = tf.memory().numTensors;
    const rows = await extractor.featurize([0, 1, 2].map((i) => testImage(i, 16)));
    expect(tf.memory().numTensors).toBe(loaded);
    expectRowsClose(rows, expected['extractor-graph']!.features);
    extractor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a greyscale model with a feature-map output is fed luma and average-pooled to [batch, channels]', async () => {
    const extractor = await load(model('extractor-grey-map'));
    expect(extractor).toMatchObject({ kind: 'layers', inputSize: 12, channels: 1, dim: 6 });
    const loaded = tf.memory().numTensors;
    expectRowsClose(await extractor.featurize([0, 1, 2].map((i) => testImage(i, 12))), expected['extractor-grey-map']!.features);
    expect(tf.memory().numTensors).toBe(loaded);
  });

  test('more images than one batch come back in order, each as if featurized alone', async () => {
    const extractor = await load(model('extractor-layers'));
    const images = Array.from({ length: EXTRACTOR_BATCH * 2 + 5 }, (_, i) => testImage(i, 16));
    const loaded = tf.memory().numTensors;
    const rows = await extractor.featurize(images);
    expect(tf.memory().numTensors).toBe(loaded);
    expect(rows).toHaveLength(images.length);
    for (const i of [0, 1, EXTRACTOR_BATCH - 1, EXTRACTOR_BATCH, EXTRACTOR_BATCH * 2 + 4]) {
      expectRowsClose([rows[i]!], [Array.from((await extractor.featurize([images[i]!]))[0]!)], 1e-5);
    }
    for (const row of rows) expect(norm(row)).toBeCloseTo(1, 5);
  });
});

describe('input convention', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('inputRange maps bytes 0…255 linearly onto the range the model was trained on', async () => {
    // The mean-colour graph shows the model's input directly: a uniform grey of 51 is 0.2 in [0, 1], -0.6 in [-1, 1].
    const grey: ImagePixels = { width: 4, height: 4, data: new Uint8ClampedArray(64).fill(51) };
    const allowed = { allowedOrigins: ['data:'] };
    const unit = await load(meanColourGraph(), allowed);
    const signed = await load(meanColourGraph(), { ...allowed, inputRange: [-1, 1] });
    expect(unit).toMatchObject({ kind: 'graph', inputSize: 4, channels: 3, dim: 3 });
    // Rows are unit length, so the sign is what survives: all positive in [0, 1], all negative in [-1, 1].
    expectRowsClose(await unit.featurize([grey]), [[1, 1, 1].map((v) => v / Math.sqrt(3))]);
    expectRowsClose(await signed.featurize([grey]), [[-1, -1, -1].map((v) => v / Math.sqrt(3))]);
    await expect(loadFeatureExtractor(model('extractor-layers'), { inputRange: [1, 0] })).rejects.toThrow(RangeError);
  });

  test("a relative URL resolves against baseUrl (a worker's own location is not the page's)", async () => {
    const extractor = await load('extractor-layers/model.json', { baseUrl: `${location.origin}${FIXTURES}/` });
    expect(extractor.url).toBe(`${location.origin}${model('extractor-layers')}`);
    await expect(loadFeatureExtractor('model.json', { baseUrl: 'https://models.example.com/m/' })).rejects.toThrow(
      /https:\/\/models\.example\.com\/m\/model\.json: its origin/,
    );
  });

  test('an image of the wrong size is refused with the size to resize to', async () => {
    const extractor = await load(model('extractor-layers'));
    await expect(extractor.featurize([testImage(0, 28)])).rejects.toThrow(/Image 0 is 28×28.*resized to 16×16/);
  });
});

describe('refusals', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  let before = 0;
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    disposeAll();
    // A model that loads and is then refused is disposed before the error reaches the caller.
    expect(tf.memory().numTensors).toBe(before);
  });

  test('another origin is refused before anything is fetched, naming the URL and how to allow it', async () => {
    const url = 'https://models.example.com/mobilenet/model.json';
    const attempt = loadFeatureExtractor(url);
    await expect(attempt).rejects.toThrow(TypeError);
    await expect(attempt).rejects.toThrow(`${url}: its origin https://models.example.com is not this site's (${location.origin})`);
    await expect(attempt).rejects.toThrow("allowedOrigins: ['https://models.example.com']");
  });

  test('an origin listed in allowedOrigins loads (CORS permitting); its weights obey the same rule', async () => {
    // The test server answers on localhost and 127.0.0.1 alike, and sends CORS headers to local origins:
    // the other spelling is a genuinely different origin serving the same fixture.
    const other = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
    const origin = `${location.protocol}//${other}:${location.port}`;
    const url = `${origin}${model('extractor-layers')}`;
    await expect(loadFeatureExtractor(url)).rejects.toThrow(TypeError);
    await expect(loadFeatureExtractor(url, { allowedOrigins: ['https://models.example.com'] })).rejects.toThrow(/allowedOrigins/);
    const extractor = await load(url, { allowedOrigins: ['https://models.example.com', `${origin}/`] });
    expect(extractor).toMatchObject({ url, kind: 'layers', dim: 16 });
    expectRowsClose(await extractor.featurize([testImage(1, 16)]), [expected['extractor-layers']!.features[1]!]);
  });

  test('data: and blob: URLs are refused unless allowedOrigins lists the scheme', async () => {
    await expect(loadFeatureExtractor(meanColourGraph())).rejects.toThrow(/data: URLs are refused .*allowedOrigins: \['data:'\]/);
    expect((await load(meanColourGraph(), { allowedOrigins: ['data:'] })).dim).toBe(3);

    const json = await (await fetch(model('extractor-not-square'))).blob();
    const blobUrl = URL.createObjectURL(json);
    try {
      await expect(loadFeatureExtractor(blobUrl)).rejects.toThrow(/blob: URLs are refused .*allowedOrigins: \['blob:'\]/);
      // Allowed, it gets as far as the model's shape.
      await expect(loadFeatureExtractor(blobUrl, { allowedOrigins: ['blob:'] })).rejects.toThrow(/takes input \[null, 16, 12, 3\]/);
    } finally {
      URL.revokeObjectURL(blobUrl);
    }
  });

  test('an allowedOrigins entry that is no origin is refused', async () => {
    await expect(loadFeatureExtractor(model('extractor-layers'), { allowedOrigins: ['models.example.com'] })).rejects.toThrow(
      /allowedOrigins entry "models.example.com" is not an origin/,
    );
  });

  test('a URL that 404s', async () => {
    await expect(loadFeatureExtractor(model('extractor-nope'))).rejects.toThrow(
      /The feature extractor http:\/\/.*\/extractor-nope\/model\.json could not be loaded: HTTP 404/,
    );
  });

  test('a weights file that 404s', async () => {
    await expect(loadFeatureExtractor(model('extractor-missing-weights'))).rejects.toThrow(
      /Weights file http:\/\/.*\/extractor-missing-weights\/missing\.bin of the feature extractor .* could not be loaded: HTTP 404/,
    );
  });

  test('a file that is not JSON, and JSON that is not a model', async () => {
    await expect(loadFeatureExtractor(`${FIXTURES}/extractor-layers/weights.bin`)).rejects.toThrow(
      /weights\.bin is not JSON, so not a TensorFlow\.js model\.json/,
    );
    await expect(loadFeatureExtractor(model('extractor-not-a-model'))).rejects.toThrow(
      /extractor-not-a-model\/model\.json is not a TensorFlow\.js model \(it has no modelTopology\)/,
    );
    await expect(loadFeatureExtractor(`${FIXTURES}/extractor-expected.json`)).rejects.toThrow(/is not a TensorFlow\.js model/);
  });

  test('a model whose input is not a square image batch with 1 or 3 channels', async () => {
    await expect(loadFeatureExtractor(model('extractor-bad-input'))).rejects.toThrow(
      /extractor-bad-input\/model\.json takes input \[null, 10\]; a feature extractor must take one float image batch \[batch, size, size, channels\] with channels 1 or 3/,
    );
    await expect(loadFeatureExtractor(model('extractor-not-square'))).rejects.toThrow(/takes input \[null, 16, 12, 3\]/);
  });

  test('a model whose output is neither [batch, n] nor a [batch, h, w, c] feature map', async () => {
    await expect(loadFeatureExtractor(model('extractor-bad-output'))).rejects.toThrow(
      /extractor-bad-output\/model\.json outputs \[1, 64, 4\]; a feature extractor must output features \[batch, n\]/,
    );
  });
});
