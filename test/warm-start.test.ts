// Issue 17, item 6: past WARM_MIN_EXAMPLES a text model's retrain starts from the served head (two passes over every
// label) rather than from zeros; `train({ fromZeros: true })` still retrains from zeros, and both serve as well.
import { afterEach, expect, test } from 'vitest';
import { madeUpTexts } from './made-up-texts.js';
import type { RawPrediction } from '../src/protocol.js';
import { Engine } from '../workers/engine/engine.js';
import { WARM_MIN_EXAMPLES } from '../workers/learning/warm-start.js';
import { onCleanup, runCleanups } from './helpers.js';

afterEach(runCleanups);

const accuracy = (predictions: RawPrediction[], labels: string[]) => predictions.filter((p, i) => p.label === labels[i]).length / labels.length;

test('a text model past the minimum retrains warm from the served head, serves as well as from zeros, and retrains from zeros when asked', async () => {
  const engine = new Engine();
  const { key, handle } = await engine.open(
    { name: `warm-${crypto.randomUUID()}`, labels: ['a', 'b'], input: 'text', storage: 'memory' },
    { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
  );
  onCleanup(() => engine.close(key, handle));
  const { random, text } = madeUpTexts(17, { own: 0.35, spread: 8 });
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
