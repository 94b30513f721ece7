import { afterEach, expect, test } from 'vitest';
import { engine } from '../src/engine-client.js';
import { classifier, closeAll } from './helpers.js';

afterEach(closeAll);

// Issue 3: tf.memory().numTensors is the same before and after 1,000 predict/label/train cycles.
test('1,000 predict / label / train cycles leave the tensor count unchanged', { timeout: 600_000 }, async () => {
  const clf = await classifier({ storage: 'memory', input: 'features', labels: ['a', 'b', 'c'] });
  const row = (i: number) => [Math.sin(i), Math.cos(i * 0.7), (i % 3) - 1, ((i * 7) % 11) / 11];
  const labels = ['a', 'b', 'c'] as const;
  const cycle = async (i: number, rows: number) => {
    await clf.predict(row(i + 1000));
    // Relabelling a stored row keeps each training the same size: the cycle count is the point, not the model.
    await clf.label(row(i % rows), labels[(i + 1) % 3]!);
    return (await clf.train()).modelVersion;
  };
  for (let i = 0; i < 12; i++) await clf.label(row(i), labels[i % 3]!);
  await clf.train();
  await clf.predict(row(0));
  const before = await engine.call((api) => api.memory());

  let version = 0;
  for (let i = 0; i < 980; i++) version = await cycle(i, 12);
  // The last cycles run with enough labels that every training also fits a temperature on held-out labels.
  for (let i = 12; i < 45; i++) await clf.label(row(i), labels[i % 3]!);
  for (let i = 0; i < 20; i++) version = await cycle(i, 45);
  expect((await clf.stats()).calibration).not.toBeNull();

  // Serving tensors are made on the first prediction after a training: count with them in place, as before.
  await clf.predict(row(0));
  const after = await engine.call((api) => api.memory());
  expect(version).toBe(1001);
  expect(after.tensors).toBe(before.tensors);
  expect(after.bytes).toBe(before.bytes);
});
