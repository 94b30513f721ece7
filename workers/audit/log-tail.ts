import { perDecision, type LogRecord } from '../storage/index.js';
import { AUTO_ACCEPTED_DETAIL, SPOT_CHECK_MARK } from './human-time.js';

/** What quality(), drift and agreement() read of a log entry: no inputs, hashes or chain fields. */
export type QualityRecord = Pick<
  LogRecord,
  | 'id'
  | 'kind'
  | 'time'
  | 'label'
  | 'predicted'
  | 'decisionId'
  | 'exampleId'
  | 'annotator'
  | 'action'
  | 'previousLabel'
  | 'predictionId'
  | 'detail'
  | 'durationMs'
>;

/** What LogTail reads the log through (a ModelStore). */
export interface LogSource {
  readLogAfter(id: number): Promise<LogRecord[]>;
}

/**
 * The audit log as quality(), drift and agreement() need it, kept in memory and brought up to date by reading only the entries
 * written since the last read (a key range, not the whole log, issue 18): a page polling quality() over a log of
 * 100,000 entries reads the few new ones. Entries keep only what those figures use, so the copy is small next to the
 * log (no inputs). A reset or retention entry among the new ones means entries before it went: the copy is then
 * read again in full, once. Entries other tabs write have higher ids and arrive with the next read.
 */
export class LogTail {
  private records: QualityRecord[] = [];
  private lastId = 0;
  /** Reads in flight share one promise, so two callers never append the same entries twice. */
  private reading: Promise<readonly QualityRecord[]> | null = null;

  /** Every entry of the log, compacted, in the order written. */
  read(source: LogSource): Promise<readonly QualityRecord[]> {
    this.reading ??= this.catchUp(source).finally(() => (this.reading = null));
    return this.reading;
  }

  /** Forgets the copy (the log was reset here); the next read reads it all. */
  clear(): void {
    this.records = [];
    this.lastId = 0;
  }

  private async catchUp(source: LogSource): Promise<readonly QualityRecord[]> {
    const fresh = await source.readLogAfter(this.lastId);
    if (fresh.some((r) => r.kind === 'reset' || r.kind === 'retention') && this.lastId > 0) {
      this.clear();
      return this.catchUp(source);
    }
    // A batch record counts as the decisions it holds, as if each had its own entry.
    for (const { id, kind, time, label, predicted, decisionId, exampleId, annotator, action, previousLabel, ...rest } of perDecision(fresh)) {
      // A decision's previous label is not read; a relabel entry's is the label it renamed or removed (agreement.ts).
      this.records.push({
        id,
        kind,
        time,
        label,
        predicted,
        decisionId,
        exampleId,
        annotator,
        action,
        ...(kind === 'relabel' ? { previousLabel } : {}),
        ...humanTimeFields(kind, rest),
      });
      if (id !== undefined && id > this.lastId) this.lastId = id;
    }
    // A copy: the next read appends to the kept array.
    return this.records.slice();
  }
}

/**
 * What the human-time figures (human-time.ts) need besides: a decision's prediction id and duration, and a
 * prediction's id only when it is marked auto-accepted or a spot check, so unmarked predictions stay as small as before.
 */
function humanTimeFields(kind: LogRecord['kind'], record: Pick<LogRecord, 'predictionId' | 'detail' | 'durationMs'>): Partial<QualityRecord> {
  const { predictionId, detail, durationMs } = record;
  if (kind === 'label') return { predictionId, ...(durationMs !== undefined ? { durationMs } : {}) };
  if (kind === 'prediction' && (detail === AUTO_ACCEPTED_DETAIL || detail === SPOT_CHECK_MARK)) return { predictionId, detail };
  return {};
}
