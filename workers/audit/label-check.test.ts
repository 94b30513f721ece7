import { expect, test } from 'vitest';
import { assignFolds, classThresholds, eligibleClasses, findSuspects, outOfFoldFigures, type OutOfFold } from './label-check.js';

/** Rows as [label, p(a), p(b), p(c)]. */
function oof(rows: number[][]): OutOfFold {
  return {
    targets: Int32Array.from(rows, (r) => r[0]!),
    probs: Float32Array.from(rows.flatMap((r) => r.slice(1))),
    classes: 3,
  };
}

const rows = [
  [0, 0.9, 0.05, 0.05],
  [0, 0.8, 0.1, 0.1],
  [0, 0.1, 0.85, 0.05], // labelled a, confidently b: suspicious
  [1, 0.1, 0.8, 0.1],
  [1, 0.2, 0.7, 0.1],
  [1, 0.5, 0.45, 0.05], // labelled b, a barely ahead: a's threshold is (0.9+0.8+0.1)/3 = 0.6, not reached
  [2, 0.05, 0.05, 0.9],
  [2, 0.3, 0.6, 0.1], // labelled c, b at 0.6 under b's threshold (0.8+0.7+0.45)/3 = 0.65
];

test('per-label thresholds are the mean out-of-fold probability of each label over the rows given it', () => {
  const t = classThresholds(oof(rows));
  expect(t[0]).toBeCloseTo((0.9 + 0.8 + 0.1) / 3, 6);
  expect(t[1]).toBeCloseTo((0.8 + 0.7 + 0.45) / 3, 6);
  expect(t[2]).toBeCloseTo((0.9 + 0.1) / 2, 6);
});

test('a label is suspicious when another label reaches its own threshold and beats the given one, largest margin first', () => {
  const suspects = findSuspects(oof(rows), [true, true, true]);
  // Row 2: b 0.85 ≥ t_b 0.65, beats a's 0.1 (margin 0.75). Row 7: b 0.6 < t_b 0.65: not flagged. Row 5: a 0.5 < t_a 0.6.
  expect(suspects.map((s) => [s.row, s.label, s.suggested])).toEqual([[2, 0, 1]]);
  expect(suspects[0]!.confidence).toBeCloseTo(0.85, 6);
  expect(suspects[0]!.margin).toBeCloseTo(0.75, 6);
  // A b row that looks like c lowers b's bar to 0.525: row 7 (b 0.6 over c's 0.1) now reaches it, and the new row
  // (c 0.75 ≥ t_c 0.5 over b's 0.15) is flagged too, ranked by margin: 0.75, 0.6, 0.5.
  const more = findSuspects(oof([...rows, [1, 0.1, 0.15, 0.75]]), [true, true, true]);
  expect(more.map((s) => s.row)).toEqual([2, 8, 7]);
  expect(more[1]).toMatchObject({ label: 1, suggested: 2 });
});

test('labels with too few examples are neither checked nor suggested', () => {
  expect(findSuspects(oof(rows), [true, false, true])).toEqual([]);
  expect(findSuspects(oof(rows), [false, true, true]).map((s) => s.row)).toEqual([]);
  expect(eligibleClasses(Int32Array.from([0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2]), 3)).toEqual([true, false, true]);
});

test('folds are stratified, seeded, and deal every label round all folds', () => {
  const targets = Int32Array.from({ length: 53 }, (_, i) => (i < 30 ? 0 : i < 45 ? 1 : 2));
  const folds = assignFolds(targets, 3, 5);
  expect(assignFolds(targets, 3, 5)).toEqual(folds);
  for (let k = 0; k < 5; k++) {
    const members = [...targets].filter((_, i) => folds[i] === k);
    expect(members.filter((t) => t === 0)).toHaveLength(6);
    expect(members.filter((t) => t === 1)).toHaveLength(3);
    expect(members.length).toBeGreaterThanOrEqual(10);
  }
  expect(() => assignFolds(targets, 3, 1)).toThrow(/folds must be an integer of at least 2/);
});

test('out-of-fold per-label figures compare each row’s most probable label with the one given', () => {
  const figures = outOfFoldFigures(oof(rows), ['a', 'b', 'c']);
  // Predicted: a, a, b, b, b, a, c, b.
  expect(figures[0]).toMatchObject({ label: 'a', support: 3, predicted: 3, precision: 2 / 3, recall: 2 / 3 });
  expect(figures[1]).toMatchObject({ label: 'b', support: 3, predicted: 4, precision: 2 / 4, recall: 2 / 3 });
  expect(figures[2]).toMatchObject({ label: 'c', support: 2, predicted: 1, precision: 1, recall: 0.5 });
});
