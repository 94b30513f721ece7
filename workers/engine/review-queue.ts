import type { RawPrediction, RawQueueItem, WireInput } from '../../src/protocol.js';
import type { Vector } from '../featurizers/vector.js';
import { inputView } from '../audit/log-records.js';
import { inputId } from '../audit/input-id.js';
import { leastInformative, rankQueue } from '../queue.js';
import { refineCount, reviewCandidates } from '../review.js';
import type { QueueRecord, StoredInput } from '../storage/index.js';
import { DEFAULT_REVIEW_STRATEGY, QUEUE_AUTO_LIMIT } from './policy.js';
import type { ModelSession } from './model-session.js';

interface QueueEntry {
  record: QueueRecord;
  /** Featurised once, then reused by every re-ranking. */
  vector?: Vector;
  /** Class probabilities and the model state they came from: re-predicted only when that state changed. */
  probs?: Float64Array;
  stamp?: string;
}

const NOT_QUEUED = (itemId: string) => new RangeError(`No pending queue item ${JSON.stringify(itemId)}: it was labelled already or never queued.`);

/**
 * The persistent review queue: every prediction that needed review and nobody decided yet, kept here as stored so
 * ranking needs no read. Writes go to storage first, then here.
 */
export class ReviewQueue {
  private readonly queued = new Map<string, QueueEntry>();

  constructor(private readonly session: ModelSession) {}

  get size(): number {
    return this.queued.size;
  }

  entry(id: string): { record: QueueRecord; vector?: Vector } | undefined {
    return this.queued.get(id);
  }

  load(records: readonly QueueRecord[]): void {
    this.queued.clear();
    for (const record of records) this.put(record);
  }

  clear(): void {
    this.queued.clear();
  }

  /** Puts a stored record back (an undone decision's item), with its vector when the record carries one. */
  put(record: QueueRecord, vector?: Vector): void {
    const v = vector ?? record.vector;
    this.queued.set(record.id, v ? { record, vector: v } : { record });
  }

  /** Drops an item a person decided; true when it was queued. */
  take(id: string): boolean {
    return this.queued.delete(id);
  }

  /**
   * A prediction that needs review, staged to be written: the existing item gets the newer prediction, a new one is
   * added. Returns the record to store and whether the item is new.
   */
  stage(id: string, prediction: RawPrediction, input: StoredInput, vector: Vector): { record: QueueRecord; added: boolean } {
    const existing = this.queued.get(id);
    const record: QueueRecord = existing
      ? { ...existing.record, prediction }
      : { id, prediction, addedAt: Date.now(), skipped: 0, ...this.session.handles.keptInput(input, vector) };
    this.queued.set(id, { record, vector });
    return { record, added: !existing };
  }

  /** Past QUEUE_AUTO_LIMIT, the least informative items make room; returns their ids, already dropped here. */
  evictOverflow(): string[] {
    if (this.queued.size <= QUEUE_AUTO_LIMIT) return [];
    const pending = [...this.queued.values()].map((e) => ({ id: e.record.id, probs: Object.values(e.record.prediction.scores) }));
    const evict = leastInformative(pending, this.queued.size - QUEUE_AUTO_LIMIT, DEFAULT_REVIEW_STRATEGY);
    for (const id of evict) this.queued.delete(id);
    return evict;
  }

  emitSize(): void {
    this.session.emit({ type: 'queue-changed', key: this.session.key, size: this.queued.size });
  }

  /** Pending items, most informative first, each re-predicted by the current model. */
  async list(limit: number): Promise<RawQueueItem[]> {
    const { session } = this;
    await session.recorder.flush();
    const entries = [...this.queued.values()].sort((a, b) => a.record.addedAt - b.record.addedAt || (a.record.id < b.record.id ? -1 : 1));
    if (entries.length === 0) return [];
    const missing = entries.filter((e) => !e.vector);
    const computed = await session.vectorize(missing.map((e) => e.record.input!));
    missing.forEach((e, i) => (e.vector = computed[i]!));
    // Only items whose prediction is stale are predicted again: re-reading an unchanged queue costs a sort.
    const stamp = `${session.serving.modelVersion}:${session.examples.changes}:${session.labels.length}`;
    const ranked = await this.refined(entries, stamp, limit);
    const { order, scores } = rankQueue(
      ranked.map((e) => ({ probs: e.probs!, vector: e.vector!, skipped: e.record.skipped })),
      DEFAULT_REVIEW_STRATEGY,
      session.examples.similarity,
      limit,
    );
    return order.slice(0, limit).map((i) => {
      const { record } = ranked[i]!;
      const item: RawQueueItem = {
        id: record.id,
        prediction: record.prediction,
        score: scores[i]!,
        addedAt: record.addedAt,
        skipped: record.skipped > 0,
      };
      if (record.input !== undefined) item.input = inputView(record.input);
      return item;
    });
  }

