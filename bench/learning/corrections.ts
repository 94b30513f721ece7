/**
 * Issue 3's correction check: after the random run's last budget, test items the model gets wrong are labelled with
 * their true label; the corrected input must follow at once, and a near-duplicate of it at least 9 times in 10.
 */
import type { Classifier, ClassifierInput } from '../../src/index.js';
import { seededRandom } from '../../scripts/seeded-random.mjs';
import type { Dataset } from './datasets.js';
import type { CorrectionCheck } from './types.js';

/** Test items scored per predictBatch call (as in ours.ts). */
const CHUNK = 50;
/** Wrong test predictions corrected by the check (fewer if the model makes fewer mistakes). */
const CORRECTIONS = 20;

/**
 * A slightly different copy of a test item, made three ways in turn: what a person would call "the same" input.
 * Text: a line added, the last word dropped, one word doubled. Images: shifted one pixel right, one pixel down,
 * or with ±12 grey levels of noise. Numbers: every value moved by up to ±2 %.
 */
function nearDuplicate(dataset: Dataset, i: number, variant: number): ClassifierInput {
  const input = dataset.test.input(i);
  if (typeof input === 'string') {
    const words = input.split(' ');
    if (variant === 0) return `${input}\n\nSent from my phone`;
    if (variant === 1 && words.length > 2) return words.slice(0, -1).join(' ');
    const at = Math.floor(words.length / 2);
    return [...words.slice(0, at + 1), ...words.slice(at)].join(' ');
  }
  const random = seededRandom(1000 + i);
  if (input instanceof ImageData) {
    const { width, height, data } = input;
    const out = new Uint8ClampedArray(data.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const to = (y * width + x) * 4;
        const sx = variant === 0 ? x - 1 : x;
        const sy = variant === 1 ? y - 1 : y;
        const noise = variant === 2 ? Math.round((random() - 0.5) * 24) : 0;
        for (let c = 0; c < 3; c++) out[to + c] = sx < 0 || sy < 0 ? 0 : data[(sy * width + sx) * 4 + c]! + noise;
        out[to + 3] = 255;
      }
    }
    return new ImageData(out, width, height) as unknown as ClassifierInput;
  }
  return Array.from(input as ArrayLike<number>, (v) => v * (1 + (random() - 0.5) * 0.04));
}

export async function correctionCheck(classifier: Classifier, dataset: Dataset, labels: number): Promise<CorrectionCheck> {
  const wrong: number[] = [];
  for (let start = 0; start < dataset.test.size && wrong.length < CORRECTIONS; start += CHUNK) {
    const indices = Array.from({ length: Math.min(CHUNK, dataset.test.size - start) }, (_, j) => start + j);
    const predictions = await classifier.predictBatch(indices.map((i) => dataset.test.input(i)));
    predictions.forEach((p, j) => p.label !== dataset.test.label(indices[j]!) && wrong.length < CORRECTIONS && wrong.push(indices[j]!));
  }
  const check: CorrectionCheck = {
    labels,
    corrected: wrong.length,
    exact: 0,
    nearTried: 0,
    near: 0,
    nearDuplicate:
      dataset.fixture.input === 'text'
        ? 'a line added, the last word dropped or a word doubled'
        : dataset.fixture.input === 'image'
          ? 'shifted 1 px or ±12 grey levels of noise'
          : 'every value moved by up to ±2 %',
  };
  for (const [n, i] of wrong.entries()) {
    const truth = dataset.test.label(i);
    const near = nearDuplicate(dataset, i, n % 3);
    const nearWasWrong = (await classifier.predict(near)).label !== truth;
    await classifier.label(dataset.test.input(i), truth);
    if ((await classifier.predict(dataset.test.input(i))).label === truth) check.exact += 1;
    if (nearWasWrong) {
      check.nearTried += 1;
      if ((await classifier.predict(near)).label === truth) check.near += 1;
    }
  }
  return check;
}
