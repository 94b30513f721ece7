import { afterEach, expect, test } from 'vitest';
import { classifier, closeAll, tickets } from './helpers.js';

// Issue 18, item 4: agreement between people, from the decisions in the log.

afterEach(closeAll);

test('agreement(): counts per annotator, Cohen’s κ per pair, Fleiss’ κ, and the conflicts; undone decisions do not count', async () => {
  const clf = await classifier({ labels: ['billing', 'bug'] });
  const items = [tickets.billing[0], tickets.bug[0], tickets.bug[1], tickets.billing[1]];
  const ana = ['billing', 'bug', 'bug', 'billing'];
  const bo = ['billing', 'bug', 'billing', 'billing'];
  for (const [i, text] of items.entries()) await clf.label(text, ana[i]!, { annotator: 'ana' });
  for (const [i, text] of items.entries()) await clf.label(text, bo[i]!, { annotator: 'bo' });
  // A third person's decision, undone: as if it never happened.
  const undone = await clf.label(items[0]!, 'bug', { annotator: 'cy' });
  await clf.undo(undone.decisionId);

  const report = await clf.agreement();
  expect(report.annotators).toEqual([
    { annotator: 'ana', decisions: 4 },
    { annotator: 'bo', decisions: 4 },
  ]);
  // Agreement 3 of 4; chance 0.5 · 0.75 + 0.5 · 0.25 = 0.5, so κ = (0.75 − 0.5) / (1 − 0.5).
  expect(report.pairs).toEqual([{ annotators: ['ana', 'bo'], shared: 4, agreement: 0.75, kappa: 0.5 }]);
  // Per item agreeing pairs 1, 1, 0, 1 → 0.75; chance (5/8)² + (3/8)² = 34/64.
  expect(report.fleiss.items).toBe(4);
  expect(report.fleiss.kappa).toBeCloseTo((0.75 - 34 / 64) / (1 - 34 / 64), 12);
  expect(report.conflicts).toHaveLength(1);
  expect(report.conflicts[0]!.labels.map(({ annotator, label }) => [annotator, label])).toEqual([
    ['ana', 'bug'],
    ['bo', 'billing'],
  ]);
  // The conflict is the third input, the one ana and bo label differently.
  const decisions = (await clf.auditLog()).filter((e) => e.kind === 'decision' && e.annotator === 'ana');
  expect(report.conflicts[0]!.inputHash).toBe(decisions[2]!.inputHash);
});

test('agreement() with one annotator has no pairs and no κ; decisions without an annotator count as one anonymous person', async () => {
  const clf = await classifier({ labels: ['billing', 'bug'] });
  await clf.label(tickets.billing[0], 'billing');
  await clf.label(tickets.bug[0], 'bug');
  const report = await clf.agreement();
  expect(report).toEqual({ annotators: [{ annotator: '', decisions: 2 }], pairs: [], fleiss: { kappa: null, items: 0 }, conflicts: [], settled: [] });
});

test('an adjudication settles a conflict: the log keeps all three decisions, κ and the counts stay the annotators’ own', async () => {
  const clf = await classifier({ labels: ['billing', 'bug'] });
  const items = [tickets.billing[0], tickets.bug[0], tickets.bug[1], tickets.billing[1]];
  const ana = ['billing', 'bug', 'bug', 'billing'];
  const bo = ['billing', 'bug', 'billing', 'billing'];
  for (const [i, text] of items.entries()) await clf.label(text, ana[i]!, { annotator: 'ana' });
  for (const [i, text] of items.entries()) await clf.label(text, bo[i]!, { annotator: 'bo' });
  const before = await clf.agreement();
  expect(before.conflicts).toHaveLength(1);
  expect(before.settled).toEqual([]);
  const [conflict] = before.conflicts;
  // The model keeps inputs by default: the conflict shows what was disagreed about.
  expect(conflict!.input).toBe(items[2]);

  // Settling needs a stored example and a known label.
  await expect(clf.adjudicate('0'.repeat(64), 'bug', { annotator: 'cy' })).rejects.toThrow(/No labelled example has the id/);
  await expect(clf.adjudicate(conflict!.inputHash, 'refund', { annotator: 'cy' })).rejects.toThrow(/refund/);

  const result = await clf.adjudicate(conflict!.inputHash, 'bug', { annotator: 'cy' });
  expect(result.exampleId).toBe(conflict!.inputHash);
  const after = await clf.agreement();
  expect(after.conflicts).toEqual([]);
  expect(after.settled).toEqual([
    {
      inputHash: conflict!.inputHash,
      labels: conflict!.labels,
      adjudication: { annotator: 'cy', label: 'bug', time: expect.any(Number), decisionId: result.decisionId },
    },
  ]);
  // The adjudicator is not a third annotator: the same counts, pairs and κ as before.
  expect(after.annotators).toEqual(before.annotators);
  expect(after.pairs).toEqual(before.pairs);
  expect(after.fleiss).toEqual(before.fleiss);
  // The example now carries the settled label; the log holds every decision on it, the adjudication last.
  expect(await clf.getLabel(items[2]!)).toMatchObject({ label: 'bug', annotator: 'cy' });
  const decisions = (await clf.auditLog()).filter((e) => e.kind === 'decision' && e.inputHash === conflict!.inputHash);
  expect(decisions.map((e) => [e.annotator, e.human, e.action ?? null])).toEqual([
    ['ana', 'bug', null],
    ['bo', 'billing', null],
    ['cy', 'bug', 'adjudicate'],
  ]);

  // An annotator's label given after the adjudication opens the conflict again; undoing it settles it once more.
  const again = await clf.label(items[2]!, 'billing', { annotator: 'bo' });
  expect((await clf.agreement()).conflicts.map((c) => c.inputHash)).toEqual([conflict!.inputHash]);
  await clf.undo(again.decisionId);
  expect((await clf.agreement()).settled.map((c) => c.inputHash)).toEqual([conflict!.inputHash]);
});

