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
  expect(report).toEqual({ annotators: [{ annotator: '', decisions: 2 }], pairs: [], fleiss: { kappa: null, items: 0 }, conflicts: [] });
});
