import { afterEach, describe, expect, test } from 'vitest';
import type { ComparisonRecord, RankerLogRecord } from './ranker-records.js';
import { toRankerLogEntry } from './ranker-log.js';
import { verifyChain } from './log-chain.js';
import { closeStores, STORE_FACTORIES } from './test-stores.js';

// The ComparisonStore contract (a ranker's part of a ModelStore), run unchanged against both stores, as
// store-contract.test.ts does for the classifier's part: what one store does, the other does alike.

afterEach(closeStores);

function comparison(id: string, time: number, outcome: ComparisonRecord['outcome'] = 'a'): ComparisonRecord {
  return {
    id,
    a: { id: `x-${id}`, input: `first of ${id}`, vector: { indices: Int32Array.of(1, 4), values: Float32Array.of(0.6, 0.8) } },
    b: { id: `y-${id}`, vector: Float32Array.of(1, 2) },
    outcome,
    time,
  };
}

function logOf(record: ComparisonRecord): RankerLogRecord {
  return { kind: 'compare', time: record.time, decisionId: record.id, a: record.a.id, b: record.b.id, outcome: record.outcome, modelVersion: 1 };
}

describe.each(STORE_FACTORIES)('%s: comparisons', (_name, make) => {
  test('saved comparisons load oldest first, with their vectors; the log is a chain that verifies', async () => {
    const store = make().comparisons();
    await store.saveComparison(comparison('c2', 20, 'tie'), logOf(comparison('c2', 20, 'tie')));
    await store.saveComparison(comparison('c1', 10), logOf(comparison('c1', 10)));
    const loaded = await store.loadComparisons();
    expect(loaded.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(loaded[0]!.a.vector).toEqual({ indices: Int32Array.of(1, 4), values: Float32Array.of(0.6, 0.8) });
    expect(loaded[0]!.b.vector).toEqual(Float32Array.of(1, 2));
    const log = await store.readRankerLog();
    expect(log.map((e) => [e.id, e.decisionId])).toEqual([
      [1, 'c2'],
      [2, 'c1'],
    ]);
    expect(await verifyChain(log.map(toRankerLogEntry))).toMatchObject({ ok: true, entries: 2 });
  });

  test('a duplicate id or a bad record is refused and writes nothing, log included', async () => {
    const store = make().comparisons();
    await store.saveComparison(comparison('c1', 10), logOf(comparison('c1', 10)));
    await expect(store.saveComparison(comparison('c1', 11), logOf(comparison('c1', 11)))).rejects.toThrow(RangeError);
    await expect(store.saveComparison({ ...comparison('c3', 12), outcome: 'left' as never }, logOf(comparison('c3', 12)))).rejects.toThrow(
      RangeError,
    );
    await expect(store.saveComparison({ ...comparison('c4', 13), b: { id: 'y' } as never }, logOf(comparison('c4', 13)))).rejects.toThrow(TypeError);
    expect((await store.loadComparisons()).map((c) => c.time)).toEqual([10]);
    expect(await store.readRankerLog()).toHaveLength(1);
  });

  test('undo removes the comparison and logs it once; a second undo is a RangeError', async () => {
    const store = make().comparisons();
    await store.saveComparison(comparison('c1', 10), logOf(comparison('c1', 10)));
    const removed = await store.undoComparison('c1', (r) => ({ kind: 'undo', time: 30, decisionId: r.id, modelVersion: 2 }));
    expect(removed.id).toBe('c1');
    expect(await store.loadComparisons()).toEqual([]);
    await expect(store.undoComparison('c1', (r) => ({ kind: 'undo', time: 31, decisionId: r.id, modelVersion: 3 }))).rejects.toThrow(
      /undone already/,
    );
    expect((await store.readRankerLog()).map((e) => e.kind)).toEqual(['compare', 'undo']);
  });

  test('import adds only new ids; clear leaves a reset entry; retention cuts old entries and names the cut', async () => {
    const store = make().comparisons();
    await store.saveComparison(comparison('c1', 10), logOf(comparison('c1', 10)));
    const added = await store.importComparisons(
      [comparison('c1', 10), comparison('c2', 5_000), comparison('c2', 5_000)],
      [logOf(comparison('c2', 5_000))],
    );
    expect(added).toBe(1);
    expect((await store.loadComparisons()).map((c) => c.id)).toEqual(['c1', 'c2']);
    const purged = await store.purgeComparisonsBefore(1_000);
    expect(purged).toEqual({ comparisons: 1, log: 1 });
    const log = await store.readRankerLog();
    expect(log.map((e) => e.kind)).toEqual(['compare', 'retention']);
    expect(await verifyChain(log.map(toRankerLogEntry))).toMatchObject({ ok: true });
    await store.clearComparisons(4);
    expect(await store.loadComparisons()).toEqual([]);
    expect((await store.readRankerLog()).map((e) => [e.kind, e.modelVersion])).toEqual([['reset', 4]]);
  });
});
