import { describe, expect, test } from 'vitest';
import { AUTO_ACCEPTED_DETAIL, SPOT_CHECK_MARK, checkDurationMs, computeHumanTime, type HumanTimeRecord } from '../workers/audit/human-time.js';
import { SPOT_CHECK_DETAIL } from '../workers/engine/auto-accept.js';

// Issue 19 item 5: the cost of human time, from a hand-made log whose figures are known.

let n = 0;
const shown = (detail?: string): HumanTimeRecord => ({ kind: 'prediction', predictionId: `p${++n}`, ...(detail ? { detail } : {}) });
const decided = (predictionId: string | undefined, annotator: string | undefined, durationMs: number | undefined): HumanTimeRecord => ({
  kind: 'label',
  label: 'a',
  decisionId: `d${++n}`,
  ...(predictionId !== undefined ? { predictionId } : {}),
  ...(annotator !== undefined ? { annotator } : {}),
  ...(durationMs !== undefined ? { durationMs } : {}),
});

describe('computeHumanTime', () => {
  test('decisions, medians overall and per annotator, auto-accepted, hours saved and the spot checks’ cost', () => {
    const auto = [shown(AUTO_ACCEPTED_DETAIL), shown(AUTO_ACCEPTED_DETAIL), shown(AUTO_ACCEPTED_DETAIL), shown(AUTO_ACCEPTED_DETAIL)];
    const spots = [shown(SPOT_CHECK_MARK), shown(SPOT_CHECK_MARK), shown(SPOT_CHECK_MARK)];
    const plain = shown();
    const undoneDecision = decided(plain.predictionId, 'ana', 1_000_000);
    const log: HumanTimeRecord[] = [
      ...auto,
      ...spots,
      plain,
      decided(spots[0]!.predictionId, 'ana', 4000),
      decided(spots[1]!.predictionId, 'ana', 6000),
      decided(plain.predictionId, 'bo', 10_000),
      // A person decided an auto-accepted prediction after all: it saved nothing, and its time counts.
      decided(auto[0]!.predictionId, 'bo', 2000),
      // No duration (an entry written before durations, or an API call without one): counted, not timed.
      decided(undefined, undefined, undefined),
      // Undone: neither its decision nor its duration counts.
      undoneDecision,
      { kind: 'undo', decisionId: undoneDecision.decisionId },
    ];
    const figures = computeHumanTime(log);
    expect(figures.decisions).toBe(5);
    expect(figures.timed).toBe(4);
    // Durations 2, 4, 6, 10 s: the median is (4 + 6) / 2.
    expect(figures.medianSeconds).toBe(5);
    expect(figures.perAnnotator).toEqual([
      { annotator: 'ana', decisions: 2, timed: 2, medianSeconds: 5 },
      { annotator: 'bo', decisions: 2, timed: 2, medianSeconds: 6 },
      { annotator: '', decisions: 1, timed: 0, medianSeconds: null },
    ]);
    expect(figures.autoAccepted).toBe(3);
    expect(figures.hoursSaved).toBeCloseTo((3 * 5) / 3600, 12);
    expect(figures.spotChecks).toBe(2);
    expect(figures.spotCheckHours).toBeCloseTo((2 * 5) / 3600, 12);
  });

  test('without a timed decision there is no median and no hours, only counts', () => {
    const figures = computeHumanTime([shown(AUTO_ACCEPTED_DETAIL), decided(undefined, 'ana', undefined)]);
    expect(figures).toMatchObject({ decisions: 1, timed: 0, medianSeconds: null, autoAccepted: 1, hoursSaved: null, spotCheckHours: null });
  });

  test('the spot-check mark it reads is the one auto-accept writes', () => {
    expect(SPOT_CHECK_MARK).toBe(SPOT_CHECK_DETAIL);
  });

  test('a duration must be a finite number of ms ≥ 0', () => {
    expect(() => checkDurationMs(undefined)).not.toThrow();
    expect(() => checkDurationMs(0)).not.toThrow();
    expect(() => checkDurationMs(-1)).toThrow(RangeError);
    expect(() => checkDurationMs(Number.NaN)).toThrow(/finite number of milliseconds ≥ 0, got NaN/);
    expect(() => checkDurationMs(Infinity)).toThrow(RangeError);
    expect(() => checkDurationMs('5')).toThrow(TypeError);
  });
});
