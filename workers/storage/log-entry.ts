import type { LogEntry } from '../../src/protocol.js';
import type { LogRecord, LoggedInput } from './records.js';

function loggedView(input: LoggedInput): LogEntry['input'] {
  if (typeof input === 'string') return input;
  if (input instanceof Float32Array) return Array.from(input);
  return { width: input.width, height: input.height };
}

const KIND: Record<LogRecord['kind'], LogEntry['kind']> = {
  label: 'decision',
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
  if (entry.input !== undefined) {
    const input = entry.input;
    record.input = typeof input === 'string' ? input : Array.isArray(input) ? Float32Array.from(input) : { width: input.width, height: input.height };
  }
  if (entry.human !== undefined) record.label = entry.human;
  if (entry.previousLabel !== undefined) record.previousLabel = entry.previousLabel;
  if (entry.action !== undefined) record.action = entry.action;
  if (entry.annotator !== undefined) record.annotator = entry.annotator;
  if (entry.predictionId !== undefined) record.predictionId = entry.predictionId;
  if (entry.decisionId !== undefined) record.decisionId = entry.decisionId;
  if (entry.durationMs !== undefined) record.durationMs = entry.durationMs;
  if (entry.detail !== undefined) record.detail = entry.detail;
  if (entry.cuts !== undefined) record.cuts = entry.cuts.map((cut) => ({ ...cut }));
  return record;
}
