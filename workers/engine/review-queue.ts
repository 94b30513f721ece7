import type { RawPrediction, RawQueueItem, WireInput } from '../../src/protocol.js';
import type { Vector } from '../featurizers/vector.js';
import { inputView } from '../audit/log-records.js';
import { inputId } from '../audit/input-id.js';
import { leastInformative, rankQueue } from '../queue.js';
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
    const stale = entries.filter((e) => e.stamp !== stamp);
    if (stale.length > 0) {
      const { probs, hasModel } = await session.serving.probabilities(stale.map((e) => e.vector!));
      const fresh = session.serving.toPredictions(probs, hasModel);
      stale.forEach((e, i) => {
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
    const { order, scores } = rankQueue(
      entries.map((e) => ({ probs: e.probs!, vector: e.vector!, skipped: e.record.skipped })),
      DEFAULT_REVIEW_STRATEGY,
      session.examples.similarity,
      limit,
    );
    return order.slice(0, limit).map((i) => {
      const { record } = entries[i]!;
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
