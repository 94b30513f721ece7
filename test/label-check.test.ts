import { afterEach, expect, test } from 'vitest';
import { classifier, closeAll, uniqueName } from './helpers.js';

// Issue 18, item 2: a check on the human labels, from out-of-fold predictions (confident learning).

afterEach(closeAll);

const LABELS = ['north', 'east', 'west'];
const CENTRES = [
  [0, 6],
  [6, 0],
  [-6, 0],
];

/** 15 points per label around three far-apart centres, with a deterministic jitter: separable with room to spare. */
function points(): { row: number[]; label: string }[] {
  const out: { row: number[]; label: string }[] = [];
  for (let i = 0; i < 15; i++) {
    LABELS.forEach((label, c) => {
      const [x, y] = CENTRES[c]!;
      out.push({ row: [x! + Math.sin(i * 1.7 + c), y! + Math.cos(i * 2.3 + c)], label });
    });
  }
  return out;
}

/** Rows 0, 1 and 2 (one per label) are given a wrong label: what a slip of the hand does. */
const FLIPS = new Map([
  [0, 'east'],
  [1, 'west'],
  [2, 'north'],
]);

async function labelled(options: Parameters<typeof classifier>[0] = {}) {
  const clf = await classifier({ input: 'features', labels: LABELS, ...options });
  const ids: string[] = [];
  for (const [i, { row, label }] of points().entries()) ids.push((await clf.label(row, FLIPS.get(i) ?? label, { annotator: 'ana' })).exampleId);
  return { clf, ids };
}

test('flipped labels in a separable set are flagged, with the label they should have; the model changes none of them', async () => {
  const { clf, ids } = await labelled({ storage: 'memory' });
  const data = points();
  await clf.train();
  const suspicious = await clf.suspiciousLabels();
  expect(new Set(suspicious.map((s) => s.id))).toEqual(new Set([ids[0], ids[1], ids[2]]));
  for (const s of suspicious) {
    const i = ids.indexOf(s.id);
    expect(s).toMatchObject({ label: FLIPS.get(i), suggested: data[i]!.label, annotator: 'ana' });
    expect(s.confidence).toBeGreaterThan(0.5);
    expect(s.input).toEqual(Array.from(Float32Array.from(data[i]!.row)));
  }
  expect(await clf.suspiciousLabels({ limit: 1 })).toHaveLength(1);
  // Flagged, not changed: the stored labels stay as people gave them, through another training too.
  await clf.train();
  for (const [i, label] of FLIPS) expect((await clf.getLabel(data[i]!.row))?.label).toBe(label);
  const stats = await clf.stats();
  expect(stats.outOfFold).toMatchObject({ examples: 45, folds: 5, suspicious: 3, skipped: 0 });
  const quality = await clf.quality();
  expect(quality.outOfFold?.perClass.map((f) => [f.label, f.support])).toEqual([
    ['north', 15],
    ['east', 15],
    ['west', 15],
  ]);
  // Each label has one wrong member its out-of-fold prediction disagrees with, and one row flipped to it.
  for (const figures of quality.outOfFold!.perClass) {
    expect(figures.recall).toBeCloseTo(14 / 15, 6);
    expect(figures.precision).toBeCloseTo(14 / 15, 6);
  }
  await expect(clf.suspiciousLabels({ limit: -1 })).rejects.toThrow(RangeError);
  await expect(clf.reviewLabel('no-such-example', 'east')).rejects.toThrow(/No labelled example has the id/);
  await expect(clf.reviewLabel(ids[0]!, 'south')).rejects.toThrow(/Unknown label "south"/);
});

test('the near-duplicate memory stops following a flagged label, and follows it again once a person confirms it', async () => {
  const { clf, ids } = await labelled({ storage: 'memory' });
  const near = points()[0]!.row.map((v) => v + 1e-3);
  // No check yet: a near-duplicate follows the (wrong) human label at once.
  expect((await clf.predict(near)).label).toBe('east');
  await clf.train();
  await clf.suspiciousLabels();
  // Flagged: the head answers for it, as for any other point near 'north'.
  expect((await clf.predict(near)).label).toBe('north');
  await clf.reviewLabel(ids[0]!, 'east', { annotator: 'bo' });
  expect((await clf.predict(near)).label).toBe('east');
  // Not flagged again by the next check, which still suggests 'north'.
  await clf.train();
  expect((await clf.suspiciousLabels()).map((s) => s.id)).not.toContain(ids[0]);
});

test('a person confirms or changes a flagged label, and the log records both decisions', async () => {
  const { clf, ids } = await labelled({ storage: 'memory' });
  const data = points();
  await clf.train();
  await clf.suspiciousLabels();
  const kept = await clf.reviewLabel(ids[0]!, 'east', { annotator: 'bo' });
  const changed = await clf.reviewLabel(ids[1]!, 'north', { annotator: 'bo' });
  expect(kept.replaced).toBe(true);
  expect((await clf.getLabel(data[0]!.row))?.label).toBe('east');
  expect(await clf.getLabel(data[1]!.row)).toMatchObject({ label: 'north', annotator: 'bo' });
  expect((await clf.suspiciousLabels()).map((s) => s.id)).toEqual([ids[2]]);

  const log = await clf.auditLog();
  const confirm = log.find((e) => e.decisionId === kept.decisionId)!;
  expect(confirm).toMatchObject({ kind: 'decision', action: 'confirm', human: 'east', previousLabel: 'east', annotator: 'bo' });
  expect(confirm.detail).toMatch(/suggested "north"/);
  const change = log.find((e) => e.decisionId === changed.decisionId)!;
  expect(change).toMatchObject({ kind: 'decision', action: 'correct', human: 'north', previousLabel: 'west', annotator: 'bo' });
  expect(change.detail).toMatch(/suggested "east"/);
  // Neither answers a prediction shown, so the human-verified quality figures do not count them.
  expect(confirm.predicted).toBeNull();
  expect((await clf.verifyLog()).ok).toBe(true);
  // Undoing the change brings the doubted label back, flagged again.
  await clf.undo(changed.decisionId);
  expect((await clf.suspiciousLabels()).map((s) => s.id).sort()).toEqual([ids[1], ids[2]].sort());
});

test('out-of-fold predictions are not stored: the check runs again on open, and a confirmation is kept', async () => {
  const name = uniqueName('label-check');
  const { clf, ids } = await labelled({ name, storage: 'indexeddb' });
  await clf.train();
  expect(await clf.suspiciousLabels()).toHaveLength(3);
  await clf.reviewLabel(ids[0]!, 'east');
  await clf.close();

  const reopened = await classifier({ name, input: 'features', labels: LABELS, storage: 'indexeddb' });
  const again = await reopened.suspiciousLabels();
  expect(again.map((s) => s.id).sort()).toEqual([ids[1], ids[2]].sort());
  expect((await reopened.stats()).outOfFold?.suspicious).toBe(2);
  // Held out of the memory after the reload too.
  const near = points()[1]!.row.map((v) => v + 1e-3);
  expect((await reopened.predict(near)).label).toBe('east');

  // The confirmation travels with an export: another device does not flag the kept label again.
  const file = await reopened.export();
  const other = await classifier({ input: 'features', labels: LABELS, storage: 'memory' });
  await other.import(file);
  await other.train();
  expect((await other.suspiciousLabels()).map((s) => s.id).sort()).toEqual([ids[1], ids[2]].sort());
});