test('importing another device’s export reports agreement on the inputs both labelled', async () => {
  const here = await classifier({ labels: ['billing', 'bug', 'feature'] });
  const there = await classifier({ labels: ['billing', 'bug', 'feature'] });
  // Six inputs both label (they differ on two), two only here, three only there.
  const shared = [tickets.billing[0], tickets.billing[1], tickets.bug[0], tickets.bug[1], tickets.feature[0], tickets.feature[1]];
  const anaLabels = ['billing', 'billing', 'bug', 'bug', 'feature', 'feature'];
  const boLabels = ['billing', 'bug', 'bug', 'bug', 'feature', 'billing'];
  for (const [i, text] of shared.entries()) await here.label(text, anaLabels[i]!, { annotator: 'ana' });
  for (const text of [tickets.billing[2], tickets.bug[2]]) await here.label(text, text === tickets.bug[2] ? 'bug' : 'billing', { annotator: 'ana' });
  for (const [i, text] of shared.entries()) await there.label(text, boLabels[i]!, { annotator: 'bo' });
  for (const text of [tickets.feature[3], tickets.feature[4], tickets.bug[4]])
    await there.label(text, text === tickets.bug[4] ? 'bug' : 'feature', { annotator: 'bo' });

  const result = await here.import(await there.export());
  expect(result.examples).toBe(9);
  expect(result.overlap).toBe(6);
  // Over the overlap: agreement 4/6; ana's marginals 2/6 each, bo's billing 2/6, bug 3/6, feature 1/6,
  // so chance = (2·2 + 2·3 + 2·1) / 36 = 1/3 and κ = (2/3 − 1/3) / (1 − 1/3) = 0.5.
  expect(result.agreement.annotators).toEqual([
    { annotator: 'ana', decisions: 6 },
    { annotator: 'bo', decisions: 6 },
  ]);
  expect(result.agreement.pairs).toHaveLength(1);
  expect(result.agreement.pairs[0]).toMatchObject({ annotators: ['ana', 'bo'], shared: 6 });
  expect(result.agreement.pairs[0]!.agreement).toBeCloseTo(4 / 6, 12);
  expect(result.agreement.pairs[0]!.kappa).toBeCloseTo(0.5, 12);
  expect(result.agreement.conflicts.map((c) => c.labels.map((l) => `${l.annotator}:${l.label}`))).toEqual([
    ['ana:billing', 'bo:bug'],
    ['ana:feature', 'bo:billing'],
  ]);
  // Both people's labels are in this model's log now, with their annotators: agreement() sees the same two conflicts.
  const merged = await here.agreement();
  expect(merged.annotators).toEqual([
    { annotator: 'ana', decisions: 8 },
    { annotator: 'bo', decisions: 9 },
  ]);
  expect(merged.pairs[0]).toMatchObject({ shared: 6 });
  expect(merged.pairs[0]!.kappa).toBeCloseTo(0.5, 12);
  expect(merged.conflicts.map((c) => c.inputHash).sort()).toEqual(result.agreement.conflicts.map((c) => c.inputHash).sort());
});
