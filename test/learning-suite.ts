import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createClassifier, type Classifier, type ClassifierChangeEvent } from '../src/classifier.js';
import type { BackendRequest } from '../src/protocol.js';
import { classifier, closeAll, labelTickets, tickets, uniqueName } from './helpers.js';
import { SHAPES, draw } from './shapes.js';

/**
 * The learning behaviour every backend must show: review strategies, adding a class, calibration, instant
 * corrections, images. Run by learning.test.ts (the fallback chosen by 'auto' without a GPU) and by
 * learning.webgpu.test.ts (forced WebGPU, in the chromium-webgpu project).
 */
export function describeLearning(backend: BackendRequest): void {
  // One handle open for the whole file keeps the worker, and the kernels its backend compiled, alive between
  // tests: a fresh worker per test recompiles every WebGPU shader, which on a software adapter is most of the time.
  let keeper: Classifier | undefined;
  beforeAll(async () => {
    keeper = await createClassifier({ name: uniqueName('keeper'), labels: ['a', 'b'], backend, storage: 'memory', autoTrain: false });
  });
  afterAll(() => keeper?.close());
  afterEach(closeAll);

  test(`runs on the backend asked for (${backend})`, async () => {
    const clf = await classifier({ backend, storage: 'memory' });
    if (backend === 'auto') expect(['webgpu', 'wasm', 'webgl', 'cpu']).toContain(clf.backend);
    else expect(clf.backend).toBe(backend);
    expect((await clf.stats()).backend).toBe(clf.backend);
  });

  describe('selectForReview strategies', () => {
    test.each(['least-confidence', 'margin', 'entropy', 'diverse'] as const)('%s returns k distinct pool indices', async (strategy) => {
      const clf = await classifier({ backend, storage: 'memory' });
      await labelTickets(clf, 3);
      await clf.train();
      const pool = [...tickets.bug, ...tickets.billing, 'hello', 'is this a bug or a billing thing?'];
      const picked = await clf.selectForReview(pool, 4, { strategy });
      expect(picked).toHaveLength(4);
      expect(new Set(picked).size).toBe(4);
      for (const index of picked) {
        expect(index).toBeGreaterThanOrEqual(0);
        expect(index).toBeLessThan(pool.length);
      }
    });

    test('margin ranks by the gap between the two most probable labels', async () => {
      const clf = await classifier({ backend, storage: 'memory' });
      await labelTickets(clf, 3);
      await clf.train();
      const pool = [...tickets.bug.slice(3), ...tickets.feature.slice(3), 'the invoice export crashes', 'please add billing'];
      const picked = await clf.selectForReview(pool, pool.length, { strategy: 'margin' });
      const gaps = (await clf.predictBatch(pool)).map((p) => {
        const [a, b] = Object.values(p.scores).sort((x, y) => y - x);
        return a! - b!;
      });
      for (let i = 1; i < picked.length; i++) expect(gaps[picked[i - 1]!]!).toBeLessThanOrEqual(gaps[picked[i]!]! + 1e-12);
    });

    test('diverse does not spend a batch on near-copies of one uncertain item', async () => {
      const clf = await classifier({ backend, storage: 'memory' });
      await labelTickets(clf, 3);
      await clf.train();
      // Copies of whichever of these the model is least sure about: the most uncertain item, six times over.
      const candidates = [
        'the billing page crashes when I add a feature request',
        'refund for the crash',
        'please add an invoice export',
        'the new dashboard is slow',
      ];
      const margins = (await clf.predictBatch(candidates)).map((p) => {
        const [a, b] = Object.values(p.scores).sort((x, y) => y - x);
        return a! - b!;
      });
      const base = candidates[margins.indexOf(Math.min(...margins))]!;
      const copies = Array.from({ length: 6 }, (_, i) => `${base} ${'!'.repeat(i + 1)}`);
      const others = ['my account is locked after the update', 'dark mode please', 'export to pdf fails', 'thanks for the quick reply'].filter(
        (t) => t !== base,
      );
      const pool = [...copies, ...others];
      const margin = await clf.selectForReview(pool, 4, { strategy: 'margin' });
      const diverse = await clf.selectForReview(pool, 4, { strategy: 'diverse' });
      const copiesIn = (picked: number[]) => picked.filter((i) => i < copies.length).length;
      expect(copiesIn(margin)).toBeGreaterThan(1);
      expect(copiesIn(diverse)).toBeLessThanOrEqual(1);
    });

    test('rejects an unknown strategy', async () => {
      const clf = await classifier({ backend, storage: 'memory' });
      await expect(clf.selectForReview(['a'], 1, { strategy: 'random' as never })).rejects.toThrow(
        /strategy must be one of 'least-confidence' \| 'margin' \| 'entropy' \| 'diverse'/,
      );
    });
  });

  describe('addLabel', () => {
    test('adds a class to a live model without losing the others', async () => {
      const clf = await classifier({ backend, storage: 'memory' });
      const other = await classifier({ backend, name: clf.name, storage: 'memory' });
      await labelTickets(clf, 3);
      await clf.train();
      const before = await clf.predict(tickets.bug[4]);
      const changed = new Promise<string[]>((resolve) =>
        other.addEventListener('change', (event) => {
          const { change } = event as ClassifierChangeEvent;
          if (change.type === 'labels-changed') resolve(change.labels);
        }),
      );
      expect(await clf.addLabel('account')).toEqual(['billing', 'bug', 'feature', 'account']);
      expect(await changed).toEqual(['billing', 'bug', 'feature', 'account']);
      // The trained head still answers for the old classes; the new one has a score until it is trained.
      const after = await clf.predict(tickets.bug[4]);
      expect(after.label).toBe(before.label);
      expect(Object.keys(after.scores)).toEqual(['billing', 'bug', 'feature', 'account']);
      // Another handle on the same model can use the new label at once.
      await other.label('I cannot log in to my account', 'account');
      await other.label('Please delete my account', 'account');
      await other.label('How do I change the account owner', 'account');
      expect((await clf.predict('I cannot log in to my account')).label).toBe('account');
      await clf.train();
      expect((await clf.predict('my account password reset does not arrive')).label).toBe('account');
      expect((await clf.stats()).byLabel).toEqual({ billing: 3, bug: 3, feature: 3, account: 3 });
      await expect(clf.addLabel('bug')).rejects.toThrow(/already has the label "bug"/);
      await expect(clf.addLabel('')).rejects.toThrow(RangeError);
    });
  });

  describe('calibration', () => {
    test('training with enough labels fits a temperature on held-out labels and reports ECE', async () => {
      const clf = await classifier({ backend, storage: 'memory', labels: ['low', 'high'], input: 'features' });
      expect((await clf.stats()).calibration).toBeNull();
      // Overlapping classes: an honest model cannot be sure near the boundary.
      let seed = 7;
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      for (let i = 0; i < 80; i++) {
        const label = i % 2 === 0 ? 'low' : 'high';
        const centre = label === 'low' ? 0 : 1;
        await clf.label([centre + (random() - 0.5) * 2.2, random()], label);
      }
      await clf.train();
      const { calibration } = await clf.stats();
      expect(calibration).not.toBeNull();
      // Below 150 labels every label is held out once (five folds), not a fifth of them.
      expect(calibration!.heldOut).toBe(80);
      expect(calibration!.temperature).toBeGreaterThan(0);
      expect(calibration!.voteWeight).toBeGreaterThanOrEqual(0);
      expect(calibration!.voteWeight).toBeLessThanOrEqual(0.75);
      for (const ece of [calibration!.eceBefore, calibration!.eceAfter]) expect(ece).toBeGreaterThanOrEqual(0);
      const near = await clf.predict([0.5, 0.5]);
      expect(near.confidence).toBeLessThan(0.9);
      // Confidence means what it says on fresh rows from the same distribution (a fixed seed: the same rows every run).
      const rows = Array.from({ length: 300 }, (_, i) => {
        const label = i % 2 === 0 ? 'low' : 'high';
        return { label, x: [(label === 'low' ? 0 : 1) + (random() - 0.5) * 2.2, random()] };
      });
      const predictions = await clf.predictBatch(rows.map((r) => r.x));
      const sure = predictions.map((p, i) => ({ p, right: p.label === rows[i]!.label })).filter(({ p }) => p.confidence >= 0.8);
      expect(sure.length).toBeGreaterThan(30);
      expect(sure.filter((s) => s.right).length / sure.length).toBeGreaterThanOrEqual(0.8);
      const bins = Array.from({ length: 10 }, () => ({ n: 0, right: 0, confidence: 0 }));
      predictions.forEach((p, i) => {
        const bin = bins[Math.min(9, Math.floor(p.confidence * 10))]!;
        bin.n += 1;
        bin.confidence += p.confidence;
        bin.right += Number(p.label === rows[i]!.label);
      });
      const ece = bins.reduce((sum, b) => (b.n ? sum + (b.n / rows.length) * Math.abs(b.right / b.n - b.confidence / b.n) : sum), 0);
      // 80 held-out labels fix the temperature only roughly; the benchmark checks ECE ≤ 0.05 with hundreds.
      expect(ece).toBeLessThan(0.15);
    });
  });

  describe('instant corrections', () => {
    test('a correction flips the corrected input and its near-duplicates', async () => {
      const clf = await classifier({ backend, storage: 'memory' });
      await labelTickets(clf, 5);
      await clf.train();
      const text = 'I would love an invoice history page with every charge listed';
      const predicted = (await clf.predict(text)).label!;
      const corrected = clf.labels.find((label) => label !== predicted)!;
      await clf.label(text, corrected);
      expect((await clf.predict(text)).label).toBe(corrected);
      const nearDuplicates = [
        'I would love an invoice history page with every charge listed!',
        'i would love an invoice history page with every charge listed',
        'I would love an invoice history page with every charge listed, please',
      ];
      for (const near of nearDuplicates) expect((await clf.predict(near)).label).toBe(corrected);
    });
  });

  describe('images', () => {
    test('learns shapes from a few labelled pictures and corrects at once', async () => {
      const clf = await classifier({ backend, storage: 'memory', input: 'image', labels: [...SHAPES] });
      for (let seed = 0; seed < 8; seed++) for (const shape of SHAPES) await clf.label(draw(shape, seed), shape);
      await clf.train();
      const held = SHAPES.flatMap((shape) => [20, 21, 22, 23].map((seed) => ({ shape, canvas: draw(shape, seed) })));
      const predictions = await clf.predictBatch(held.map((h) => h.canvas));
      const correct = predictions.filter((p, i) => p.label === held[i]!.shape).length;
      expect(correct / held.length).toBeGreaterThanOrEqual(0.75);
      const right = held.find((_, i) => predictions[i]!.label === held[i]!.shape)!;
      const other = SHAPES.find((s) => s !== right.shape)!;
      await clf.label(right.canvas, other);
      expect((await clf.predict(right.canvas)).label).toBe(other);
    });
  });
}
