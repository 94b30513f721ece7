import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Classifier } from '../src/classifier.js';
import { Engine } from '../workers/engine/engine.js';
import { classifier, closeAll, labelTickets, readDatabase, tickets, uniqueName, until } from './helpers.js';

// One worker for the whole file (a handle on another model keeps it running): each test would otherwise pay for
// starting the engine and choosing its backend. A model still goes when its last handle closes, so a reopen reads
// it from storage.
beforeAll(async () => void (await classifier({ storage: 'memory' })));
afterAll(closeAll);

/** The served head's weights, as exportModel writes them: equal bytes, equal model. */
async function servedWeights(clf: Classifier): Promise<number[]> {
  const exported = await clf.exportModel();
  return Array.from(new Float32Array(await exported.weights.arrayBuffer()));
}

const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('model versions', () => {
  test('trainings are kept with their metrics; a rollback serves the old weights, is logged, survives a reload, and another tab follows', async () => {
    const name = uniqueName('versions');
    const clf = await classifier({ name });
    const other = new Engine();
    const opened = await other.open(
      { name, labels: ['billing', 'bug', 'feature'], input: 'text', storage: 'indexeddb' },
      { backend: 'wasm', autoTrainDelayMs: 0, keepInputs: true },
    );
    try {
      await labelTickets(clf, 2);
      expect((await clf.train()).modelVersion).toBe(1);
      const first = await servedWeights(clf);
      await labelTickets(clf, 4);
      expect((await clf.train()).modelVersion).toBe(2);
      expect(await servedWeights(clf)).not.toEqual(first);

      const versions = await clf.versions();
      expect(versions.map((v) => [v.version, v.serving, v.pinned, v.metrics.examples])).toEqual([
        [2, true, false, 12],
        [1, false, false, 6],
      ]);
      expect(versions[1]!.metrics.byLabel).toEqual({ billing: 2, bug: 2, feature: 2 });
      expect(versions[0]!.metrics).toMatchObject({ start: 'zeros', featureChoice: { shortGramShare: 0 } });
      expect(versions[0]!.metrics.loss).toBeGreaterThan(0);
      expect(versions[0]!.trainedAt).toBeGreaterThanOrEqual(versions[1]!.trainedAt);
      await until(
        () => other.stats(opened.key),
        (stats) => stats.modelVersion === 2,
      );

      expect(await clf.rollback(1)).toEqual({ modelVersion: 1, pinned: null });
      expect(await servedWeights(clf)).toEqual(first);
      expect((await clf.predict(tickets.bug[5])).modelVersion).toBe(1);
      expect((await clf.stats()).modelVersion).toBe(1);
      const entry = (await clf.auditLog()).at(-1)!;
      expect(entry).toMatchObject({ kind: 'model', modelVersion: 1, detail: 'rolled back from version 2 to version 1' });
      expect((await clf.verifyLog()).ok).toBe(true);
      // The other tab serves the rolled-back head, though its version is below the one it served.
      await until(
        () => other.stats(opened.key),
        (stats) => stats.modelVersion === 1,
      );
      expect((await other.predict(opened.key, [tickets.bug[5]]))[0]!.modelVersion).toBe(1);

      // Bad input is refused with what was expected, and changes nothing.
      await expect(clf.rollback('1' as unknown as number)).rejects.toThrow(/rollback\(version\) expects a model version number .*got the string "1"/);
      await expect(clf.rollback(1.5)).rejects.toThrow(RangeError);
      await expect(clf.rollback(7)).rejects.toThrow(/Model version 7 is not kept; the kept versions are 2, 1/);
      await expect(clf.pin(undefined as unknown as null)).rejects.toThrow(TypeError);
      expect((await clf.versions()).map((v) => [v.version, v.serving])).toEqual([
        [2, false],
        [1, true],
      ]);
      expect((await clf.auditLog()).at(-1)!.id).toBe(entry.id);

      // A reopened model serves what was rolled back to.
      await clf.close();
      const reopened = await classifier({ name });
      expect((await reopened.stats()).modelVersion).toBe(1);
      expect(await servedWeights(reopened)).toEqual(first);
      // The next training numbers past every version, and serves.
      expect((await reopened.train()).modelVersion).toBe(3);
      expect((await reopened.versions()).map((v) => v.version)).toEqual([3, 2, 1]);

      // A rollback here while the other tab trains: the tabs' lock puts one after the other, whichever comes first,
      // and both tabs end up serving the head stored last.
      const [trained] = await Promise.all([other.train(opened.key, 'concurrent'), reopened.rollback(1)]);
      expect(trained.modelVersion).toBe(4);
      const stored = ((await readDatabase(name)).weights as { version: number }).version;
      expect([1, 4]).toContain(stored);
      await until(
        () => Promise.all([other.stats(opened.key), reopened.stats()]),
        (both) => both.every((stats) => stats.modelVersion === stored),
      );
    } finally {
      await other.close(opened.key, opened.handle);
    }
  });

  test('a pinned version is not replaced: train() keeps the new head as a version only, background training waits; unpinning lets it serve', async () => {
    const name = uniqueName('pin');
    const clf = await classifier({ name, storage: 'memory' });
    await labelTickets(clf, 2);
    await clf.train();
    await clf.train();
    expect(await clf.pin(1)).toEqual({ modelVersion: 1, pinned: 1 });
    expect((await clf.auditLog()).at(-1)).toMatchObject({ kind: 'model', detail: 'pinned version 1 (served instead of version 2)' });

    const trained = await clf.train();
    expect(trained).toMatchObject({ modelVersion: 3, pinned: 1 });
    expect((await clf.stats()).modelVersion).toBe(1);
    expect((await clf.versions()).map((v) => [v.version, v.serving, v.pinned])).toEqual([
      [3, false, false],
      [2, false, false],
      [1, true, true],
    ]);

    // Background training (a second handle asks for it 50 ms after a label) leaves a pinned model alone...
    const auto = await classifier({ name, storage: 'memory', autoTrain: 50 });
    await auto.label(tickets.bug[4], 'bug');
    await idle(1_000);
    expect((await clf.versions())[0]!.version).toBe(3);
    expect((await clf.stats()).modelVersion).toBe(1);
    // ...and takes over once it is unpinned.
    expect(await clf.pin(null)).toEqual({ modelVersion: 1, pinned: null });
    await auto.label(tickets.bug[5], 'bug');
    await until(
      () => clf.stats(),
      (stats) => stats.modelVersion === 4,
    );
    expect((await clf.versions()).find((v) => v.version === 4)?.metrics.examples).toBe(8);
  });

  test("auto-accept's evidence follows the version id: a rollback to a version finds its own spot checks, and no other's", async () => {
    const clf = await classifier({
      labels: ['left', 'right'],
      input: 'features',
      storage: 'memory',
      autoAccept: { maxError: 0.2, confidence: 0.8 },
      spotCheckRate: 1,
    });
    // Two separable clouds: a row's first column says its side.
    const row = (i: number) => ({
      x: [i % 2 === 0 ? -1 - (i % 7) / 10 : 1 + (i % 5) / 10, ((i * 37) % 11) / 10],
      label: i % 2 === 0 ? 'left' : 'right',
    });
    for (let i = 0; i < 12; i++) await clf.label(row(i).x, row(i).label);
    await clf.train();
    for (let i = 100; i < 105; i++) {
      const p = await clf.predict(row(i).x);
      expect(p.spotCheck).toBe(true);
      await clf.label(row(i).x, row(i).label, { predictionId: p.id });
    }
    const evidence = async () => (await clf.stats()).autoAccept!.evidence;
    expect(await evidence()).toBe(5);
    await clf.train();
    expect(await evidence()).toBe(0);
    await clf.rollback(1);
    expect(await evidence()).toBe(5);
    await clf.rollback(2);
    expect(await evidence()).toBe(0);
  });

  test('keepVersions bounds the versions kept, and is checked like every option', async () => {
    const clf = await classifier({ storage: 'memory', keepVersions: 2 });
    expect(clf.keepVersions).toBe(2);
    await labelTickets(clf, 1);
    for (let i = 0; i < 3; i++) await clf.train();
    expect((await clf.versions()).map((v) => v.version)).toEqual([3, 2]);
    await expect(classifier({ keepVersions: 0 })).rejects.toThrow(/keepVersions must be a whole number of versions, 1 or more, got 0/);
    await expect(classifier({ keepVersions: '3' as unknown as number })).rejects.toThrow(TypeError);
    await expect(classifier({ keepVersion: 3 } as never)).rejects.toThrow(/did you mean "keepVersions"/);
  });
});
