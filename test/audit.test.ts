import { openDB } from 'idb';
import { afterEach, describe, expect, test } from 'vitest';
import { IndexedDbStore as V1Store } from './fixtures/storage-v1.js';
import { classifier, closeAll, labelTickets, readDatabase, tickets, uniqueName } from './helpers.js';

afterEach(closeAll);

/** Every record of every store of a model's database, as one string: what a person with devtools could read. */
async function everythingStored(model: string): Promise<string> {
  const db = await openDB(`hitl-classifier:${model}`);
  try {
    const parts: string[] = [];
    for (const store of Array.from(db.objectStoreNames)) {
      for (const record of await db.getAll(store as never)) {
        parts.push(JSON.stringify(record, (_key, value: unknown) => (ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value)));
      }
    }
    return parts.join('\n');
  } finally {
    db.close();
  }
}

describe('audit log', () => {
  test('records predictions people saw and every decision, with input, versions, annotator and ids', async () => {
    const name = uniqueName('audit');
    const clf = await classifier({ name });
    await labelTickets(clf, 2);
    await clf.train();
    const text = 'I was charged twice, please refund';
    const seen = await clf.predict(text, { shown: true, queue: false });
    await clf.predict('a silent prediction nobody saw', { queue: false });
    await clf.predictBatch([tickets.bug[3], tickets.feature[3]]);
    const other = clf.labels.find((l) => l !== seen.label)!;
    const decision = await clf.label(text, other, { predictionId: seen.id, annotator: 'ana' });
    expect(typeof decision.decisionId).toBe('string');

    const log = await clf.auditLog();
    // 6 labels from labelTickets, one shown prediction, one correction; the silent and batch predictions are absent.
    expect(log.map((e) => e.kind)).toEqual(['decision', 'decision', 'decision', 'decision', 'decision', 'decision', 'prediction', 'decision']);
    const [prediction, correction] = log.slice(-2);
    expect(prediction).toMatchObject({
      kind: 'prediction',
      input: text,
      predictionId: seen.id,
      predicted: seen.label,
      modelVersion: 1,
    });
    expect(prediction!.confidence).toBeCloseTo(seen.confidence, 6);
    expect(prediction!.inputHash).toBe(decision.exampleId);
    expect(correction).toMatchObject({
      kind: 'decision',
      input: text,
      inputHash: decision.exampleId,
      human: other,
      predicted: seen.label,
      action: 'correct',
      annotator: 'ana',
      predictionId: seen.id,
      decisionId: decision.decisionId,
      modelVersion: 1,
    });
    expect(correction!.time).toBeGreaterThanOrEqual(prediction!.time);
    expect(log.map((e) => e.id)).toEqual([...log.map((e) => e.id)].sort((a, b) => a - b));

    // An accept is inferred from the prediction shown; an explicit action wins.
    const again = await clf.predict(tickets.bug[5], { shown: true });
    await clf.label(tickets.bug[5], again.label!, { predictionId: again.id });
    const picked = await clf.predict(tickets.billing[5], { shown: true });
    await clf.label(tickets.billing[5], 'billing', { predictionId: picked.id, action: 'reject' });
    const tail = await clf.auditLog({ limit: 4 });
    expect(tail.map((e) => [e.kind, e.action])).toEqual([
      ['prediction', undefined],
      ['decision', 'accept'],
      ['prediction', undefined],
      ['decision', 'reject'],
    ]);
    expect(await clf.auditLog({ since: Date.now() + 60_000 })).toEqual([]);
    await expect(clf.auditLog({ limit: -1 })).rejects.toThrow(RangeError);
    await expect(clf.label(text, 'bug', { action: 'approve' as never })).rejects.toThrow(/action must be one of 'accept' \| 'correct' \| 'reject'/);

    // The log is in IndexedDB, readable without the library.
    const stored = await readDatabase(name);
    expect(stored.log.filter((r) => r.kind === 'prediction')).toHaveLength(3);
  });

  test('an image model logs the picture size only, never its pixels', async () => {
    const name = uniqueName('audit-image');
    const clf = await classifier({ name, input: 'image', labels: ['dark', 'light'] });
    const pixels = new ImageData(40, 40);
    pixels.data.fill(200);
    const p = await clf.predict(pixels, { shown: true });
    await clf.label(pixels, 'light', { predictionId: p.id });
    const log = await clf.auditLog();
    expect(log).toHaveLength(2);
    for (const entry of log) {
      expect(entry.input).toEqual({ width: 28, height: 28 });
      expect(entry.input).not.toHaveProperty('data');
    }
    const stored = await readDatabase(name);
    for (const record of stored.log) expect(Object.keys(record.input as object).sort()).toEqual(['height', 'width']);
  });
});

