// Issue 17, item 6: past WARM_MIN_EXAMPLES a text model's retrain starts from the served head (two passes over every
// label) rather than from zeros; `train({ fromZeros: true })` still retrains from zeros, and both serve as well.
import { afterEach, expect, test } from 'vitest';
import { seededRandom } from '../scripts/seeded-random.mjs';
import type { RawPrediction } from '../src/protocol.js';
import { Engine } from '../workers/engine/engine.js';
import { WARM_MIN_EXAMPLES } from '../workers/learning/warm-start.js';
import { onCleanup, runCleanups } from './helpers.js';

afterEach(runCleanups);

/** Made-up words; texts of class `a` lean on the first third of them, `b` on the last third, both share the middle. */
function corpus(seed: number) {
  const random = seededRandom(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words = Array.from({ length: 900 }, () =>
    Array.from({ length: 3 + Math.floor(random() * 6) }, () => letters[Math.floor(random() * 26)]).join(''),
  );
  const text = (label: 'a' | 'b') => {
    const own = label === 'a' ? 0 : 600;
    return Array.from({ length: 6 + Math.floor(random() * 8) }, () =>
      random() < 0.35 ? words[own + Math.floor(random() * 300)] : words[300 + Math.floor(random() * 300)],
    ).join(' ');
  };
  return { random, text };
}

const accuracy = (predictions: RawPrediction[], labels: string[]) => predictions.filter((p, i) => p.label === labels[i]).length / labels.length;

test('a text model past the minimum retrains warm from the served head, serves as well as from zeros, and retrains from zeros when asked', async () => {
  const engine = new Engine();
  const { key, handle } = await engine.open(
    { name: `warm-${crypto.randomUUID()}`, labels: ['a', 'b'], input: 'text', storage: 'memory' },
    { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
  );
  onCleanup(() => engine.close(key, handle));
  const { random, text } = corpus(17);
  const pick = (): 'a' | 'b' => (random() < 0.5 ? 'a' : 'b');
  for (let i = 0; i < WARM_MIN_EXAMPLES + 20; i++) {
    const label = pick();
    await engine.label(key, text(label), label, {});
  }
  const first = await engine.train(key, 'first');
  expect(first.start).toBe('zeros');

  const heldOut = Array.from({ length: 300 }, () => pick());
  const heldOutTexts = heldOut.map((label) => text(label));
  for (let i = 0; i < 40; i++) {
    const label = pick();
    await engine.label(key, text(label), label, {});
  }
  const progress: number[] = [];
  const warm = await engine.train(key, 'warm', (p) => progress.push(p.epoch));
  expect(warm).toMatchObject({ start: 'warm', examples: WARM_MIN_EXAMPLES + 60, modelVersion: first.modelVersion + 1 });
  expect(progress.length).toBeGreaterThan(0);
  const warmAccuracy = accuracy(await engine.predict(key, heldOutTexts), heldOut);

  const zeros = await engine.train(key, 'zeros', undefined, true);
  expect(zeros.start).toBe('zeros');
  const zerosAccuracy = accuracy(await engine.predict(key, heldOutTexts), heldOut);
  expect(zerosAccuracy).toBeGreaterThan(0.8);
  expect(warmAccuracy).toBeGreaterThanOrEqual(zerosAccuracy - 0.03);
}, 180_000);
