import { afterEach, describe, expect, test } from 'vitest';
import type { ClassifierChangeEvent } from '../src/classifier.js';
import '../src/components/hitl-classifier/hitl-classifier.js';
import type { HitlClassifier } from '../src/components/hitl-classifier/hitl-classifier.js';
import type { EngineEvent } from '../src/protocol.js';
import { classifier, closeAll, labelTickets, onCleanup, runCleanups, stage, tickets, until, type TicketLabel } from './helpers.js';

// Issue 18, item 6: the log records what a person saw, once, and drift is pushed by the engine.

afterEach(closeAll);
afterEach(runCleanups);

const shownEntries = async (clf: Awaited<ReturnType<typeof classifier>>) => (await clf.auditLog()).filter((e) => e.kind === 'prediction');

describe('shown predictions', () => {
  test('predicting a shown input again under the same model version is not a new entry; a new version is', async () => {
    const clf = await classifier();
    await labelTickets(clf, 2);
    await clf.predict(tickets.bug[4], { shown: true });
    await clf.predict(tickets.bug[4], { shown: true });
    await clf.predictBatch([tickets.bug[4], tickets.feature[4]], { shown: true });
    expect((await shownEntries(clf)).map((e) => e.inputHash)).toHaveLength(2);
    await clf.train();
    await clf.predict(tickets.bug[4], { shown: true });
    const shown = await shownEntries(clf);
    expect(shown).toHaveLength(3);
    expect(shown.at(-1)!.modelVersion).toBe(1);
  });

  test('a page of 50 tags writes about 50 entries for one label and one retrain, not 50 per change', async () => {
    const clf = await classifier();
    await labelTickets(clf, 2);
    const container = stage();
    const texts = Array.from({ length: 50 }, (_, i) => `${tickets.billing[i % 6]} (ticket ${i})`);
    const tags = texts.map((text) => {
      const tag = document.createElement('hitl-classifier') as HitlClassifier;
      tag.setAttribute('model', clf.name);
      tag.setAttribute('labels', clf.labels.join(','));
      tag.setAttribute('storage', 'indexeddb');
      tag.textContent = text;
      container.append(tag);
      return tag;
    });
    onCleanup(() => container.remove());
    await until(
      () => tags.every((tag) => tag.prediction !== null),
      (ready) => ready,
    );
    const before = (await clf.auditLog()).length;

    await clf.label(texts[0]!, 'billing');
    const { modelVersion } = await clf.train();
    await until(
      () => tags.every((tag) => tag.prediction?.modelVersion === modelVersion),
      (ready) => ready,
    );
    const written = (await clf.auditLog()).length - before;
    // The decision, then each tag's prediction under the new version; re-predictions after the label are not new.
    expect(written).toBeGreaterThanOrEqual(51);
    expect(written).toBeLessThanOrEqual(55);
  });
});

describe('drift', () => {
  test('the engine pushes a drift change when a shifted stream of shown predictions starts drifting', async () => {
    const clf = await classifier({ threshold: 0.5 });
    await labelTickets(clf, 4);
    await clf.train();
    const changes: Extract<EngineEvent, { type: 'drift' }>[] = [];
    clf.addEventListener('change', (event) => {
      const change = (event as ClassifierChangeEvent).change;
      if (change.type === 'drift') changes.push(change);
    });
    const labels: TicketLabel[] = ['billing', 'bug', 'feature'];
    const text = (label: TicketLabel, i: number) => `${tickets[label][i % 6]} (order ${label}-${i})`;
    await clf.predictBatch(
      Array.from({ length: 100 }, (_, i) => text(labels[i % 3]!, i)),
      { shown: true },
    );
    await clf.predictBatch(
      Array.from({ length: 50 }, (_, i) => text('bug', 200 + i)),
      { shown: true },
    );
    const [change] = await until(
      () => changes,
      (seen) => seen.length > 0,
    );
    expect(change).toMatchObject({ drifted: true, report: { drifted: true } });
    expect(change!.report.reasons.join('; ')).toMatch(/predicted 'bug' share/);
  });
});