describe('keepInputs: false', () => {
  test('stores features and hashes only, never the raw text, and the examples still train after a reload', async () => {
    const name = uniqueName('private');
    const clf = await classifier({ name, keepInputs: false, threshold: 0.99 });
    expect(clf.keepInputs).toBe(false);
    await labelTickets(clf, 4);
    const secret = 'Confidential: the merger with Initech closes Friday';
    const p = await clf.predict(secret, { shown: true });
    expect(p.needsReview).toBe(true);
    const memo = 'Another confidential memo about Initech';
    await clf.enqueue(memo);
    const queued = await clf.queue();
    expect(queued.length).toBeGreaterThanOrEqual(2);
    for (const item of queued) expect(item.input).toBeUndefined();
    // With no input on the page side, a review UI labels by item id.
    await clf.labelQueued(queued[0]!.id, 'feature', { annotator: 'ana' });

    const everything = await everythingStored(name);
    for (const text of [secret, 'Initech', 'confidential', ...Object.values(tickets).flatMap((t) => t.slice(0, 4))]) {
      expect(everything.toLowerCase()).not.toContain(text.toLowerCase());
    }
    const stored = await readDatabase(name);
    expect(stored.examples).toHaveLength(13);
    for (const example of stored.examples) {
      expect(example.input).toBeUndefined();
      expect(example.vector).toBeDefined();
    }
    const log = await clf.auditLog();
    expect(log.every((e) => e.input === undefined && /^t-[0-9a-f]{32}$/.test(e.inputHash))).toBe(true);

    // A twin that keeps its inputs, given the same labels in the same order, is the reference model.
    const twin = await classifier({ name: uniqueName('twin'), storage: 'memory' });
    await labelTickets(twin, 4);
    const first = await twin.label(secret, 'feature');
    if (first.exampleId !== queued[0]!.id) {
      await twin.undo(first.decisionId);
      await twin.label(memo, 'feature');
    }
    await twin.train();
    const held = [tickets.billing[5], tickets.bug[5], tickets.feature[5], 'Refund the crash', 'Add an export button'];
    const reference = await twin.predictBatch(held);

    // Reload: close every handle, reopen, retrain from the stored vectors alone: the same model as the twin's.
    await closeAll();
    const again = await classifier({ name, keepInputs: false });
    expect((await again.stats()).examples).toBe(13);
    expect((await again.train()).examples).toBe(13);
    const predictions = await again.predictBatch(held);
    predictions.forEach((q, i) => {
      expect(q.label).toBe(reference[i]!.label);
      expect(q.confidence).toBeCloseTo(reference[i]!.confidence, 5);
    });
    expect((await again.predict(tickets.bug[0])).label).toBe('bug');
  });

  test('a features model with keepInputs false keeps the row as its vector (what training needs) but logs no input', async () => {
    const name = uniqueName('private-rows');
    const clf = await classifier({ name, input: 'features', labels: ['low', 'high'], keepInputs: false });
    const p = await clf.predict([1, 2, 3], { shown: true });
    await clf.label([1, 2, 3], 'low', { predictionId: p.id });
    const stored = await readDatabase(name);
    expect(stored.examples[0]!.input).toBeUndefined();
    expect(Array.from(stored.examples[0]!.vector as Float32Array)).toEqual([1, 2, 3]);
    expect(stored.log.every((r) => r.input === undefined)).toBe(true);
  });

  test('rejects a keepInputs that is not a boolean', async () => {
    await expect(classifier({ keepInputs: 'no' as never })).rejects.toThrow(/keepInputs must be a boolean/);
  });
});

