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

  test('a batch record is read as its decisions, one by one; the store refuses logs that do not match the examples', async () => {
    const store = create();
    await store.saveMeta(meta);
    const example = (id: string, label: string, decisionId: string) => ({ id, label, time: 2_000, seq: 0, decisionId, input: id });
    const examples = [example('x', 'spam', 'b#0'), example('y', 'ham', 'b#1'), example('x', 'ham', 'b#2')];
    const decisions = examples.map((e, i) => ({
      exampleId: e.id,
      label: e.label,
      decisionId: e.decisionId,
      ...(i === 2 ? { annotator: 'bo' } : {}),
    }));
    const batch: LogRecord = { kind: 'labels', time: 2_000, exampleId: '', modelVersion: 3, decisionId: 'b', decisions };
    await expect(store.saveDecisions(examples, [{ ...batch, decisions: decisions.slice(1) }])).rejects.toThrow(RangeError);
    await store.saveDecisions(examples, [batch]);
    const read = await new LogTail().read(store);
    expect(read.map((r) => [r.kind, r.exampleId, r.label, r.decisionId, r.annotator ?? null, r.time])).toEqual([
      ['label', 'x', 'spam', 'b#0', null, 2_000],
      ['label', 'y', 'ham', 'b#1', null, 2_000],
      ['label', 'x', 'ham', 'b#2', 'bo', 2_000],
    ]);
    // One stored record, chained, whose decisions each remember what they replaced.
    const [stored] = await store.readLog();
    expect(stored!.decisions!.map((d) => d.before?.example?.label ?? null)).toEqual([null, null, 'spam']);
    expect(stored!.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
