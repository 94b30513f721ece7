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
    return this.memory.size;
  }

  has(id: string): boolean {
    return this.labelsById.has(id);
  }

  label(id: string): StoredLabel | undefined {
    return this.labelsById.get(id);
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
    this.labelsById.set(example.id, stored(example));
    this.seq = Math.max(this.seq, example.seq + 1);
    if (this.input === 'features' && isNew) {
      this.liveStats ??= new RunningStats((vector as Float32Array).length);
      this.liveStats.add(vector as Float32Array);
    }
  }

  forget(id: string): void {
    this.memory.remove(id);
    this.changes += 1;
    this.labelsById.delete(id);
  }

  clear(): void {
    this.memory.clear();
    this.changes += 1;
    this.labelsById.clear();
    this.liveStats = null;
  }

  /** Mean and spread of the numeric rows labelled so far (null for other inputs, or before the first). */
  columnStats(): { mean: Float32Array; std: Float32Array } | null {
    return this.liveStats?.snapshot() ?? null;
  }

  countsByLabel(labels: readonly string[]): Record<string, number> {
    const counts = this.memory.countsByTarget(labels.length);
    const byLabel: Record<string, number> = {};
    labels.forEach((label, c) => (byLabel[label] = counts[c]!));
    return byLabel;
  }
}

function stored(example: ExampleRecord): StoredLabel {
  return { label: example.label, time: example.time, ...(example.annotator !== undefined ? { annotator: example.annotator } : {}) };
}
