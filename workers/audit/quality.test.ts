import { describe, expect, test } from 'vitest';
import { computeQuality } from './quality.js';
import type { LogRecord } from '../storage/index.js';

let time = 0;
function shown(label: string, confidence: number): LogRecord {
  return { kind: 'prediction', time: ++time, exampleId: 'x', predicted: { label, confidence, modelVersion: 1 }, modelVersion: 1 };
}
function decided(human: string, predicted: string, confidence: number, decisionId = `d${time}`): LogRecord {
  return {
    kind: 'label',
    time: ++time,
    exampleId: 'x',
    label: human,
    decisionId,
    predicted: { label: predicted, confidence, modelVersion: 1 },
    modelVersion: 1,
  };
}

describe('computeQuality', () => {
  test('agreement, confusion, reliability, ECE and auto-accept from a hand-made log', () => {
    const log: LogRecord[] = [
      shown('a', 0.95),
      decided('a', 'a', 0.95),
      shown('b', 0.55),
      decided('a', 'b', 0.55),
      shown('b', 0.92),
      decided('b', 'b', 0.92),
      shown('a', 0.85),
      decided('b', 'a', 0.85, 'undone'),
      { kind: 'undo', time: ++time, exampleId: 'x', decisionId: 'undone', modelVersion: 1 },
      // A v1-style decision without a prediction shown does not count.
      { kind: 'label', time: ++time, exampleId: 'y', label: 'a', modelVersion: 0 },
    ];
    const q = computeQuality(log, ['a', 'b'], 0.9, 200);
    expect(q.decisions).toBe(3);
    expect(q.agreement.map((x) => x.agreed)).toEqual([true, false, true]);
    expect(q.agreementRate).toBeCloseTo(2 / 3, 12);
    expect(q.confusion).toEqual({
      labels: ['a', 'b'],
      matrix: [
        [1, 1],
        [0, 1],
      ],
    });
    const used = q.reliability.bins.filter((b) => b.count > 0);
    expect(used.map((b) => [b.lo, b.count, b.accuracy])).toEqual([
      [0.5, 1, 0],
      [0.9, 2, 1],
    ]);
    // ECE: 1/3·|0 − 0.55| + 2/3·|1 − 0.935|
    expect(q.reliability.ece).toBeCloseTo((1 / 3) * 0.55 + (2 / 3) * 0.065, 12);
    expect(q.autoAccept).toEqual({ predictions: 4, aboveThreshold: 2, share: 0.5, checked: 2, correctWhenChecked: 1 });
    expect(computeQuality(log, ['a', 'b'], 0.9, 1).agreement).toHaveLength(1);
  });

  test('an empty log gives nulls, not NaN', () => {
    const q = computeQuality([], ['a', 'b'], 0.8, 200);
    expect(q).toMatchObject({ decisions: 0, agreementRate: null, reliability: { ece: null }, autoAccept: { share: null, correctWhenChecked: null } });
    expect(q.drift.score).toBeNull();
  });
});
