import { afterEach, describe, expect, test } from 'vitest';
import type { ClassifierChangeEvent } from '../src/classifier.js';
import type { EngineEvent, Prediction } from '../src/protocol.js';
import { classifier, closeAll, labelTickets, tickets, type TicketLabel } from './helpers.js';

afterEach(closeAll);

/** `n` distinct tickets of one label, each a known ticket with its own order number. */
function stream(label: TicketLabel, n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${tickets[label][(i + offset) % 6]} (order ${label}-${offset + i})`);
}

describe('quality', () => {
  test('agreement, confusion matrix, reliability and auto-accept share come from what people saw and decided', async () => {
    const clf = await classifier({ threshold: 0.6 });
    await labelTickets(clf, 4);
    await clf.train();
    const cases: [string, TicketLabel][] = [
      [tickets.billing[4], 'billing'],
      [tickets.bug[4], 'bug'],
      [tickets.feature[4], 'feature'],
      [tickets.billing[5], 'billing'],
      [tickets.bug[5], 'bug'],
      [tickets.feature[5], 'feature'],
      ['Please add an invoice export to the billing page', 'feature'],
    ];
    const shown: Prediction[] = [];
    for (const [text, human] of cases) {
      const p = await clf.predict(text, { shown: true, queue: false });
      shown.push(p);
      await clf.label(text, human, { predictionId: p.id, annotator: 'qa' });
    }
    // A decision that was undone does not count.
    const extra = await clf.predict('The app crashes when I pay my invoice', { shown: true, queue: false });
    const undone = await clf.label('The app crashes when I pay my invoice', 'feature', { predictionId: extra.id });
    await clf.undo(undone.decisionId);

    const q = await clf.quality();
    expect(q.decisions).toBe(cases.length);
    const agreed = cases.map(([, human], i) => shown[i]!.label === human);
    expect(q.agreement.map((a) => a.agreed)).toEqual(agreed);
    expect(q.agreement.every((a) => a.modelVersion === 1)).toBe(true);
    expect(q.agreementRate).toBeCloseTo(agreed.filter(Boolean).length / cases.length, 12);
    expect(q.confusion.labels).toEqual(['billing', 'bug', 'feature']);
    const matrix = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    cases.forEach(([, human], i) => (matrix[q.confusion.labels.indexOf(human)]![q.confusion.labels.indexOf(shown[i]!.label!)]! += 1));
    expect(q.confusion.matrix).toEqual(matrix);
    expect(q.reliability.bins).toHaveLength(10);
    expect(q.reliability.bins.reduce((s, b) => s + b.count, 0)).toBe(cases.length);
    expect(q.reliability.ece).toBeGreaterThanOrEqual(0);
    const all = [...shown, extra];
    const above = all.filter((p) => p.confidence >= 0.6).length;
    expect(q.autoAccept).toMatchObject({ predictions: all.length, aboveThreshold: above, share: above / all.length });
    expect(q.autoAccept.checked).toBe(shown.filter((p) => p.confidence >= 0.6).length);
    expect((await clf.quality({ window: 3 })).agreement).toHaveLength(3);
    await expect(clf.quality({ window: 0 })).rejects.toThrow(RangeError);
    await expect(clf.quality({ window: 'all' as never })).rejects.toThrow(TypeError);
  });

  test('drift: a stable stream is quiet; a shifted stream raises the warning with its reasons', async () => {
    const clf = await classifier({ threshold: 0.5 });
    await labelTickets(clf, 4);
    await clf.train();
    const mixed = Array.from({ length: 100 }, (_, i) => stream((['billing', 'bug', 'feature'] as const)[i % 3]!, 1, i)[0]!);
    await clf.predictBatch(mixed, { shown: true });
    const calm = (await clf.quality({ window: 50 })).drift;
    expect(calm).toMatchObject({ drifted: false, referenceSize: 50, recentSize: 50, reasons: [] });
    expect(calm.labelShift!).toBeLessThan(0.1);
    expect(calm.score!).toBeLessThan(calm.threshold);

    await clf.predictBatch(stream('bug', 50, 200), { shown: true });
    const drift = (await clf.quality({ window: 50 })).drift;
    expect(drift.drifted).toBe(true);
    expect(drift.labelShift!).toBeGreaterThan(drift.threshold);
    expect(drift.score).toBeGreaterThanOrEqual(drift.labelShift!);
    expect(drift.reasons.join('; ')).toMatch(/predicted 'bug' share 3\d% → ([6-9]\d|100)%/);
    // predictBatch with shown logs but queues nothing unless asked.
    expect(await clf.queue()).toEqual([]);
  });
});

describe('training-progress events', () => {
  test('every training, train() or in the background, reports epoch and loss to every handle', async () => {
    const clf = await classifier({ autoTrain: 50 });
    const watcher = await classifier({ name: clf.name });
    const events: Extract<EngineEvent, { type: 'training-progress' }>[] = [];
    watcher.addEventListener('change', (event) => {
      const change = (event as ClassifierChangeEvent).change;
      if (change.type === 'training-progress') events.push(change);
    });
    const updated = new Promise<void>((resolve) =>
      watcher.addEventListener('change', (event) => {
        if ((event as ClassifierChangeEvent).change.type === 'model-updated') resolve();
      }),
    );
    await labelTickets(clf, 3);
    await updated; // the background training
    const background = events.length;
    expect(background).toBeGreaterThan(0);
    await clf.train();
    // Events travel on their own channel: wait for the last epoch's, which is always sent.
    await expect.poll(() => events.at(-1)?.epoch === events.at(-1)?.epochs && events.length > background, { timeout: 10_000 }).toBe(true);
    for (const e of events) {
      expect(e.epoch).toBeGreaterThanOrEqual(1);
      expect(e.epoch).toBeLessThanOrEqual(e.epochs);
      expect(Number.isFinite(e.loss)).toBe(true);
    }
  });
});
