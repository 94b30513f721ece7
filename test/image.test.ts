import { afterEach, describe, expect, test } from 'vitest';
import { classifier, closeAll, readDatabase, uniqueName } from './helpers.js';
import { draw } from './shapes.js';

afterEach(closeAll);

function imageData(canvas: HTMLCanvasElement): ImageData {
  return canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
}

async function blob(canvas: HTMLCanvasElement, type = 'image/png'): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), type));
}

async function img(canvas: HTMLCanvasElement): Promise<HTMLImageElement> {
  const element = new Image();
  element.src = URL.createObjectURL(await blob(canvas));
  await element.decode();
  return element;
}

function offscreen(canvas: HTMLCanvasElement): OffscreenCanvas {
  const out = new OffscreenCanvas(canvas.width, canvas.height);
  out.getContext('2d')!.drawImage(canvas, 0, 0);
  return out;
}

describe('image input', () => {
  test('accepts every image source kind, and they all mean the same picture', async () => {
    const clf = await classifier({ storage: 'memory', input: 'image', labels: ['circle', 'square', 'cross'] });
    const canvas = draw('circle', 1);
    await clf.label(canvas, 'circle');
    const bitmap = await createImageBitmap(canvas);
    const sources = [canvas, imageData(canvas), bitmap, offscreen(canvas), await blob(canvas), await img(canvas)];
    for (const source of sources) {
      const prediction = await clf.predict(source);
      expect(prediction.label).toBe('circle');
      expect(await clf.getLabel(source)).toMatchObject({ label: 'circle' });
    }
    // The caller's bitmap and ImageData are not consumed by the call.
    expect(bitmap.width).toBe(64);
    expect(imageData(canvas).data.length).toBe(64 * 64 * 4);
  });

  test('rejects what is not a decodable image, with an error that says what was expected', async () => {
    const clf = await classifier({ storage: 'memory', input: 'image', labels: ['circle', 'square'] });
    await clf.label(draw('circle', 1), 'circle');
    await expect(clf.predict('a circle' as never)).rejects.toThrow(
      /must be an ImageData, ImageBitmap, HTMLImageElement, HTMLCanvasElement, OffscreenCanvas or image Blob/,
    );
    await expect(clf.predict(null as never)).rejects.toThrow(TypeError);
    await expect(clf.predict([1, 2, 3] as never)).rejects.toThrow(TypeError);
    await expect(clf.predict(new Blob(['not an image'], { type: 'image/png' }))).rejects.toThrow(/could not be decoded as an image/);
    await expect(clf.predict(new Blob(['{}'], { type: 'application/json' }))).rejects.toThrow(/type "application\/json"; expected an image/);
    await expect(clf.predict(new Blob([], { type: 'image/png' }))).rejects.toThrow(RangeError);
    const empty = document.createElement('canvas');
    empty.width = 0;
    await expect(clf.predict(empty)).rejects.toThrow(/has no pixels \(0×150\)/);
    const broken = new Image();
    broken.src = 'data:image/png;base64,AAAA';
    await expect(clf.predict(broken)).rejects.toThrow(/could not be loaded or decoded/);
    expect((await clf.stats()).examples).toBe(1);
  });

  test('stores the resized picture, not the original', async () => {
    const name = uniqueName('image-store');
    const clf = await classifier({ name, input: 'image', labels: ['circle', 'square'] });
    await clf.label(draw('square', 2, 300), 'square');
    const stored = await readDatabase(name);
    const input = stored.examples[0]!.input as { width: number; height: number; data: Uint8ClampedArray };
    expect(input.width).toBe(input.height);
    expect(input.data.length).toBe(input.width * input.height * 4);
    expect(input.width).toBeLessThan(300);
  });
});

describe('featureExtractor: transfer learning from a model the site hosts', () => {
  const layers = '/test/fixtures/extractor-layers/model.json';

  test('featurizes with the site-hosted model, learns and stores pictures at its input size', async () => {
    const name = uniqueName('extractor');
    const clf = await classifier({ name, input: 'image', labels: ['circle', 'cross'], featureExtractor: layers });
    for (let seed = 0; seed < 5; seed++) {
      await clf.label(draw('circle', seed), 'circle');
      await clf.label(draw('cross', seed), 'cross');
    }
    expect((await clf.predict(draw('cross', 3))).label).toBe('cross');
    expect((await clf.train()).modelVersion).toBe(1);
    const stored = await readDatabase(name);
    expect(stored.meta).toMatchObject({ featurizer: `extractor:${new URL(layers, document.baseURI).href}` });
    expect((stored.examples[0]!.input as { width: number }).width).toBe(16);
  });

  test('refuses another origin unless the site allows it, and says how', async () => {
    await expect(
      classifier({ storage: 'memory', input: 'image', labels: ['a', 'b'], featureExtractor: 'https://models.example.com/m/model.json' }),
    ).rejects.toThrow(/allowedOrigins/);
    await expect(classifier({ storage: 'memory', labels: ['a', 'b'], featureExtractor: layers })).rejects.toThrow(
      /featureExtractor is for input: 'image' only/,
    );
    await expect(
      classifier({ storage: 'memory', input: 'image', labels: ['a', 'b'], featureExtractor: { url: layers, inputRange: [1, 1] } }),
    ).rejects.toThrow(RangeError);
  });

  test('a stored model refuses to open with a different featurizer', async () => {
    const name = uniqueName('featurizer-switch');
    const first = await classifier({ name, input: 'image', labels: ['circle', 'cross'] });
    await first.label(draw('circle', 1), 'circle');
    await first.close();
    await expect(classifier({ name, input: 'image', labels: ['circle', 'cross'], featureExtractor: layers })).rejects.toThrow(
      /was built with the featurizer 'scattering-28'/,
    );
  });
});
