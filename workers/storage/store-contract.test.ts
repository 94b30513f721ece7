import { afterEach, describe, expect, test } from 'vitest';
import { byTime } from '../audit/log-records.js';
import type { EmbeddingRecord, ExampleRecord, ImportPlan, LogRecord, ModelMeta, QueueRecord, WeightsRecord } from './records.js';
import type { ModelStore, UndoLogWriter } from './store.js';
import { closeStores, STORE_FACTORIES } from './test-stores.js';

// The ModelStore contract, run unchanged against both stores: whatever one store does, the other must do alike,
// so a model behaves the same with `storage: 'memory'` as with IndexedDB (real IndexedDB here, in Chromium).

function meta(labels: string[], more: Partial<ModelMeta> = {}): ModelMeta {
  return { name: 'contract', labels, input: 'text', featureDim: null, maxVersion: 0, createdAt: 1, ...more };
}

function example(id: string, label: string, more: Partial<ExampleRecord> = {}): ExampleRecord {
  return { id, input: `text of ${id}`, label, time: 1_000, seq: 1, ...more };
}

function queued(id: string, more: Partial<QueueRecord> = {}): QueueRecord {
  return {
    id,
    input: `text of ${id}`,
    prediction: { id: `p-${id}`, label: 'spam', confidence: 0.6, scores: { spam: 0.6, ham: 0.4 }, modelVersion: 0 },
    addedAt: 1_000,
    skipped: 0,
    ...more,
  };
}

function decision(of: ExampleRecord, decisionId: string): LogRecord {
  return { kind: 'label', time: of.time, exampleId: of.id, label: of.label, modelVersion: 0, decisionId };
}

/** A short vector whose values say which one it is. */
function vector(n: number): Float32Array {
  return Float32Array.from([n, -n, n / 2]);
}

function embedding(space: string, id: string, n: number, time = 1_000): EmbeddingRecord {
  return { space, id, vector: vector(n), time };
}

function prediction(exampleId: string, predictionId: string, time = 1_000): LogRecord {
  return { kind: 'prediction', time, exampleId, predictionId, modelVersion: 0, predicted: { label: 'spam', confidence: 0.6, modelVersion: 0 } };
}

function weights(version: number, labels = ['spam', 'ham']): WeightsRecord {
  return {
    version,
    labels,
    inputDim: 2,
    weights: new Float32Array(2 * labels.length).fill(version),
    bias: new Float32Array(labels.length),
    examples: 4,
    savedAt: 2_000,
    backend: 'cpu',
  };
}

const undoEntry: UndoLogWriter = (d, restored) => ({
  kind: 'undo',
  time: 5_000,
  exampleId: d.exampleId,
  decisionId: d.decisionId!,
  modelVersion: 0,
  ...(restored ? { label: restored.label } : {}),
  ...(d.label !== undefined ? { previousLabel: d.label } : {}),
});

afterEach(closeStores);

