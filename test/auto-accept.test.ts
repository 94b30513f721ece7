import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClassifier, type Classifier } from '../src/classifier.js';
import type { Prediction } from '../src/protocol.js';
import { uniqueName, until } from './helpers.js';

/** Two well-separated clusters of numeric rows, seeded: a model learns them in one short training. */
function rows(n: number, seed: number): { x: number[]; label: 'left' | 'right' }[] {
  let s = seed;
  const random = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2 === 0 ? 'left' : 'right';
    const centre = label === 'left' ? -2 : 2;
    return { x: [centre + random() - 0.5, centre + random() - 0.5, random() - 0.5, random() - 0.5], label };
  });
}

// Loose settings so that a handful of checks is enough evidence: each grid threshold is tested at
// (1 − 0.8) / 10 = 0.02, and 0.8^n ≤ 0.02 first holds at n = 18 right checks.
const settings = { maxError: 0.2, confidence: 0.8 };

describe('autoAccept', () => {
  test('rejects bad settings with errors that name what was expected', async () => {
    const base = { name: uniqueName('aa-bad'), labels: ['a', 'b'], storage: 'memory' as const };
    await expect(createClassifier({ ...base, autoAccept: { maxError: 0, confidence: 0.9 } })).rejects.toThrow(/maxError must be in \(0, 1\), got 0/);
    await expect(createClassifier({ ...base, autoAccept: { maxError: 0.02, confidence: 1 } })).rejects.toThrow(
      /confidence must be in \(0, 1\), got 1/,
    );
    await expect(createClassifier({ ...base, autoAccept: { maxError: 0.02, confidence: 0.9 }, threshold: 0.9 })).rejects.toThrow(
      /autoAccept or threshold, not both/,
    );
    await expect(createClassifier({ ...base, spotCheckRate: 0.1 })).rejects.toThrow(/spotCheckRate only applies with autoAccept/);
    await expect(createClassifier({ ...base, autoAccept: settings, spotCheckRate: 0 })).rejects.toThrow(/spotCheckRate must be in \(0, 1\]/);
    // @ts-expect-error: a string is not a rate
    await expect(createClassifier({ ...base, autoAccept: { maxError: '2%', confidence: 0.9 } })).rejects.toThrow(TypeError);
  });

  describe('on a trained model', () => {
    let clf: Classifier;
    const name = uniqueName('aa');
    const data = rows(400, 5);
    let next = 0;
    const take = (n: number) => data.slice(next, (next += n));

    beforeAll(async () => {
      clf = await createClassifier({
        name,
        labels: ['left', 'right'],
        input: 'features',
        autoTrain: false,
        autoAccept: settings,
        spotCheckRate: 0.25,
      });
      // Before any training nothing is tested, so everything needs review.
      const untrained = await clf.predict(data[0]!.x, { shown: true, queue: false });
      expect(untrained.needsReview).toBe(true);
      expect(untrained.spotCheck).toBeUndefined();
      for (const row of take(40)) await clf.label(row.x, row.label);
      await clf.train();
    });
    afterAll(() => clf?.close());

    test('every prediction is a spot check until the evidence suffices; stats() says how many more', async () => {
      const before = (await clf.stats()).autoAccept!;
      expect(before).toMatchObject({ threshold: null, maxError: 0.2, confidence: 0.8, evidence: 0, errorUpperBound: null, suspended: false });
      expect(before.needed).toBeGreaterThanOrEqual(18);
      // Labels that answer no spot check (no predictionId) are no evidence.
      for (const row of take(5)) await clf.label(row.x, row.label);
      expect((await clf.stats()).autoAccept!.evidence).toBe(0);

      let answered = 0;
      for (const row of take(60)) {
        const p = await clf.predict(row.x, { shown: true });
        if (p.needsReview === false) break;
        expect(p).toMatchObject({ spotCheck: true, needsReview: true });
        await clf.label(row.x, row.label, { predictionId: p.id });
        answered += 1;
      }
      const after = (await clf.stats()).autoAccept!;
      expect(after.evidence).toBe(answered);
      expect(after.threshold).not.toBeNull();
      expect(after.errorUpperBound).toBeLessThanOrEqual(0.2);
      expect(after.needed).toBe(0);
      expect(answered).toBeGreaterThanOrEqual(18);
    });

    test('then lets confident predictions through, still drawing a random share as spot checks, marked in the queue and the log', async () => {
      const { threshold } = (await clf.stats()).autoAccept!;
      const seen: Prediction[] = [];
      for (const row of take(80)) seen.push(await clf.predict(row.x, { shown: true }));
      const through = seen.filter((p) => !p.needsReview);
      const spot = seen.filter((p) => p.spotCheck);
      expect(through.length).toBeGreaterThan(30);
      expect(through.every((p) => p.confidence >= threshold! && !p.spotCheck)).toBe(true);
      // About a quarter drawn (0.25); loose bounds, the draw is random.
      expect(spot.length).toBeGreaterThan(5);
      expect(spot.length).toBeLessThan(45);
      expect(spot.every((p) => p.needsReview)).toBe(true);

      const queued = await clf.queue();
      expect(queued.filter((item) => item.prediction.spotCheck).length).toBe(spot.length);
      const log = await clf.auditLog();
      const marked = new Set(log.filter((e) => e.kind === 'prediction' && e.detail === 'spot check').map((e) => e.predictionId));
      for (const p of spot) expect(marked.has(p.id)).toBe(true);
      for (const p of through) expect(marked.has(p.id)).toBe(false);

      // Coverage is the share of recent predictions let through.
      const stats = (await clf.stats()).autoAccept!;
      expect(stats.coverage).toBeGreaterThan(0);
      expect(stats.coverage).toBeLessThan(1);
    });

    test('another handle of the same model may ask per label (Mondrian): each label rests on its own checks', async () => {
      const mondrian = await createClassifier({
        name,
        labels: ['left', 'right'],
        input: 'features',
        autoTrain: false,
        autoAccept: { ...settings, perClass: true },
      });
      try {
        const pooled = (await clf.stats()).autoAccept!;
        const report = (await mondrian.stats()).autoAccept!;
        expect(Object.keys(report.perClass!)).toEqual(['left', 'right']);
        expect(report.perClass!.left!.evidence + report.perClass!.right!.evidence).toBe(pooled.evidence);
        for (const own of Object.values(report.perClass!)) {
          if (own.threshold !== null) expect(own.errorUpperBound).toBeLessThanOrEqual(0.2);
          else expect(own.needed).toBeGreaterThan(0);
        }
        expect(pooled.perClass).toBeUndefined();
      } finally {
        await mondrian.close();
      }
    });

    test('each prediction carries a conformal set; riskCoverage() gives the curve behind the threshold', async () => {
      const p = await clf.predict(data[399]!.x);
      expect(p.set).toBeDefined();
      expect(p.set!.length).toBeGreaterThanOrEqual(1);
      expect(p.set![0]).toBe(p.label);
      const curve = await clf.riskCoverage();
      expect(curve.map((c) => c.threshold)).toEqual([...curve.map((c) => c.threshold)].sort((a, b) => b - a));
      const { threshold } = (await clf.stats()).autoAccept!;
      const served = curve.find((c) => c.threshold === threshold)!;
      expect(served.passed).toBe(true);
      expect(served.upperBound).toBeLessThanOrEqual(0.2);
      expect(curve.every((c) => c.coverage >= 0 && c.coverage <= 1)).toBe(true);
      // Coverage only grows as the threshold falls.
      for (let i = 1; i < curve.length; i++) expect(curve[i]!.coverage).toBeGreaterThanOrEqual(curve[i - 1]!.coverage);
    });

    test('an undone answer is no evidence; a reload finds the evidence in the log; a new model version starts afresh', async () => {
      const before = (await clf.stats()).autoAccept!.evidence;
      // Predict fresh rows until one is drawn as a spot check.
      let drawn: { row: { x: number[]; label: string }; p: Prediction } | null = null;
      for (const row of take(60)) {
        const p = await clf.predict(row.x, { shown: true });
        if (p.spotCheck) {
          drawn = { row, p };
          break;
        }
      }
      expect(drawn).not.toBeNull();
      const decision = await clf.label(drawn!.row.x, drawn!.row.label, { predictionId: drawn!.p.id });
      expect((await clf.stats()).autoAccept!.evidence).toBe(before + 1);
      await clf.undo(decision.decisionId);
      expect((await clf.stats()).autoAccept!.evidence).toBe(before);

      await clf.close();
      clf = await createClassifier({
        name,
        labels: ['left', 'right'],
        input: 'features',
        autoTrain: false,
        autoAccept: settings,
        spotCheckRate: 0.25,
      });
      const reloaded = (await clf.stats()).autoAccept!;
      expect(reloaded.evidence).toBe(before);
      expect(reloaded.threshold).not.toBeNull();

      // The new version trained on the answers: they cannot test it.
      await clf.train();
      const retrained = (await clf.stats()).autoAccept!;
      expect(retrained).toMatchObject({ evidence: 0, threshold: null });
      expect((await clf.predict(data[398]!.x)).needsReview).toBe(true);
      await clf.reset();
    });
  });

  test('drift suspends auto-accept until fresh spot checks arrive', async () => {
    const clf = await createClassifier({
      name: uniqueName('aa-drift'),
      labels: ['left', 'right'],
      input: 'features',
      storage: 'memory',
      autoTrain: false,
      autoAccept: settings,
    });
    try {
      const data = rows(600, 21);
      for (const row of data.slice(0, 40)) await clf.label(row.x, row.label);
      await clf.train();
      for (const row of data.slice(40, 80)) {
        const p = await clf.predict(row.x, { shown: true, queue: false });
        if (p.spotCheck) await clf.label(row.x, row.label, { predictionId: p.id });
      }
      expect((await clf.stats()).autoAccept!.threshold).not.toBeNull();
      // What people see shifts from one label to the other: the log's windows of shown predictions differ.
      const left = data.slice(80).filter((r) => r.label === 'left');
      const right = data.slice(80).filter((r) => r.label === 'right');
      for (const row of [...left.slice(0, 150), ...right.slice(0, 150)]) await clf.predict(row.x, { shown: true, queue: false });
      const suspended = await until(
        async () => (await clf.stats()).autoAccept!,
        (report) => report.suspended,
      );
      expect(suspended).toMatchObject({ threshold: null, evidence: 0 });
      expect(suspended.needed).toBeGreaterThan(0);
      const p = await clf.predict(right[200]!.x);
      expect(p).toMatchObject({ needsReview: true, spotCheck: true });
    } finally {
      await clf.close();
    }
  });

  test('without autoAccept nothing changes: no spot checks, no sets, no report', async () => {
    const clf = await createClassifier({
      name: uniqueName('aa-off'),
      labels: ['left', 'right'],
      input: 'features',
      autoTrain: false,
      storage: 'memory',
    });
    try {
      for (const row of rows(20, 9)) await clf.label(row.x, row.label);
      await clf.train();
      const p = await clf.predict([2, 2, 0, 0], { shown: true });
      expect(p.spotCheck).toBeUndefined();
      expect(p.set).toBeUndefined();
      expect('review' in p).toBe(false);
      expect(p.needsReview).toBe(p.confidence < 0.8);
      expect((await clf.stats()).autoAccept).toBeUndefined();
      await expect(clf.riskCoverage()).rejects.toThrow(/needs a classifier created with autoAccept/);
    } finally {
      await clf.close();
    }
  });
});
