/** The fixtures scripts/prepare-data.mjs writes to bench/data/, as splits the runs read item by item. */
import type { ClassifierInput } from '../../src/index.js';
import { TEXT_DIM, featurizeText } from '../../workers/featurizers/text.js';
import type { DatasetName } from './types.js';
import { memo } from './util.js';

interface TextFixture {
  name: string;
  source: string;
  input: 'text';
  labels: string[];
  note: string;
  train: { text: string; label: string }[];
  test: { text: string; label: string }[];
}
interface ImageFixture {
  name: string;
  source: string;
  input: 'image';
  labels: string[];
  note: string;
  width: number;
  height: number;
  train: { pixels: string; labels: string[] };
  test: { pixels: string; labels: string[] };
}
interface FeaturesFixture {
  name: string;
  source: string;
  input: 'features';
  labels: string[];
  note: string;
  train: { x: number[]; label: string }[];
  test: { x: number[]; label: string }[];
}
export type Fixture = TextFixture | ImageFixture | FeaturesFixture;

/** One split as the benchmark uses it: inputs for our API, truth, and the dense vector knn gets for each item. */
export interface Split {
  size: number;
  input(i: number): ClassifierInput;
  label(i: number): string;
  peerVector(i: number): Float32Array;
  /** The raw text of an item, for the n-gram reference learners; null for inputs that are not text. */
  text(i: number): string | null;
}

export interface Dataset {
  fixture: Fixture;
  train: Split;
  test: Split;
  peerFeatures: string;
}

function denseText(text: string): Float32Array {
  const { indices, values } = featurizeText(text);
  const dense = new Float32Array(TEXT_DIM);
  for (let j = 0; j < indices.length; j++) dense[indices[j]!] = values[j]!;
  return dense;
}

function textSplit(items: { text: string; label: string }[]): Split {
  return {
    size: items.length,
    input: (i) => items[i]!.text,
    label: (i) => items[i]!.label,
    // Dense vectors are 64 kB each: made on demand, never all kept.
    peerVector: (i) => denseText(items[i]!.text),
    text: (i) => items[i]!.text,
  };
}

function featuresSplit(items: { x: number[]; label: string }[], mean: number[], std: number[]): Split {
  return {
    size: items.length,
    input: (i) => items[i]!.x,
    label: (i) => items[i]!.label,
    peerVector: memo((i) => Float32Array.from(items[i]!.x, (v, j) => (v - mean[j]!) / std[j]!)),
    text: () => null,
  };
}

function imageSplit(data: { pixels: string; labels: string[] }, width: number, height: number): Split {
  const bytes = Uint8Array.from(atob(data.pixels), (c) => c.charCodeAt(0));
  const size = width * height;
  return {
    size: data.labels.length,
    input: memo((i) => {
      const rgba = new Uint8ClampedArray(size * 4);
      for (let p = 0; p < size; p++) {
        const grey = bytes[i * size + p]!;
        rgba[p * 4] = grey;
        rgba[p * 4 + 1] = grey;
        rgba[p * 4 + 2] = grey;
        rgba[p * 4 + 3] = 255;
      }
      return new ImageData(rgba, width, height) as unknown as ClassifierInput;
    }),
    label: (i) => data.labels[i]!,
    peerVector: (i) => Float32Array.from(bytes.subarray(i * size, (i + 1) * size), (v) => v / 255),
    text: () => null,
  };
}

export async function loadDataset(name: DatasetName): Promise<Dataset> {
  const response = await fetch(new URL(`../data/${name}.json`, import.meta.url));
  if (!response.ok) throw new Error(`bench/data/${name}.json: HTTP ${response.status}. Run \`npm run data\` first.`);
  const fixture = (await response.json()) as Fixture;
  switch (fixture.input) {
    case 'text':
      return {
        fixture,
        train: textSplit(fixture.train),
        test: textSplit(fixture.test),
        peerFeatures: `the engine's own featurizeText (hashed word and character n-grams), densified to ${TEXT_DIM} values`,
      };
    case 'features': {
      const dim = fixture.train[0]!.x.length;
      const mean = Array.from({ length: dim }, (_, j) => fixture.train.reduce((s, r) => s + r.x[j]!, 0) / fixture.train.length);
      const std = mean.map((m, j) => Math.sqrt(fixture.train.reduce((s, r) => s + (r.x[j]! - m) ** 2, 0) / fixture.train.length) || 1);
      return {
        fixture,
        train: featuresSplit(fixture.train, mean, std),
        test: featuresSplit(fixture.test, mean, std),
        peerFeatures: 'the raw rows, standardised with the mean and std of the train split',
      };
    }
    case 'image':
      return {
        fixture,
        train: imageSplit(fixture.train, fixture.width, fixture.height),
        test: imageSplit(fixture.test, fixture.width, fixture.height),
        peerFeatures: `the raw ${fixture.width}×${fixture.height} pixels scaled to [0, 1]`,
      };
  }
}
