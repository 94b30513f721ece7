import type { BatchDecisionEntry, LogEntry } from '../../src/protocol.js';
import type { BatchDecisionRecord, LogRecord, LoggedInput } from './records.js';

function loggedView(input: LoggedInput): LogEntry['input'] {
  if (typeof input === 'string') return input;
  if (input instanceof Float32Array) return Array.from(input);
  return { width: input.width, height: input.height };
}

const KIND: Record<LogRecord['kind'], LogEntry['kind']> = {
  label: 'decision',
  labels: 'decisions',
  prediction: 'prediction',
  undo: 'undo',
  import: 'import',
  reset: 'reset',
  retention: 'retention',
  relabel: 'relabel',
  model: 'model',
};

/** The public form of a stored record; v1 decision records (kind 'label', no decision id) map the same way. */
export function toLogEntry(record: LogRecord): LogEntry {
  const entry: LogEntry = {
    id: record.id ?? 0,
    kind: KIND[record.kind],
    time: record.time,
    inputHash: record.exampleId,
    modelVersion: record.predicted?.modelVersion ?? record.modelVersion,
    predicted: record.predicted?.label ?? null,
    confidence: record.predicted?.confidence ?? 0,
  };
  if (record.kind === 'label') entry.modelVersion = record.modelVersion;
  if (record.input !== undefined) entry.input = loggedView(record.input);
  if (record.label !== undefined) entry.human = record.label;
  if (record.previousLabel !== undefined) entry.previousLabel = record.previousLabel;
  if (record.action !== undefined) entry.action = record.action;
  if (record.annotator !== undefined) entry.annotator = record.annotator;
  if (record.predictionId !== undefined) entry.predictionId = record.predictionId;
  if (record.decisionId !== undefined) entry.decisionId = record.decisionId;
  // Only when present: entries hashed before durations existed must hash to the same bytes.
  if (record.durationMs !== undefined) entry.durationMs = record.durationMs;
  if (record.detail !== undefined) entry.detail = record.detail;
  if (record.cuts !== undefined) entry.cuts = record.cuts.map((cut) => ({ ...cut }));
  if (record.decisions !== undefined) entry.decisions = record.decisions.map(toBatchEntry);
  if (record.prev !== undefined) entry.prev = record.prev;
  if (record.hash !== undefined) entry.hash = record.hash;
  return entry;
}

/** The stored form of an imported entry (its id is assigned anew on import). */
export function fromLogEntry(entry: LogEntry): LogRecord {
  const kind = (Object.keys(KIND) as LogRecord['kind'][]).find((k) => KIND[k] === entry.kind)!;
  const record: LogRecord = { kind, time: entry.time, exampleId: entry.inputHash, modelVersion: entry.modelVersion };
  if (kind === 'label' || kind === 'prediction') {
    record.predicted = { label: entry.predicted, confidence: entry.confidence, modelVersion: entry.modelVersion };
  }
  if (entry.input !== undefined) record.input = storedInput(entry.input);
  if (entry.human !== undefined) record.label = entry.human;
  if (entry.previousLabel !== undefined) record.previousLabel = entry.previousLabel;
  if (entry.action !== undefined) record.action = entry.action;
  if (entry.annotator !== undefined) record.annotator = entry.annotator;
  if (entry.predictionId !== undefined) record.predictionId = entry.predictionId;
  if (entry.decisionId !== undefined) record.decisionId = entry.decisionId;
  if (entry.durationMs !== undefined) record.durationMs = entry.durationMs;
  if (entry.detail !== undefined) record.detail = entry.detail;
  if (entry.cuts !== undefined) record.cuts = entry.cuts.map((cut) => ({ ...cut }));
  if (entry.decisions !== undefined) record.decisions = entry.decisions.map(fromBatchEntry);
  return record;
}

// Optional fields are set only when present, as above: an entry's hash covers exactly the fields it has.
function toBatchEntry(d: BatchDecisionRecord): BatchDecisionEntry {
  const entry: BatchDecisionEntry = { inputHash: d.exampleId, human: d.label, decisionId: d.decisionId };
  if (d.previousLabel !== undefined) entry.previousLabel = d.previousLabel;
  if (d.annotator !== undefined) entry.annotator = d.annotator;
  if (d.input !== undefined) entry.input = loggedView(d.input);
  if (d.detail !== undefined) entry.detail = d.detail;
  return entry;
}

function fromBatchEntry(entry: BatchDecisionEntry): BatchDecisionRecord {
  const d: BatchDecisionRecord = { exampleId: entry.inputHash, label: entry.human, decisionId: entry.decisionId };
  if (entry.previousLabel !== undefined) d.previousLabel = entry.previousLabel;
  if (entry.annotator !== undefined) d.annotator = entry.annotator;
  if (entry.input !== undefined) d.input = storedInput(entry.input);
  if (entry.detail !== undefined) d.detail = entry.detail;
  return d;
}

function storedInput(input: NonNullable<LogEntry['input']>): LoggedInput {
  return typeof input === 'string' ? input : Array.isArray(input) ? Float32Array.from(input) : { width: input.width, height: input.height };
}

/**
 * The log with each batch record ('labels') read as the 'label' records it stands for, in order and with the batch's
 * id, time and model version: what the figures that count decisions (quality, agreement, human time) and undo read.
 */
export function perDecision<R extends Partial<LogRecord>>(records: readonly R[]): R[] {
  if (!records.some((r) => r.kind === 'labels')) return records as R[];
  return records.flatMap((r) => (r.kind === 'labels' ? (r.decisions ?? []).map((d) => batchDecision(r, d) as unknown as R) : [r]));
}

/** One decision of a batch record as the 'label' record it stands for (with `before`, when the store filled it). */
export function batchDecision(batch: Partial<LogRecord>, d: BatchDecisionRecord): LogRecord {
  const { decisions: _decisions, prev: _prev, hash: _hash, ...shared } = batch;
  return { ...shared, kind: 'label', time: batch.time ?? 0, modelVersion: batch.modelVersion ?? 0, ...d } as LogRecord;
}
