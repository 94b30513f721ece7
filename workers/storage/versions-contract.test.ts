import { afterEach, describe, expect, test } from 'vitest';
import type { TrainingMetrics } from '../../src/protocol.js';
import type { LogRecord, ModelMeta, WeightsRecord } from './records.js';
import type { ModelStore } from './store.js';
import { closeStores, STORE_FACTORIES } from './test-stores.js';
import type { ServeLogWriter } from './versions.js';

// The model-versions part of the ModelStore contract (schema 5), run unchanged against both stores.

function meta(labels: string[], maxVersion: number): ModelMeta {
  return { name: 'versions', labels, input: 'text', featureDim: null, maxVersion, createdAt: 1 };
}

/** A head whose weights say which version it is. */
function head(version: number, labels = ['spam', 'ham']): WeightsRecord {
  return {
    version,
    labels,
    inputDim: 2,
    weights: new Float32Array(2 * labels.length).fill(version),
    bias: new Float32Array(labels.length),
    examples: version * 10,
    savedAt: 1_000 + version,
    backend: 'cpu',
  };
}

function metrics(version: number): TrainingMetrics {
  return {
    examples: version * 10,
    byLabel: { spam: version * 5, ham: version * 5 },
    start: 'zeros',
    loss: 1 / version,
    heldOut: null,
    featureChoice: null,
    ms: 5,
    backend: 'cpu',
  };
}

const logChange: ServeLogWriter = (before, after) => ({
  kind: 'model',
  time: 3_000,
  exampleId: '',
  modelVersion: after.version,
  detail: `from ${before?.version ?? 0} to ${after.version}${after.pinned ? ' pinned' : ''}`,
});

async function train(store: ModelStore, version: number, keep?: number) {
  return store.saveWeights(head(version), meta(['spam', 'ham'], version), { metrics: metrics(version), ...(keep !== undefined ? { keep } : {}) });
}

async function modelEntries(store: ModelStore): Promise<LogRecord[]> {
  return (await store.readLog()).filter((r) => r.kind === 'model');
}

afterEach(closeStores);

describe.each(STORE_FACTORIES)('ModelStore versions: %s', (_kind, create) => {
  test('every saved head is kept with its metrics, newest first, and only the newest `keep` beside the one served', async () => {
    const store = create();
    for (const version of [1, 2, 3]) expect((await train(store, version)).served).toBe(true);
    expect((await store.versions()).map((v) => [v.version, v.metrics.examples, v.metrics.loss])).toEqual([
      [3, 30, 1 / 3],
      [2, 20, 1 / 2],
      [1, 10, 1],
    ]);
    expect((await store.versions())[0]!.weights).toEqual(head(3));
    await train(store, 4, 2);
    expect((await store.versions()).map((v) => v.version)).toEqual([4, 3]);
    await expect(train(store, 5, 0)).rejects.toThrow(/keepVersions must be a whole number of versions, 1 or more, got 0/);
    expect((await store.versions()).map((v) => v.version)).toEqual([4, 3]);
    expect((await store.loadHead()).weights?.version).toBe(4);
  });

  test('serveVersion rolls back in one write with its log entry; a version not kept is refused naming the kept ones, and nothing changes', async () => {
    const store = create();
    for (const version of [1, 2, 3]) await train(store, version);
    const served = await store.serveVersion({ version: 1 }, logChange);
    expect(served.version).toBe(1);
    expect(served.weights).toEqual(head(1).weights);
    const stored = (await store.loadHead()).weights!;
    expect(stored).toEqual(served);
    // The serial grows past every head served before, so other tabs follow an older version.
    expect(stored.serial).toBe(4);
    expect((await modelEntries(store)).map((r) => r.detail)).toEqual(['from 3 to 1']);
    const before = await store.dump();
    await expect(store.serveVersion({ version: 9 }, logChange)).rejects.toThrow(/version 9 is not kept; the kept versions are 3, 2, 1/);
    expect(await store.dump()).toEqual(before);
    // A training after a rollback gets a version above every one (the meta counts them) and serves again.
    await expect(train(store, 3)).rejects.toThrow(/not newer/);
    expect((await train(store, 4)).head).toEqual({ ...head(4), serial: 5 });
    expect((await store.loadHead()).weights).toEqual({ ...head(4), serial: 5 });
  });

  test('a pinned head stays served: a save is kept as a version only, and the pinned one outlives the keep bound', async () => {
    const store = create();
    await train(store, 1);
    await train(store, 2);
    await store.serveVersion({ version: 1, pinned: true }, logChange);
    const saved = await train(store, 3, 1);
    expect(saved.served).toBe(false);
    expect(saved.head).toMatchObject({ version: 1, pinned: true });
    expect((await store.loadHead()).weights).toMatchObject({ version: 1, pinned: true });
    expect((await store.loadHead()).meta?.maxVersion).toBe(3);
    expect((await store.versions()).map((v) => v.version)).toEqual([3, 1]);
    // Kept versions never carry the pin: it belongs to what is served.
    expect((await store.versions()).every((v) => v.weights.pinned === undefined)).toBe(true);
    // A rollback keeps the pin; unpinning keeps the head and lets the next save serve.
    await store.serveVersion({ version: 3 }, logChange);
    expect((await store.loadHead()).weights).toMatchObject({ version: 3, pinned: true });
    await store.serveVersion({ version: null, pinned: false }, logChange);
    expect((await store.loadHead()).weights?.pinned).toBeUndefined();
    expect((await train(store, 4, 1)).served).toBe(true);
    expect((await store.versions()).map((v) => v.version)).toEqual([4]);
    expect((await modelEntries(store)).map((r) => r.detail)).toEqual(['from 2 to 1 pinned', 'from 1 to 3 pinned', 'from 3 to 3']);
  });

  test('clear deletes the versions; a label change rewrites them; an import keeps its head as a version, unpinned', async () => {
    const store = create();
    await store.saveMeta(meta(['spam', 'ham'], 0));
    await train(store, 1);
    await train(store, 2);
    await store.changeLabels({ kind: 'rename', from: 'spam', to: 'junk', decisionId: 'd1' }, () => ({
      kind: 'relabel',
      time: 2,
      exampleId: '',
      modelVersion: 2,
    }));
    expect((await store.versions()).map((v) => v.weights.labels)).toEqual([
      ['junk', 'ham'],
      ['junk', 'ham'],
    ]);
    await store.serveVersion({ version: 1, pinned: true }, logChange);
    await store.applyImport({ meta: meta(['junk', 'ham'], 7), examples: [], queue: [], log: [], weights: head(7, ['junk', 'ham']) });
    expect((await store.loadHead()).weights).toMatchObject({ version: 7 });
    expect((await store.loadHead()).weights?.pinned).toBeUndefined();
    expect((await store.versions()).map((v) => [v.version, v.metrics.loss])).toEqual([
      [7, null],
      [2, 1 / 2],
      [1, 1],
    ]);
    await store.clear(meta(['junk', 'ham'], 7));
    expect(await store.versions()).toEqual([]);
    await expect(store.serveVersion({ version: null, pinned: true }, logChange)).rejects.toThrow(/no trained version/);
  });
});
