import type { HumanTimeReport } from '../../src/protocol.js';
import type { LogRecord } from '../storage/index.js';

/**
 * How a shown prediction let through without review is marked in the log (`detail`), so the figures below can count
 * what a person did not have to decide; an optional string, like the spot-check mark, so no schema change.
 */
export const AUTO_ACCEPTED_DETAIL = 'auto-accepted';
/** The mark auto-accept writes on a spot check's prediction (engine/auto-accept.ts, SPOT_CHECK_DETAIL; a test ties them). */
export const SPOT_CHECK_MARK = 'spot check';

/** What the human-time figures read of a log entry. */
export type HumanTimeRecord = Pick<LogRecord, 'kind' | 'label' | 'decisionId' | 'annotator' | 'predictionId' | 'detail' | 'durationMs'>;

/**
 * Checks a decision's measured duration where the worker receives it: the page checks it too, but the worker stores
 * what it is sent, and a NaN or a negative time would poison every median after it.
 */
export function checkDurationMs(value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`durationMs must be a number of milliseconds, got ${typeof value}.`);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`durationMs must be a finite number of milliseconds ≥ 0, got ${value}.`);
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const hours = (count: number, seconds: number | null): number | null => (seconds === null ? null : (count * seconds) / 3600);

/**
 * The cost of human time from the whole log (docs/review.md). The median, not the mean: a decision left open while
 * the person was away is capped by the elements' idle cut-off but still long, and one such outlier must not move
 * the estimate of every saved decision.
 */
export function computeHumanTime(records: readonly HumanTimeRecord[]): HumanTimeReport {
  const undone = new Set<string>();
  for (const r of records) if (r.kind === 'undo' && r.decisionId !== undefined) undone.add(r.decisionId);
  const autoAccepted = new Set<string>();
  const spotChecked = new Set<string>();
  const answered = new Set<string>();
  const durations: number[] = [];
  const byAnnotator = new Map<string, { decisions: number; durations: number[] }>();
  let decisions = 0;
  for (const r of records) {
    if (r.kind === 'prediction' && r.predictionId !== undefined) {
      if (r.detail === AUTO_ACCEPTED_DETAIL) autoAccepted.add(r.predictionId);
      else if (r.detail === SPOT_CHECK_MARK) spotChecked.add(r.predictionId);
      continue;
    }
    if (r.kind !== 'label' || r.label === undefined) continue;
    if (r.decisionId !== undefined && undone.has(r.decisionId)) continue;
    decisions += 1;
    if (r.predictionId !== undefined) answered.add(r.predictionId);
    const annotator = r.annotator ?? '';
    const own = byAnnotator.get(annotator) ?? { decisions: 0, durations: [] };
    own.decisions += 1;
    if (r.durationMs !== undefined) {
      own.durations.push(r.durationMs);
      durations.push(r.durationMs);
    }
    byAnnotator.set(annotator, own);
  }
  const medianMs = median(durations);
  const medianSeconds = medianMs === null ? null : medianMs / 1000;
  // A prediction let through that a person decided after all cost that person's time: it saved nothing.
  let saved = 0;
  for (const id of autoAccepted) if (!answered.has(id)) saved += 1;
  let spotChecks = 0;
  for (const id of spotChecked) if (answered.has(id)) spotChecks += 1;
  const perAnnotator = [...byAnnotator]
    .map(([annotator, own]) => {
      const ms = median(own.durations);
      return { annotator, decisions: own.decisions, timed: own.durations.length, medianSeconds: ms === null ? null : ms / 1000 };
    })
    .sort((a, b) => b.decisions - a.decisions || (a.annotator < b.annotator ? -1 : a.annotator > b.annotator ? 1 : 0));
  return {
    decisions,
    timed: durations.length,
    medianSeconds,
    perAnnotator,
    autoAccepted: saved,
    hoursSaved: hours(saved, medianSeconds),
    spotChecks,
    spotCheckHours: hours(spotChecks, medianSeconds),
  };
}