describe.each(STORE_FACTORIES)('ModelStore contract: %s', (_kind, create) => {
  test('an empty store loads nothing', async () => {
    const store = create();
    expect(await store.load()).toEqual({ meta: undefined, examples: [], weights: undefined, queue: [] });
    expect(await store.loadHead()).toEqual({ meta: undefined, weights: undefined });
    expect(await store.readLog()).toEqual([]);
    expect(await store.countLog()).toBe(0);
  });

  test('saveMeta merges: stored labels first, new ones appended, the highest version kept, the rest as given', async () => {
    const store = create();
    expect(await store.saveMeta(meta(['spam', 'ham'], { maxVersion: 3 }))).toEqual(meta(['spam', 'ham'], { maxVersion: 3 }));
    // A tab that never saw 'ham' and an older version writes what it has: nothing of the stored meta is lost.
    const merged = await store.saveMeta(meta(['spam', 'eggs'], { maxVersion: 1, featureDim: 4, featurizer: 'f-2' }));
    expect(merged).toEqual(meta(['spam', 'ham', 'eggs'], { maxVersion: 3, featureDim: 4, featurizer: 'f-2' }));
    expect((await store.load()).meta).toEqual(merged);
    // What the caller holds is a copy: changing it changes nothing stored.
    merged.labels.push('changed outside');
    expect((await store.loadHead()).meta?.labels).toEqual(['spam', 'ham', 'eggs']);
  });

  test('saveDecision writes the example, takes the input off the queue, logs the state before, merges the meta', async () => {
    const store = create();
    await store.saveMeta(meta(['spam', 'ham']));
    await store.putQueued([queued('a'), queued('b')]);
    const first = example('a', 'spam', { decisionId: 'd1', seq: 1 });
    await store.saveDecision(first, decision(first, 'd1'), meta(['spam', 'ham', 'eggs']));
    const second = example('a', 'ham', { decisionId: 'd2', seq: 2, time: 2_000 });
    await store.saveDecision(second, decision(second, 'd2'));

    const loaded = await store.load();
    expect(loaded.examples).toEqual([second]);
    expect(loaded.queue).toEqual([queued('b')]);
    expect(loaded.meta?.labels).toEqual(['spam', 'ham', 'eggs']);
    const log = await store.readLog();
    expect(log.map((r) => [r.decisionId, r.before])).toEqual([
      ['d1', { example: null, queued: queued('a') }],
      ['d2', { example: first, queued: null }],
    ]);
  });

  test('undo restores the previous label, then requeues what the first decision took; refusals write nothing', async () => {
    const store = create();
    await store.putQueued([queued('a')]);
    const first = example('a', 'spam', { decisionId: 'd1', seq: 1 });
    await store.saveDecision(first, decision(first, 'd1'));
    const second = example('a', 'ham', { decisionId: 'd2', seq: 2 });
    await store.saveDecision(second, decision(second, 'd2'));

    await expect(store.undo('d1', undoEntry)).rejects.toThrow(new RangeError('A later decision changed this input after "d1": undo that one first.'));
    await expect(store.undo('nope', undoEntry)).rejects.toThrow(RangeError);
    expect(await store.countLog()).toBe(2);

    const undone = await store.undo('d2', undoEntry);
    expect(undone).toMatchObject({ decision: { decisionId: 'd2', label: 'ham' }, restored: first, requeued: null });
    expect((await store.load()).examples).toEqual([first]);
    await expect(store.undo('d2', undoEntry)).rejects.toThrow(new RangeError('Decision "d2" was already undone.'));

    expect(await store.undo('d1', undoEntry)).toMatchObject({ restored: null, requeued: queued('a') });
    const loaded = await store.load();
    expect(loaded.examples).toEqual([]);
    expect(loaded.queue).toEqual([queued('a')]);
    const undos = (await store.readLog()).filter((r) => r.kind === 'undo');
    expect(undos.map((r) => [r.decisionId, r.label, r.previousLabel])).toEqual([
      ['d2', 'spam', 'ham'],
      ['d1', undefined, 'spam'],
    ]);
  });

  test('getInputs gives the stored inputs of the ids asked, in order, undefined for unknown ids or kept vectors', async () => {
    const store = create();
    await store.saveMeta(meta(['spam', 'ham']));
    for (const [i, record] of [example('a', 'spam'), example('b', 'ham', { input: undefined, vector: vector(2) })].entries()) {
      await store.saveDecision({ ...record, seq: i + 1, decisionId: `d${i}` }, decision(record, `d${i}`));
    }
    expect(await store.getInputs(['b', 'zz', 'a'])).toEqual([undefined, undefined, 'text of a']);
    expect(await store.getInputs([])).toEqual([]);
  });

  test('a decision that cannot be written leaves nothing behind', async () => {
    const store = create();
    await store.putQueued([queued('a')]);
    const broken = example(undefined as unknown as string, 'spam', { decisionId: 'd1' });
    await expect(store.saveDecision(broken, decision(example('a', 'spam'), 'd1'), meta(['spam', 'ham']))).rejects.toHaveProperty('name', 'DataError');
    expect(await store.load()).toEqual({ meta: undefined, examples: [], weights: undefined, queue: [queued('a')] });
    expect(await store.countLog()).toBe(0);
  });

  test('record writes log entries with ascending ids, puts queue items and evicts others, in one call', async () => {
    const store = create();
    await store.record([], []);
    await store.record([prediction('a', 'p1'), prediction('b', 'p2')], [queued('b'), queued('a')]);
    await store.record([prediction('c', 'p3')], [queued('c', { skipped: 1 })], ['a']);
    const dump = await store.dump();
    expect(dump.queue).toEqual([queued('b'), queued('c', { skipped: 1 })]);
    expect(dump.log.map((r) => r.predictionId)).toEqual(['p1', 'p2', 'p3']);
    const ids = dump.log.map((r) => r.id!);
    expect(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1]!))).toBe(true);
    expect(await store.countLog()).toBe(3);
  });

  test('putQueued replaces an item by id; the queue loads by id', async () => {
    const store = create();
    await store.putQueued([queued('c'), queued('a')]);
    await store.putQueued([queued('b'), queued('c', { skipped: 2 })]);
    expect((await store.load()).queue).toEqual([queued('a'), queued('b'), queued('c', { skipped: 2 })]);
  });

  test('findPrediction finds the prediction entry, not a decision that cites it', async () => {
    const store = create();
    const answered = example('a', 'ham', { decisionId: 'd1', predictionId: 'p1' });
    await store.saveDecision(answered, { ...decision(answered, 'd1'), predictionId: 'p1' });
    expect(await store.findPrediction('p1')).toBeUndefined();
    await store.record([prediction('a', 'p1'), prediction('b', 'p2')], []);
    expect(await store.findPrediction('p1')).toMatchObject({ kind: 'prediction', exampleId: 'a', predictionId: 'p1' });
    expect(await store.findPrediction('p3')).toBeUndefined();
  });

  test('saveWeights stores weights and merged meta together, and refuses a version not above every stored one', async () => {
    const store = create();
    await store.saveMeta(meta(['spam', 'ham']));
    await store.saveWeights(weights(1), meta(['spam', 'ham'], { maxVersion: 1 }));
    expect(await store.loadHead()).toEqual({ meta: meta(['spam', 'ham'], { maxVersion: 1 }), weights: weights(1) });

    // The same version again (another tab saved it first): refused, nothing written.
    const stale = store.saveWeights(weights(1, ['spam', 'ham', 'eggs']), meta(['spam', 'ham', 'eggs'], { maxVersion: 1 }));
    await expect(stale).rejects.toThrow(
      new RangeError('Model version 1 is not newer than version 1, which another tab saved meanwhile; train again.'),
    );
    // A version the meta already counts (a reset keeps maxVersion, with no weights stored) is refused as well.
    await store.saveMeta(meta(['spam', 'ham'], { maxVersion: 5 }));
    await expect(store.saveWeights(weights(4), meta(['spam', 'ham'], { maxVersion: 4 }))).rejects.toThrow(/version 4 is not newer than version 5/);
    expect(await store.loadHead()).toEqual({ meta: meta(['spam', 'ham'], { maxVersion: 5 }), weights: weights(1) });

    await store.saveWeights(weights(6), meta(['ham', 'eggs'], { maxVersion: 6 }));
    expect(await store.loadHead()).toEqual({ meta: meta(['spam', 'ham', 'eggs'], { maxVersion: 6 }), weights: weights(6) });
  });

  test('loadHead reads meta and weights as stored now, without the examples', async () => {
    const store = create();
    const labelled = example('a', 'spam');
    await store.saveDecision(labelled, decision(labelled, 'd1'), meta(['spam', 'ham']));
    await store.saveWeights(weights(2), meta(['spam', 'ham'], { maxVersion: 2 }));
    expect(await store.loadHead()).toEqual({ meta: meta(['spam', 'ham'], { maxVersion: 2 }), weights: weights(2) });
  });

  test('purgeBefore deletes examples, log entries, queue items and embeddings older than the cutoff, and counts them', async () => {
    const store = create();
    const old = example('old', 'spam', { time: 100, seq: 1 });
    const kept = example('kept', 'ham', { time: 300, seq: 2 });
    await store.saveDecision(old, decision(old, 'd1'));
    await store.saveDecision(kept, decision(kept, 'd2'));
    await store.record([prediction('x', 'p1', 150), prediction('y', 'p2', 200)], [queued('x', { addedAt: 150 }), queued('y', { addedAt: 200 })]);
    await store.putEmbeddings([embedding('s', 'old', 1, 100), embedding('s', 'kept', 2, 200)], 10);
    expect(await store.purgeBefore(200)).toEqual({ examples: 1, log: 2, queue: 1, embeddings: 1 });
    const dump = await store.dump();
    expect(dump.examples).toEqual([kept]);
    expect(dump.queue).toEqual([queued('y', { addedAt: 200 })]);
    // What retention removed, it says in an entry of its own (issue 18: the chain that remains still verifies).
    expect(dump.log.map((r) => r.time).slice(0, 2)).toEqual([300, 200]);
    expect(dump.log.map((r) => r.kind).slice(2)).toEqual(['retention']);
    expect(await store.getEmbeddings('s', ['old', 'kept'])).toEqual([undefined, vector(2)]);
    expect(await store.purgeBefore(200)).toEqual({ examples: 0, log: 0, queue: 0, embeddings: 0 });
  });

  describe('embeddings', () => {
    test('come back in the order asked, per space, undefined where none is stored; a put replaces by space and id', async () => {
      const store = create();
      expect(await store.getEmbeddings('enc', [])).toEqual([]);
      await store.putEmbeddings([embedding('enc', 'a', 1), embedding('enc', 'b', 2), embedding('other', 'a', 3)], 10);
      expect(await store.getEmbeddings('enc', ['b', 'x', 'a'])).toEqual([vector(2), undefined, vector(1)]);
      expect(await store.getEmbeddings('other', ['a', 'b'])).toEqual([vector(3), undefined]);
      await store.putEmbeddings([embedding('enc', 'a', 4)], 10);
      expect(await store.getEmbeddings('enc', ['a'])).toEqual([vector(4)]);
    });

    test('past `keep` the oldest go, by time and then by key, whatever the space', async () => {
      const store = create();
      await store.putEmbeddings([embedding('enc', 'c', 1, 50), embedding('enc', 'b', 2, 10), embedding('alt', 'z', 3, 10)], 3);
      await store.putEmbeddings([embedding('enc', 'd', 4, 60)], 2);
      // Time 10 twice: ['alt', 'z'] sorts before ['enc', 'b'], so both go and the two newest stay.
      expect(await store.getEmbeddings('enc', ['b', 'c', 'd'])).toEqual([undefined, vector(1), vector(4)]);
      expect(await store.getEmbeddings('alt', ['z'])).toEqual([undefined]);
      await expect(store.putEmbeddings([embedding('enc', 'e', 5)], -1)).rejects.toThrow(RangeError);
      await expect(store.putEmbeddings([embedding('enc', 'e', 5)], 1.5)).rejects.toThrow(/whole number of vectors/);
      expect(await store.getEmbeddings('enc', ['e'])).toEqual([undefined]);
    });

    test('clear deletes them with the rest', async () => {
      const store = create();
      await store.putEmbeddings([embedding('enc', 'a', 1)], 10);
      await store.clear(meta(['spam', 'ham']));
      expect(await store.getEmbeddings('enc', ['a'])).toEqual([undefined]);
    });
  });

  test('applyImport writes the whole plan: examples leave the queue, the meta merges, log entries get new ids', async () => {
    const store = create();
    await store.saveMeta(meta(['spam', 'ham'], { maxVersion: 2 }));
    await store.putQueued([queued('a'), queued('q')]);
    await store.record([prediction('q', 'p1')], []);
    const plan: ImportPlan = {
      meta: meta(['spam', 'eggs'], { maxVersion: 1 }),
      examples: [example('a', 'eggs', { seq: 5 }), example('b', 'spam', { seq: 4 })],
      queue: [queued('z')],
      log: [prediction('b', 'p9', 10)],
      weights: weights(3),
    };
    await store.applyImport(plan);
    const dump = await store.dump();
    expect(dump.meta).toEqual(meta(['spam', 'ham', 'eggs'], { maxVersion: 2 }));
    expect(dump.examples).toEqual([example('b', 'spam', { seq: 4 }), example('a', 'eggs', { seq: 5 })]);
    expect(dump.queue).toEqual([queued('q'), queued('z')]);
    expect(dump.log.map((r) => [r.id, r.predictionId])).toEqual([
      [dump.log[0]!.id, 'p1'],
      [dump.log[0]!.id! + 1, 'p9'],
    ]);
    expect(dump.weights).toEqual(weights(3));
  });

  test('applyImport is all or nothing: a plan that fails part-way leaves the store as it was', async () => {
    const store = create();
    await store.saveMeta(meta(['spam', 'ham']));
    const labelled = example('a', 'spam');
    await store.saveDecision(labelled, decision(labelled, 'd1'));
    await store.putQueued([queued('b')]);
    const before = await store.dump();
    const plan: ImportPlan = {
      meta: meta(['spam', 'ham', 'eggs'], { maxVersion: 7 }),
      // The second example has no key: the store refuses it after the first was already on its way.
      examples: [example('b', 'eggs'), example(undefined as unknown as string, 'spam')],
      queue: [queued('z')],
      log: [prediction('z', 'p1')],
      weights: weights(7),
    };
    await expect(store.applyImport(plan)).rejects.toHaveProperty('name', 'DataError');
    expect(await store.dump()).toEqual(before);
  });

  test('clear deletes labels, weights, queue and log (leaving one reset entry) but keeps the meta (featureDim as given); log ids keep growing', async () => {
    const store = create();
    await store.saveMeta(meta(['spam', 'ham'], { featureDim: 3 }));
    const labelled = example('a', 'spam');
    await store.saveDecision(labelled, decision(labelled, 'd1'));
    await store.saveWeights(weights(4), meta(['spam', 'ham'], { featureDim: 3, maxVersion: 4 }));
    await store.record([prediction('b', 'p1')], [queued('b')]);
    const lastId = (await store.dump()).log.at(-1)!.id!;

    await store.clear(meta(['spam'], { featureDim: null, maxVersion: 2 }));
    expect(await store.dump()).toEqual({
      meta: meta(['spam', 'ham'], { featureDim: null, maxVersion: 4 }),
      examples: [],
      weights: undefined,
      queue: [],
      log: [expect.objectContaining({ kind: 'reset', detail: expect.stringContaining('2 log entries removed') })],
    });
    await store.record([prediction('c', 'p2')], []);
    expect((await store.readLog())[0]!.id).toBeGreaterThan(lastId);
  });

  test('dump reads everything: examples by seq, queue by id, log by id', async () => {
    const store = create();
    await store.saveMeta(meta(['spam', 'ham']));
    const later = example('a', 'ham', { seq: 9 });
    const earlier = example('b', 'spam', { seq: 3 });
    await store.saveDecision(later, decision(later, 'd1'));
    await store.saveDecision(earlier, decision(earlier, 'd2'));
    await store.record([prediction('z', 'p1', 10)], [queued('z'), queued('m')]);
    await store.saveWeights(weights(1), meta(['spam', 'ham'], { maxVersion: 1 }));
    const dump = await store.dump();
    expect(dump.meta).toEqual(meta(['spam', 'ham'], { maxVersion: 1 }));
    expect(dump.examples).toEqual([earlier, later]);
    expect(dump.queue).toEqual([queued('m'), queued('z')]);
    expect(dump.log.map((r) => r.decisionId ?? r.predictionId)).toEqual(['d1', 'd2', 'p1']);
    expect(dump.weights).toEqual(weights(1));
  });

  describe('log reads', () => {
    // Written out of time order, as an import of an older log leaves them: ids 1-4 at times 30, 10, 20, 10.
    async function filled(): Promise<ModelStore> {
      const store = create();
      await store.record([prediction('a', 't30', 30), prediction('b', 't10', 10), prediction('c', 't20', 20), prediction('d', 't10b', 10)], []);
      return store;
    }
    const names = (log: LogRecord[]) => log.map((r) => r.predictionId);

    test('readLog() returns every entry by time, then by id: the order the audit log sorts by', async () => {
      const store = await filled();
      const log = await store.readLog();
      expect(names(log)).toEqual(['t10', 't10b', 't20', 't30']);
      expect(log).toEqual([...(await store.dump()).log].sort(byTime));
    });

    test('since keeps entries at or after it; limit keeps the newest of those, still oldest first', async () => {
      const store = await filled();
      expect(names(await store.readLog({ since: 15 }))).toEqual(['t20', 't30']);
      expect(names(await store.readLog({ since: 20 }))).toEqual(['t20', 't30']);
      expect(names(await store.readLog({ since: 31 }))).toEqual([]);
      expect(names(await store.readLog({ limit: 2 }))).toEqual(['t20', 't30']);
      // A limit that splits equal times keeps the later-written one, as the sorted log's tail does.
      expect(names(await store.readLog({ limit: 3 }))).toEqual(['t10b', 't20', 't30']);
      expect(names(await store.readLog({ since: 10, limit: 3 }))).toEqual(['t10b', 't20', 't30']);
      expect(names(await store.readLog({ since: 15, limit: 1 }))).toEqual(['t30']);
      expect(names(await store.readLog({ limit: 0 }))).toEqual([]);
      expect(names(await store.readLog({ limit: 4 }))).toEqual(['t10', 't10b', 't20', 't30']);
      expect(names(await store.readLog({ since: -Infinity, limit: Number.MAX_SAFE_INTEGER }))).toEqual(['t10', 't10b', 't20', 't30']);
    });

    test('countLog counts every entry, or those at or after since', async () => {
      const store = await filled();
      expect(await store.countLog()).toBe(4);
      expect(await store.countLog(10)).toBe(4);
      expect(await store.countLog(11)).toBe(2);
      expect(await store.countLog(30)).toBe(1);
      expect(await store.countLog(31)).toBe(0);
    });

    test('readLogAfter returns the entries written after an id, in the order written, whatever their times', async () => {
      const store = await filled();
      const ids = (await store.dump()).log.map((r) => r.id!);
      expect(names(await store.readLogAfter(0))).toEqual(['t30', 't10', 't20', 't10b']);
      expect(names(await store.readLogAfter(ids[1]!))).toEqual(['t20', 't10b']);
      expect(names(await store.readLogAfter(ids[3]!))).toEqual([]);
      await store.record([prediction('e', 't5', 5)], []);
      expect(names(await store.readLogAfter(ids[3]!))).toEqual(['t5']);
      await expect(store.readLogAfter(1.5)).rejects.toThrow(RangeError);
    });

    test('a range that is no range is refused with a RangeError', async () => {
      const store = await filled();
      await expect(store.readLog({ since: Number.NaN })).rejects.toThrow(RangeError);
      await expect(store.readLog({ limit: -1 })).rejects.toThrow(RangeError);
      await expect(store.readLog({ limit: 1.5 })).rejects.toThrow(RangeError);
      await expect(store.countLog(Number.NaN)).rejects.toThrow(RangeError);
    });
  });
});
