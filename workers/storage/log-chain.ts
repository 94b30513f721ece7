import type { LogEntry, LogVerification } from '../../src/protocol.js';
import { toLogEntry } from './log-entry.js';
import type { ChainCut, LogRecord } from './records.js';
import { sha256, toHex } from './sha256.js';

/**
 * The audit log is a hash chain: every entry stores the SHA-256 of the entry before it (`prev`) and of itself
 * (`hash`, over `prev` and the entry's public content), in id order. Editing, deleting or reordering a stored entry
 * breaks a link that verification recomputes. What this cannot catch is a log rewritten whole, chain included: the
 * head hash `verifyLog()` returns is what a site records elsewhere to catch that too.
 *
 * Reset and retention remove entries on purpose and say so in the chain: a reset entry starts a new chain (prev
 * GENESIS) and names the old chain's last hash in its detail; a retention entry lists the cuts it made, one per gap,
 * and a gap no retention entry names is a removal nobody logged.
 */
export const GENESIS = '0'.repeat(64);

const encoder = new TextEncoder();

/**
 * Keys sorted at every level (in code-unit order), so the same content always gives the same bytes. Every stored
 * hash depends on these bytes: a change here must give the same string for every value. Written as loops because
 * a labelBatch seals thousands of entries at once.
 */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) as string;
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // As Array.prototype.join writes it: an undefined element is empty.
      out += value[i] === undefined ? '' : canonical(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  out = '{';
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonical(v)}`;
  }
  return `${out}}`;
}

/**
 * What the chain reads of an entry besides its content: a classifier's LogEntry, or a ranker's (ranker-log.ts),
 * which chains the same way in a store of its own.
 */
export interface ChainedEntry {
  id: number;
  kind: string;
  cuts?: ChainCut[] | undefined;
  prev?: string | undefined;
  hash?: string | undefined;
}

/** What an entry's hash covers: its previous hash and its public content, without the id a store assigns. */
function hashedBytes(prev: string, entry: ChainedEntry | LogEntry): Uint8Array {
  const { id: _id, prev: _prev, hash: _hash, ...content } = entry;
  return encoder.encode(`${prev}\n${canonical(content)}`);
}

/** The hash of an entry (in its public form) appended after `prev`. */
export function chainHash(prev: string, entry: ChainedEntry): string {
  return toHex(sha256(hashedBytes(prev, entry)));
}

/** The record as it is appended after `prev`: with its link and its own hash. */
export function sealed(record: LogRecord, prev: string): LogRecord {
  const { prev: _prev, hash: _hash, ...content } = record;
  return { ...content, prev, hash: chainHash(prev, toLogEntry(content)) };
}

/**
 * Appends to one log table in the order asked, each entry linked to the one before: the head is read once (the
 * newest entry by id), then every append follows the last. `last` and `add` must belong to one transaction.
 */
export class ChainAppender<R extends { prev?: string; hash?: string } = LogRecord> {
  private tail: Promise<string> | null = null;

  constructor(
    private readonly last: () => Promise<R | undefined>,
    private readonly add: (record: R) => Promise<unknown>,
    /** Seals entries written before the chain existed; resolves with the newest hash. */
    private readonly sealLegacy: () => Promise<string>,
    /** Seals one record after `prev`: the classifier's log by default. */
    private readonly seal: (record: R, prev: string) => R = sealed as unknown as (record: R, prev: string) => R,
  ) {}

  append(record: R): Promise<R> {
    return this.appendAll([record]).then(([entry]) => entry!);
  }

  /**
   * Appends records in order. They are sealed one after the other (synchronously), then written with their requests
   * issued together, which keeps them in order: a store assigns ids in request order.
   */
  appendAll(records: readonly R[]): Promise<R[]> {
    const head = (this.tail ??= this.last().then((entry) => (entry === undefined ? GENESIS : (entry.hash ?? this.sealLegacy()))));
    const done = head.then(async (prev) => {
      // Each entry's request goes out as soon as it is sealed, so the database stores the first ones while the rest
      // are hashed (a labelBatch of thousands seals for a good part of its time).
      const writes: Promise<unknown>[] = [];
      const entries = records.map((record) => {
        const entry = this.seal(record, prev);
        prev = entry.hash!;
        writes.push(this.add(entry));
        return entry;
      });
      await Promise.all(writes);
      return entries;
    });
    this.tail = done.then((entries) => entries.at(-1)?.hash ?? head);
    // A failed append aborts its transaction, and the caller hears of it through `done`; the tail has no reader then.
    this.tail.catch(() => undefined);
    return done;
  }
}

/** Seals records in id order from `prev` on, for a log written before the chain existed. */
export function sealAll(records: readonly LogRecord[], prev = GENESIS): LogRecord[] {
  return records.map((record) => {
    const entry = record.hash !== undefined && record.prev === prev ? record : sealed(record, prev);
    prev = entry.hash!;
    return entry;
  });
}

/** The cuts retention leaves in `remaining` (id order): each entry whose link does not follow the entry before it. */
export function cutsIn(remaining: readonly LogRecord[]): ChainCut[] {
  const cuts: ChainCut[] = [];
  let prev = GENESIS;
  for (const record of remaining) {
    if (record.prev !== undefined && record.prev !== prev && record.id !== undefined) cuts.push({ resume: record.id, prev: record.prev });
    prev = record.hash ?? prev;
  }
  return cuts;
}

async function digest(prev: string, entry: ChainedEntry): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', hashedBytes(prev, entry) as Uint8Array<ArrayBuffer>)));
}

/**
 * Checks a chain with SubtleCrypto's SHA-256 (not the one that wrote it): entries in id order, each hash recomputed,
 * each link either to the entry before or through a cut a retention entry recorded.
 */
export async function verifyChain(entries: readonly ChainedEntry[]): Promise<LogVerification> {
  const ordered = [...entries].sort((a, b) => a.id - b.id);
  const cuts = new Map<number, string>();
  for (const entry of ordered) if (entry.kind === 'retention') for (const cut of entry.cuts ?? []) cuts.set(cut.resume, cut.prev);
  let prev = GENESIS;
  for (const entry of ordered) {
    const bad = { ok: false, entries: ordered.length, firstBadEntry: entry.id, head: ordered.at(-1)?.hash ?? GENESIS };
    if (entry.hash === undefined || entry.prev === undefined) return bad;
    if (entry.prev !== prev && cuts.get(entry.id) !== entry.prev) return bad;
    if ((await digest(entry.prev, entry)) !== entry.hash) return bad;
    prev = entry.hash;
  }
  return { ok: true, entries: ordered.length, firstBadEntry: null, head: prev };
}

/** The entry a reset leaves: a new chain, naming how many entries went and where the old chain ended. */
export function resetEntry(removed: number, lastHash: string, modelVersion: number): LogRecord {
  return {
    kind: 'reset',
    time: Date.now(),
    exampleId: '',
    modelVersion,
    detail: `reset(): ${removed} log entries removed; the log before ended at ${lastHash}`,
  };
}

/** The entry retention leaves: how many entries it removed, and every gap in the chain that remains. */
export function retentionEntry(removed: number, cutoff: number, cuts: ChainCut[]): LogRecord {
  return {
    kind: 'retention',
    time: Date.now(),
    exampleId: '',
    modelVersion: 0,
    detail: `retention: ${removed} log entries before ${new Date(cutoff).toISOString()} removed`,
    cuts,
  };
}
