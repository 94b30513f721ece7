import type { QualityReport, ReliabilityBin } from '../../src/protocol.js';
import { byTime } from './log-records.js';
import { detectDrift } from './drift.js';
import { perClassFigures } from './per-class.js';
import { computeHumanTime } from './human-time.js';
import type { QualityRecord } from './log-tail.js';

/** Reliability diagram buckets: equal width over confidence 0…1, the usual 10 of ECE. */
export const RELIABILITY_BINS = 10;

interface Decision {
  time: number;
  human: string;
  predicted: string;
  confidence: number;
  modelVersion: number;
  agreed: boolean;
}

/**
 * The human side of model quality, from the audit log alone: what people were shown against what they decided.
 * A decision counts when a prediction with a label was shown before it and it was not undone.
 */
export function computeQuality(
  records: readonly QualityRecord[],
  labels: readonly string[],
  threshold: number,
  window: number,
): Omit<QualityReport, 'classWarnings' | 'outOfFold'> {
  const log = [...records].sort(byTime);
  const undone = new Set(log.filter((r) => r.kind === 'undo' && r.decisionId !== undefined).map((r) => r.decisionId!));
  const decisions: Decision[] = [];
  for (const r of log) {
    if (r.kind !== 'label' || r.label === undefined || !r.predicted || r.predicted.label === null) continue;
    if (r.decisionId !== undefined && undone.has(r.decisionId)) continue;
    decisions.push({
      time: r.time,
      human: r.label,
      predicted: r.predicted.label,
      confidence: r.predicted.confidence,
      modelVersion: r.predicted.modelVersion,
      agreed: r.label === r.predicted.label,
    });
  }
  const recent = decisions.slice(-window);
  const agreed = recent.filter((d) => d.agreed).length;

  const names = [...labels];
  for (const d of recent) for (const l of [d.human, d.predicted]) if (!names.includes(l)) names.push(l);
  const matrix = names.map(() => new Array<number>(names.length).fill(0));
  for (const d of recent) matrix[names.indexOf(d.human)]![names.indexOf(d.predicted)]! += 1;

  const bins: ReliabilityBin[] = Array.from({ length: RELIABILITY_BINS }, (_, i) => {
    const lo = i / RELIABILITY_BINS;
    const hi = (i + 1) / RELIABILITY_BINS;
    const inBin = recent.filter((d) => Math.min(RELIABILITY_BINS - 1, Math.floor(d.confidence * RELIABILITY_BINS)) === i);
    const count = inBin.length;
    return {
      lo,
      hi,
      count,
      accuracy: count > 0 ? inBin.filter((d) => d.agreed).length / count : null,
      confidence: count > 0 ? inBin.reduce((s, d) => s + d.confidence, 0) / count : null,
    };
  });
  const ece =
    recent.length > 0 ? bins.reduce((s, b) => (b.count > 0 ? s + (b.count / recent.length) * Math.abs(b.accuracy! - b.confidence!) : s), 0) : null;

  const shown = log.filter((r) => r.kind === 'prediction' && r.predicted && r.predicted.label !== null);
  const shownWindow = shown.slice(-window);
  const above = shownWindow.filter((r) => r.predicted!.confidence >= threshold).length;
  const checked = recent.filter((d) => d.confidence >= threshold);

  return {
    decisions: decisions.length,
    agreement: recent.map((d) => ({ time: d.time, agreed: d.agreed, modelVersion: d.modelVersion })),
    agreementRate: recent.length > 0 ? agreed / recent.length : null,
    confusion: { labels: names, matrix },
    reliability: { bins, ece },
    autoAccept: {
      predictions: shownWindow.length,
      aboveThreshold: above,
      share: shownWindow.length > 0 ? above / shownWindow.length : null,
      checked: checked.length,
      correctWhenChecked: checked.length > 0 ? checked.filter((d) => d.agreed).length / checked.length : null,
    },
    perClass: perClassFigures(recent, names),
    humanTime: computeHumanTime(log),
    drift: detectDrift(
      shown.map((r) => ({ label: r.predicted!.label, confidence: r.predicted!.confidence })),
      decisions,
      window,
      labels,
    ),
  };
}
