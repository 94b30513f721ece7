import type { InputKind, StoredLabel } from '../../src/protocol.js';
import { RunningStats } from '../featurizers/features.js';
import type { Vector } from '../featurizers/vector.js';
import { ExampleMemory } from '../memory/example-memory.js';
import { Similarity } from '../memory/similarity.js';
import type { ExampleRecord } from '../storage/index.js';

/**
 * The labelled examples as the model sees them: the instant memory that answers near-duplicates, each input's human
 * label, and the running column statistics of numeric rows. Only stored examples enter it; storage stays the truth.
 */
export class Examples {
  readonly memory: ExampleMemory;
  readonly similarity: Similarity;
  private readonly labelsById = new Map<string, StoredLabel>();
  /**
   * Every labelled example as training sees it, in the memory's order, including those held out of the memory while
   * their label is in doubt (label-check.ts): a held label still trains the head, but no near-duplicate follows it.
   */
  private readonly rows = new Map<string, { target: number; vector: Vector; seq: number; picked: boolean }>();
  private readonly held = new Set<string>();
  /** The label a person kept each example's label against, on a second look (see ExampleRecord.confirmedAgainst). */
  private readonly confirmations = new Map<string, string>();
  private liveStats: RunningStats | null = null;
  /** The next decision's sequence number: above every stored example's. */
  seq = 0;
  /** Bumped whenever the memory changes: with the model version it says whether a prediction is stale. */
  changes = 0;

  constructor(
    private readonly input: InputKind,
    inputDim: () => number,
  ) {
    this.similarity = new Similarity(input === 'features' ? 'gaussian' : 'cosine', inputDim, () => this.liveStats?.snapshot().std ?? null);
    this.memory = new ExampleMemory(this.similarity);
  }

  get size(): number {
    return this.rows.size;
  }

  /**
   * Every labelled example, held ones included, in insertion order: what training learns from. `picked`: 1 where
   * the input was picked for review before its label (ExampleRecord.picked).
   */
  snapshot(): { ids: string[]; vectors: Vector[]; targets: Int32Array; picked: Uint8Array; seqEnd: number } {
    const ids = [...this.rows.keys()];
    const rows = [...this.rows.values()];
    return {
      ids,
      seqEnd: this.seq,
      vectors: rows.map((r) => r.vector),
      targets: Int32Array.from(rows, (r) => r.target),
      picked: Uint8Array.from(rows, (r) => (r.picked ? 1 : 0)),
    };
  }

  isPicked(id: string): boolean {
    return this.rows.get(id)?.picked ?? false;
  }

  /** The example's vector as training sees it. */
  vector(id: string): Vector | undefined {
    return this.rows.get(id)?.vector;
  }

  confirmedAgainst(id: string): string | undefined {
    return this.confirmations.get(id);
  }

  isHeld(id: string): boolean {
    return this.held.has(id);
  }

  /** Takes an example out of the memory's answers (and the lookup helper's copy) until release(); training keeps it. */
  hold(id: string): void {
    if (this.held.has(id) || !this.rows.has(id)) return;
    this.memory.remove(id);
    this.held.add(id);
    this.changes += 1;
  }

  release(id: string): void {
    const row = this.rows.get(id);
    if (!row || !this.held.delete(id)) return;
    this.memory.upsert(id, row.target, row.vector, row.seq);
    this.changes += 1;
  }

  has(id: string): boolean {
    return this.labelsById.has(id);
  }

  label(id: string): StoredLabel | undefined {
    return this.labelsById.get(id);
  }

  /** Ahead of remembering many examples at once (labelBatch, loading a model): see ExampleMemory.reserve. */
  reserve(vectors: readonly Vector[]): void {
    this.memory.reserve(vectors);
  }

  /**
   * Puts a stored example in, under its label's position in `labels`; `isNew` is false when it relabels an input
   * already counted in the statistics.
   */
  remember(example: ExampleRecord, vector: Vector, labels: readonly string[], isNew = true): void {
    const target = labels.indexOf(example.label);
    if (target < 0) return;
    this.changes += 1;
    this.memory.upsert(example.id, target, vector, example.seq);
    this.rows.set(example.id, { target, vector, seq: example.seq, picked: example.picked === true });
    this.held.delete(example.id);
    if (example.confirmedAgainst !== undefined) this.confirmations.set(example.id, example.confirmedAgainst);
    else this.confirmations.delete(example.id);
    this.labelsById.set(example.id, stored(example));
    this.seq = Math.max(this.seq, example.seq + 1);
    if (this.input === 'features' && isNew) {
      this.liveStats ??= new RunningStats((vector as Float32Array).length);
      this.liveStats.add(vector as Float32Array);
    }
  }

  /**
   * A label renamed (renameLabel): the same examples under the same label positions, so the memory and its vectors
   * stay as they are and only the names change.
   */
  rename(from: string, to: string): void {
    for (const [id, stored] of this.labelsById) if (stored.label === from) this.labelsById.set(id, { ...stored, label: to });
    for (const [id, against] of this.confirmations) if (against === from) this.confirmations.set(id, to);
    this.changes += 1;
  }

  forget(id: string): void {
    this.memory.remove(id);
    this.rows.delete(id);
    this.held.delete(id);
    this.confirmations.delete(id);
    this.changes += 1;
    this.labelsById.delete(id);
  }

  clear(): void {
    this.memory.clear();
    this.changes += 1;
    this.labelsById.clear();
    this.rows.clear();
    this.held.clear();
    this.confirmations.clear();
    this.liveStats = null;
  }

  /** Mean and spread of the numeric rows labelled so far (null for other inputs, or before the first). */
  columnStats(): { mean: Float32Array; std: Float32Array } | null {
    return this.liveStats?.snapshot() ?? null;
  }

  countsByLabel(labels: readonly string[]): Record<string, number> {
    const byLabel: Record<string, number> = {};
    for (const label of labels) byLabel[label] = 0;
    for (const { target } of this.rows.values()) byLabel[labels[target]!]! += 1;
    return byLabel;
  }
}

function stored(example: ExampleRecord): StoredLabel {
  return { label: example.label, time: example.time, ...(example.annotator !== undefined ? { annotator: example.annotator } : {}) };
}