  /**
   * The entries a listing of `limit` ranks, each with its current answer (head and memory blended), oldest first.
   * Every label makes every item stale, and the memory's near-duplicate lookup is most of a re-prediction's cost
   * (seconds over 10,000 items of text that share most of their words, issue 22), so a large stale queue is ranked
   * as selectForReview ranks a pool: the head's answer for every stale item, then the memory for the
   * refineCount(n, limit) most uncertain only, and the listing ranks those. Items left with the head's answer alone
   * keep their stored prediction, and are refined when a later listing ranks them among its candidates.
   */
  private async refined(entries: QueueEntry[], stamp: string, limit: number): Promise<QueueEntry[]> {
    const { serving } = this.session;
    const headStamp = `head:${stamp}`;
    const fresh = entries.filter((e) => e.record.skipped === 0);
    const count = refineCount(fresh.length, limit);
    const stale = entries.filter((e) => e.stamp !== stamp);
    if (!serving.hasHead || serving.voteWeight() !== 0 || stale.length <= count || fresh.length < limit) {
      await this.predict(stale, stamp);
      return entries;
    }
    const unknown = stale.filter((e) => e.stamp !== headStamp);
    if (unknown.length > 0) {
      const classes = this.session.labels.length;
      const nothingNear = { perClass: new Float64Array(classes).fill(-Infinity), top: -Infinity, topSeq: -Infinity };
      const { probs } = await serving.probabilities(
        unknown.map((e) => e.vector!),
        unknown.map(() => nothingNear),
      );
      unknown.forEach((e, i) => {
        e.probs = probs[i]!;
        e.stamp = headStamp;
      });
    }
    // In queue order, so the ranking breaks ties by age as it does over the whole queue.
    const candidates = reviewCandidates(
      fresh.map((e) => e.probs!),
      count,
      DEFAULT_REVIEW_STRATEGY,
    )
      .sort((a, b) => a - b)
      .map((i) => fresh[i]!);
    await this.predict(
      candidates.filter((e) => e.stamp !== stamp),
      stamp,
    );
    return candidates;
  }

  /** Predicts `entries` again with head and memory; a changed answer replaces the stored prediction. */
  private async predict(entries: QueueEntry[], stamp: string): Promise<void> {
    if (entries.length === 0) return;
    const { session } = this;
    const { probs, hasModel } = await session.serving.probabilities(entries.map((e) => e.vector!));
    const fresh = session.serving.toPredictions(probs, hasModel);
    entries.forEach((e, i) => {
      e.probs = probs[i]!;
      e.stamp = stamp;
      const old = e.record.prediction;
      const now = fresh[i]!;
      // Same model, same answer: keep the prediction (and its id) the page may already be showing.
      if (old.modelVersion !== now.modelVersion || old.label !== now.label || Math.abs(old.confidence - now.confidence) > 1e-6) {
        e.record = { ...e.record, prediction: now };
        session.recorder.remember(now);
      }
    });
  }

  /** Adds inputs to the queue (once each); resolves with the queue size. */
  async enqueue(inputs: WireInput[]): Promise<number> {
    const { session } = this;
    await session.recorder.flush();
    const canonical = await session.canonicalAll(inputs);
    const { vectors, probs, hasModel } = await session.batches.score(canonical);
    const ids = await Promise.all(canonical.map((input) => inputId(session.spec.input, input)));
    const predictions = session.serving.toPredictions(probs, hasModel);
    const added: QueueRecord[] = [];
    const now = Date.now();
    ids.forEach((id, i) => {
      if (this.queued.has(id) || added.some((r) => r.id === id)) return;
      session.recorder.remember(predictions[i]!);
      added.push({ id, prediction: predictions[i]!, addedAt: now, skipped: 0, ...session.handles.keptInput(canonical[i]!, vectors[i]!) });
    });
    if (added.length > 0) {
      await session.store.putQueued(added);
      added.forEach((record) => this.queued.set(record.id, { record, vector: vectors[ids.indexOf(record.id)]! }));
      this.emitSize();
    }
    return this.queued.size;
  }

  /** Moves an item behind every other (still pending). */
  async skip(itemId: string): Promise<void> {
    await this.session.recorder.flush();
    const entry = this.queued.get(itemId);
    if (!entry) throw NOT_QUEUED(itemId);
    const last = Math.max(0, ...[...this.queued.values()].map((e) => e.record.skipped));
    const record = { ...entry.record, skipped: last + 1 };
    await this.session.store.putQueued([record]);
    entry.record = record;
    this.emitSize();
  }

  /** A pending item by id, for a decision on it; throws when there is none. */
  pending(itemId: string): { record: QueueRecord; vector?: Vector } {
    const entry = this.queued.get(itemId);
    if (!entry) throw NOT_QUEUED(itemId);
    return entry;
  }
}
