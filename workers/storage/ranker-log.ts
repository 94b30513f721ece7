import type { RankerLogEntry } from '../../src/protocol.js';
import { ChainAppender, chainHash, cutsIn, GENESIS } from './log-chain.js';
import type { LogRecord } from './records.js';
import type { RankerLogRecord } from './ranker-records.js';

// A ranker's audit log is a hash chain exactly like the classifier's (log-chain.ts): the same hash over the public
// form of each entry, the same reset and retention rules, verified by the same verifyChain.

/** The public form of a stored entry (what is hashed and what the page gets). */
export function toRankerLogEntry(record: RankerLogRecord): RankerLogEntry {
  const entry: RankerLogEntry = { id: record.id ?? 0, kind: record.kind, time: record.time, modelVersion: record.modelVersion };
  for (const key of ['decisionId', 'a', 'b', 'outcome', 'annotator', 'predictionId', 'probability', 'detail', 'prev', 'hash'] as const) {
    if (record[key] !== undefined) (entry as unknown as Record<string, unknown>)[key] = record[key];
  }
  if (record.cuts !== undefined) entry.cuts = record.cuts.map((cut) => ({ ...cut }));
  return entry;
}

/** The stored form of an imported entry (its id is assigned anew). */
export function fromRankerLogEntry(entry: RankerLogEntry): RankerLogRecord {
  const { id: _id, prev: _prev, hash: _hash, ...content } = entry;
  return { ...content, ...(entry.cuts ? { cuts: entry.cuts.map((cut) => ({ ...cut })) } : {}) };
}

/** The record as it is appended after `prev`: with its link and its own hash. */
export function sealRanker(record: RankerLogRecord, prev: string): RankerLogRecord {
  const { prev: _prev, hash: _hash, ...content } = record;
  return { ...content, prev, hash: chainHash(prev, toRankerLogEntry(content)) };
}

/** An appender for one transaction's ranker log (`last` and `add` in that transaction); the log is always chained. */
export function rankerChain(
  last: () => Promise<RankerLogRecord | undefined>,
  add: (record: RankerLogRecord) => Promise<unknown>,
): ChainAppender<RankerLogRecord> {
  return new ChainAppender<RankerLogRecord>(last, add, async () => (await last())?.hash ?? GENESIS, sealRanker);
}

/** The cuts retention leaves in the remaining entries (id order). */
export function rankerCuts(remaining: readonly RankerLogRecord[]): ReturnType<typeof cutsIn> {
  return cutsIn(remaining as unknown as LogRecord[]);
}

/** The entry retention leaves: how many entries it removed, and every gap in the chain that remains. */
export function rankerRetentionEntry(removed: number, cutoff: number, cuts: ReturnType<typeof cutsIn>): RankerLogRecord {
  return {
    kind: 'retention',
    time: Date.now(),
    modelVersion: 0,
    detail: `retention: ${removed} log entries before ${new Date(cutoff).toISOString()} removed`,
    cuts,
  };
}
