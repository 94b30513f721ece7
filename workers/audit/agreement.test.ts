import { expect, test } from 'vitest';
import type { LogRecord } from '../storage/index.js';
import { computeAgreement } from './agreement.js';

let nextId = 1;
function decision(exampleId: string, label: string, annotator: string, time: number, action?: LogRecord['action']): LogRecord {
  const id = nextId++;
  return { id, kind: 'label', time, exampleId, label, annotator, modelVersion: 0, decisionId: `d${id}`, ...(action ? { action } : {}) };
}

test('an adjudication in the same millisecond as the last label settles it only when written after it', () => {
  const ana = decision('x', 'a', 'ana', 10);
  const bo = decision('x', 'b', 'bo', 20);
  const cy = decision('x', 'a', 'cy', 20, 'adjudicate');
  expect(computeAgreement([ana, bo, cy], ['a', 'b']).settled.map((s) => s.adjudication.annotator)).toEqual(['cy']);
  // Written before bo's label (a smaller id at the same time): bo's label came after it, so it settles nothing.
  const early = { ...cy, id: 0 };
  const report = computeAgreement([ana, bo, early], ['a', 'b']);
  expect(report.settled).toEqual([]);
  expect(report.conflicts.map((c) => c.inputHash)).toEqual(['x']);
});

test('an adjudication counts for no annotator; an undone one settles nothing; a reset forgets both', () => {
  const log = [decision('x', 'a', 'ana', 1), decision('x', 'b', 'bo', 2), decision('y', 'a', 'ana', 3), decision('y', 'a', 'bo', 4)];
  const adjudication = decision('x', 'b', 'ana', 5, 'adjudicate');
  const adjudicated = computeAgreement([...log, adjudication], ['a', 'b']);
  const without = computeAgreement(log, ['a', 'b']);
  // ana adjudicating in bo's favour does not change ana's own label on x, so κ and the counts stay as they were.
  expect(adjudicated.annotators).toEqual(without.annotators);
  expect(adjudicated.pairs).toEqual(without.pairs);
  expect(adjudicated.pairs[0]).toMatchObject({ shared: 2, agreement: 0.5 });
  expect(adjudicated.settled).toHaveLength(1);

  const undo: LogRecord = { id: nextId++, kind: 'undo', time: 6, exampleId: 'x', modelVersion: 0, decisionId: adjudication.decisionId! };
  expect(computeAgreement([...log, adjudication, undo], ['a', 'b']).conflicts.map((c) => c.inputHash)).toEqual(['x']);

  const reset: LogRecord = { id: nextId++, kind: 'reset', time: 7, exampleId: '', modelVersion: 0 };
  const after = computeAgreement([...log, adjudication, reset, decision('x', 'a', 'ana', 8), decision('x', 'b', 'bo', 9)], ['a', 'b']);
  expect(after.settled).toEqual([]);
  expect(after.conflicts).toHaveLength(1);
});

test('limited to some inputs, the report covers those alone', () => {
  const log = [decision('x', 'a', 'ana', 1), decision('x', 'b', 'bo', 2), decision('y', 'a', 'ana', 3), decision('y', 'a', 'bo', 4)];
  const report = computeAgreement(log, ['a', 'b'], new Set(['y']));
  expect(report.pairs).toEqual([{ annotators: ['ana', 'bo'], shared: 1, agreement: 1, kappa: null }]);
  expect(report.conflicts).toEqual([]);
});