describe('schema upgrade', () => {
  test('a database written by the v1 storage code opens at the current schema (v5) with every example, weight and log record kept', async () => {
    const name = uniqueName('v1');
    const v1 = new V1Store(name);
    const labels = ['billing', 'bug', 'feature'];
    const meta = { name, labels, input: 'text' as const, featureDim: null, maxVersion: 3, featurizer: 'hashed-ngrams-v1', createdAt: 1 };
    await v1.saveMeta(meta);
    const v1Examples = [
      { text: tickets.billing[0], label: 'billing' },
      { text: tickets.bug[0], label: 'bug' },
      { text: tickets.feature[0], label: 'feature' },
    ];
    // Ids as v1 computed them: the same hash the current code computes, so labels still match their inputs.
    const { inputId } = await import('../workers/audit/input-id.js');
    for (const [i, e] of v1Examples.entries()) {
      const id = await inputId('text', e.text);
      await v1.saveExample(
        { id, input: e.text, label: e.label, annotator: 'v1-user', time: 1000 + i, seq: i },
        {
          kind: 'label',
          time: 1000 + i,
          exampleId: id,
          label: e.label,
          annotator: 'v1-user',
          modelVersion: 3,
          predicted: { label: 'bug', confidence: 0.6, modelVersion: 3 },
        },
      );
    }
    // A head that says 'feature' for everything, so the test can tell it was loaded.
    const dim = 1 << 14;
    const bias = Float32Array.from([0, 0, 5]);
    await v1.saveWeights(
      { version: 3, labels, inputDim: dim, weights: new Float32Array(dim * 3), bias, examples: 3, savedAt: 2, backend: 'cpu' },
      meta,
    );
    v1.close();
    const before = await readDatabase(name);
    expect(before.log).toHaveLength(3);

    const clf = await classifier({ name, labels });
    expect(await clf.stats()).toMatchObject({ examples: 3, modelVersion: 3 });
    expect(await clf.getLabel(tickets.bug[0])).toMatchObject({ label: 'bug', annotator: 'v1-user' });
    expect((await clf.predict('something unrelated to anything', { queue: false })).label).toBe('feature');

    const log = await clf.auditLog();
    expect(log).toHaveLength(3);
    expect(log[0]).toMatchObject({
      kind: 'decision',
      human: 'billing',
      predicted: 'bug',
      confidence: 0.6,
      annotator: 'v1-user',
      modelVersion: 3,
      time: 1000,
    });
    expect(log[0]!.decisionId).toBeUndefined();

    // The new stores work on the upgraded database, and the old records are byte-for-byte still there.
    await clf.predict('completely new question', { shown: true });
    expect((await clf.auditLog()).at(-1)).toMatchObject({ kind: 'prediction', input: 'completely new question', predicted: 'feature' });
    await clf.enqueue('please review me');
    expect((await clf.queue()).map((q) => q.input)).toContain('please review me');
    const decision = await clf.label(tickets.billing[1], 'billing');
    await clf.undo(decision.decisionId);
    expect((await clf.stats()).examples).toBe(3);
    const after = await readDatabase(name);
    expect(after.examples).toEqual(before.examples);
    expect(after.weights).toEqual(before.weights);
    // Kept as they were, and chained on open (issue 18): each v1 entry gains its link and its hash, nothing else.
    expect(after.log.slice(0, 3).map(({ prev: _prev, hash: _hash, ...entry }) => entry)).toEqual(before.log);
    expect(after.log.slice(0, 3).every((entry) => typeof entry.hash === 'string')).toBe(true);
    expect((await clf.verifyLog()).ok).toBe(true);
    const db = await openDB(`hitl-classifier:${name}`);
    // Upgraded step by step: v2's queue and log indexes, v3's embedding cache, v4's ranker stores, then v5's versions.
    expect(db.version).toBe(5);
    expect(Array.from(db.objectStoreNames).sort()).toEqual([
      'comparisons',
      'embeddings',
      'examples',
      'log',
      'meta',
      'queue',
      'rankerLog',
      'versions',
      'weights',
    ]);
    db.close();
    // The head stored before versions existed is the first kept version, with what its record tells.
    expect(await clf.versions()).toEqual([
      {
        version: 3,
        trainedAt: 2,
        serving: true,
        pinned: false,
        metrics: { examples: 3, byLabel: {}, start: 'zeros', loss: null, heldOut: null, featureChoice: null, ms: null, backend: 'cpu' },
      },
    ]);

    // A v1 decision has no earlier state recorded: undo says so instead of guessing.
    const v1Decision = (await readDatabase(name)).log[0]!;
    expect(v1Decision.decisionId).toBeUndefined();
    await expect(clf.undo('not-a-decision')).rejects.toThrow(RangeError);
  });
});
