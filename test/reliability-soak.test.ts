// Issue 6, the soak in small (`npm run bench:soak` is the full one: 10,000 labels and 50 retrains, with heap figures):
// 1,000 stored labels and 5 retrains in one page, the tensor count flat after every retrain, and everything still
// there when the model is opened again from IndexedDB alone.
import { afterEach, expect, test } from 'vitest';
import { engine } from '../src/engine-client.js';
import { classifier, closeAll, uniqueName } from './helpers.js';

afterEach(closeAll);

const LABELS = ['billing', 'bug', 'feature'] as const;
const WORDS: Record<(typeof LABELS)[number], string[]> = {
  billing: ['invoice', 'refund', 'charged', 'payment', 'VAT', 'subscription', 'card', 'plan'],
  bug: ['crash', 'error', 'broken', 'blank', 'freezes', 'spinner', 'exception', 'fails'],
  feature: ['add', 'dark mode', 'export PDF', 'shortcut', 'integration', 'would love', 'API', 'schedule'],
};

function item(i: number): [string, (typeof LABELS)[number]] {
  const label = LABELS[i % 3]!;
  const words = WORDS[label];
  return [`${words[i % 8]} ${words[(i * 3 + 1) % 8]} ${words[(i * 7 + 2) % 8]} ticket ${i}`, label];
}

test('1,000 labels and 5 retrains: tensors stay flat, and a reopened model has every label and the last version', { timeout: 600_000 }, async () => {
  const name = uniqueName('soak');
  const clf = await classifier({ name });
  const tensors: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (let i = round * 200; i < (round + 1) * 200; i++) {
      const [text, label] = item(i);
      await clf.label(text, label);
    }
    expect((await clf.train()).modelVersion).toBe(round + 1);
    // Serving tensors are made by the first prediction after a training: count with them in place.
    await clf.predict('warm up the new head', { queue: false });
    tensors.push((await engine.call((api) => api.memory())).tensors);
  }
  expect(new Set(tensors).size).toBe(1);

  await closeAll();
  const again = await classifier({ name });
  expect(await again.stats()).toMatchObject({ examples: 1000, modelVersion: 5, byLabel: { billing: 334, bug: 333, feature: 333 } });
  const sample = Array.from({ length: 50 }, (_, k) => item(k * 20));
  const stored = await Promise.all(sample.map(([text]) => again.getLabel(text)));
  stored.forEach((s, k) => expect(s?.label).toBe(sample[k]![1]));
  const predicted = await again.predictBatch(sample.map(([text]) => text));
  expect(predicted.every((p) => p.modelVersion === 5)).toBe(true);
  expect(predicted.filter((p, k) => p.label === sample[k]![1]).length).toBe(sample.length);
});
