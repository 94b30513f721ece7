import { afterEach, describe, expect, test, vi } from 'vitest';
import type { LogRecord, ModelMeta } from '../storage/index.js';
import { closeStores, STORE_FACTORIES } from '../storage/test-stores.js';
import { LogTail } from './log-tail.js';

afterEach(closeStores);

const meta: ModelMeta = { name: 'tail', labels: ['spam', 'ham'], input: 'text', featureDim: null, maxVersion: 0, createdAt: 1 };

function shown(n: number): LogRecord {
  return {
    kind: 'prediction',
    time: 1_000 + n,
    exampleId: `e${n}`,
    predictionId: `p${n}`,
    modelVersion: 0,
    input: `text ${n}`,
    predicted: { label: 'spam', confidence: 0.6, modelVersion: 0 },
  };
}

describe.each(STORE_FACTORIES)('LogTail over %s', (_, create) => {
  test('reads the whole log once, then only what was written since, without inputs', async () => {
    const store = create();
    await store.record([shown(1), shown(2)], []);
    const tail = new LogTail();
    const after = vi.spyOn(store, 'readLogAfter');
    const first = await tail.read(store);
    expect(first.map((r) => r.time)).toEqual([1_001, 1_002]);
    expect(first[0]).not.toHaveProperty('input');
    expect(first[0]).toMatchObject({ kind: 'prediction', predicted: { label: 'spam' } });
    await store.record([shown(3)], []);
    // Two callers at once share one read.
    const [a, b] = await Promise.all([tail.read(store), tail.read(store)]);
    expect(b).toEqual(a);
    expect(a.map((r) => r.time)).toEqual([1_001, 1_002, 1_003]);
    const lastIds = after.mock.calls.map(([id]) => id);
    expect(lastIds[0]).toBe(0);
    expect(lastIds[1]).toBe(first.at(-1)!.id);
    expect(lastIds).toHaveLength(2);
  });

  test('a reset among the new entries makes it read the log again from the start', async () => {
    const store = create();
    await store.record([shown(1), shown(2)], []);
    const tail = new LogTail();
    await tail.read(store);
    await store.clear(meta);
    await store.record([shown(3)], []);
    const now = await tail.read(store);
    expect(now.map((r) => r.kind)).toEqual(['reset', 'prediction']);
    expect(now.at(-1)!.time).toBe(1_003);
  });
});
