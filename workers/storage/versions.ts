import type { TrainingMetrics } from '../../src/protocol.js';
import type { LogRecord, VersionRecord, WeightsRecord } from './records.js';

// Model versions (schema 5): the trained heads a model keeps for rollback. What both stores decide alike lives here,
// over a small table interface, so the IndexedDB store (object stores of one transaction) and the memory store
// cannot drift apart on what they keep, serve or refuse.

/** How many versions a store keeps after a save when nothing asks for another number. */
export const KEEP_VERSIONS_DEFAULT = 5;

/** A version count: a whole number, 1 or more. */
export function assertKeepVersions(keep: number): void {
  if (typeof keep !== 'number') throw new TypeError(`keepVersions must be a number of versions, got ${typeof keep}.`);
  if (!(Number.isInteger(keep) && keep >= 1)) {
    throw new RangeError(`keepVersions must be a whole number of versions, 1 or more, got ${String(keep)}.`);
  }
}

/** A version as the page may ask for one (in `what`, e.g. "rollback(version)"): a whole number above 0. */
export function assertVersionNumber(version: unknown, what: string): asserts version is number {
  if (typeof version !== 'number') throw new TypeError(`${what} expects a model version number (see versions()), got ${describeValue(version)}.`);
  if (!(Number.isInteger(version) && version >= 1)) throw new RangeError(`${what} expects a whole version number above 0, got ${String(version)}.`);
}

function describeValue(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'string'
        ? `the string ${JSON.stringify(value)}`
        : typeof value;
}

/**
 * The metrics a head's record alone tells: for a head saved before versions existed (the schema upgrade), and for
 * an imported one. Held-out accuracy and the loss were not kept then.
 */
export function metricsOf(weights: WeightsRecord): TrainingMetrics {
  const calibration = weights.calibration;
  return {
    examples: weights.examples,
    byLabel: {},
    start: weights.start ?? 'zeros',
    loss: null,
    heldOut: calibration ? { examples: calibration.heldOut, accuracy: null, ece: calibration.eceAfter } : null,
    featureChoice:
      weights.shortGramShare === undefined ? null : { shortGramShare: weights.shortGramShare, extra: weights.extra ?? 'letters', accuracy: null },
    ms: null,
    backend: weights.backend,
  };
}

/** The record kept for a head: its weights without what belongs to serving it (the pin, the serial). */
export function versionRecord(weights: WeightsRecord, metrics: TrainingMetrics = metricsOf(weights)): VersionRecord {
  const { pinned: _pinned, serial: _serial, ...kept } = weights;
  return { version: weights.version, weights: kept, metrics };
}

/** Where a served head stands among the writes of the served head (WeightsRecord.serial); 0 for none. */
export function serialOf(weights: WeightsRecord | null | undefined): number {
  return weights ? (weights.serial ?? weights.version) : 0;
}

/** `head` as the next served head after `current`: its serial above every one before (left out when it is the version). */
export function servedAfter(head: WeightsRecord, current: WeightsRecord | undefined): WeightsRecord {
  const { serial: _old, ...rest } = head;
  const serial = Math.max(head.version, serialOf(current) + 1);
  return serial === head.version ? rest : { ...rest, serial };
}

/** The versions to delete so that the newest `keep` remain, besides the one served (never deleted while it serves). */
export function evicted(versions: readonly number[], keep: number, served: number | undefined): number[] {
  const newestFirst = [...versions].sort((a, b) => b - a);
  return newestFirst.slice(keep).filter((version) => version !== served);
}

/** The reads and writes a change of the served version needs, inside one transaction of either store. */
export interface VersionTables {
  getVersion(version: number): Promise<VersionRecord | undefined>;
  versionNumbers(): Promise<number[]>;
  getCurrent(): Promise<WeightsRecord | undefined>;
  putCurrent(weights: WeightsRecord): Promise<unknown>;
  addLog(record: LogRecord): Promise<unknown>;
}

/**
 * What to serve: `version` (null: the head served now) and whether it is pinned (undefined: as the served head was).
 * `log` writes the change's entry from the head served before and the one served after.
 */
export interface ServeChange {
  version: number | null;
  pinned?: boolean;
}

export type ServeLogWriter = (before: WeightsRecord | undefined, after: WeightsRecord) => LogRecord;

/**
 * Serves a kept version: checked against the stored versions inside the transaction, then the served head replaced
 * and the change logged. A RangeError naming the kept versions when `version` is not one, and nothing is written.
 */
export async function applyServe(t: VersionTables, change: ServeChange, log: ServeLogWriter): Promise<WeightsRecord> {
  const current = await t.getCurrent();
  let weights: WeightsRecord;
  if (change.version === null) {
    if (!current) throw new RangeError('This model has no trained version to pin or unpin yet; train() first.');
    weights = current;
  } else {
    const kept = await t.getVersion(change.version);
    if (!kept) {
      const numbers = (await t.versionNumbers()).sort((a, b) => b - a);
      throw new RangeError(
        `Model version ${change.version} is not kept; ${numbers.length === 0 ? 'no version is kept yet (train() first)' : `the kept versions are ${numbers.join(', ')}`}.`,
      );
    }
    weights = kept.weights;
  }
  const pinned = change.pinned ?? current?.pinned === true;
  const { pinned: _was, ...head } = servedAfter(weights, current);
  const served: WeightsRecord = pinned ? { ...head, pinned: true } : head;
  await Promise.all([t.putCurrent(served), t.addLog(log(current, served))]);
  return served;
}
