import type { InputKind } from '../src/protocol.js';
import type { Vector } from './featurizers/vector.js';
import type { Similarity } from './similarity.js';

/**
 * Similarity at which a stored example counts as a near-duplicate and starts to override the head. Image
 * features of two different digits of one class already reach ~0.88 cosine (a one-pixel shift ~0.98), so
 * images need a higher bar than text.
 */
export const NEAR_DUPLICATE: Record<InputKind, number> = { text: 0.8, features: 0.8, image: 0.93 };
/**
 * How sharply the memory prefers its closest class, per unit of similarity above the near-duplicate bar.
 * Measured from that bar, not from 0: image features of different digits sit at 0.9+ cosine, and a sharpness on
 * raw similarity made the memory's vote nearly uniform there, flattening confident heads (MNIST ECE 0.18).
 */
const SHARPNESS_NEAR = 8;
/** Before any head is trained, the memory alone answers, and should say so with modest confidence. */
const SHARPNESS_ALONE = 5;

interface Entry {
  id: string;
  target: number;
  vector: Vector;
  seq: number;
}

/**
 * Every labelled example, searchable by similarity: the instant memory that makes a correction take effect
 * on the very next prediction, before any retraining (like tfjs knn-classifier, but combined with the head).
 */
export class ExampleMemory {
  private readonly entries: Entry[] = [];
  private readonly positions = new Map<string, number>();
  constructor(private readonly similarity: Similarity) {}

  get size(): number {
    return this.entries.length;
  }

  upsert(id: string, target: number, vector: Vector, seq: number): void {
    const position = this.positions.get(id);
    const entry = { id, target, vector, seq };
    if (position === undefined) {
      this.positions.set(id, this.entries.length);
      this.entries.push(entry);
    } else {
      this.entries[position] = entry;
    }
  }

  /** Forgets one example (undo of the decision that added it); keeps the others' order, which training sees. */
  remove(id: string): boolean {
    const position = this.positions.get(id);
    if (position === undefined) return false;
    this.entries.splice(position, 1);
    this.positions.delete(id);
    for (let i = position; i < this.entries.length; i++) this.positions.set(this.entries[i]!.id, i);
    return true;
  }

  clear(): void {
    this.entries.length = 0;
    this.positions.clear();
  }

  /** Snapshot for training: rows and targets in insertion order. */
  snapshot(): { vectors: Vector[]; targets: Int32Array } {
    return { vectors: this.entries.map((e) => e.vector), targets: Int32Array.from(this.entries, (e) => e.target) };
  }

  countsByTarget(classes: number): number[] {
    const counts = new Array<number>(classes).fill(0);
    for (const entry of this.entries) counts[entry.target]! += 1;
    return counts;
  }

  /** The highest similarity per class (−∞ where a class has no example), and the highest overall. */
  nearest(query: Vector, classes: number): { perClass: Float64Array; top: number } {
    const perClass = new Float64Array(classes).fill(-Infinity);
    let top = -Infinity;
    let topSeq = -Infinity;
    let topTarget = -1;
    this.similarity.around(query, (similarity) => {
      for (const entry of this.entries) {
        const s = similarity(entry.vector);
        if (s > perClass[entry.target]!) perClass[entry.target] = s;
        // Ties (two inputs that featurize the same) go to the newest label: the latest human decision wins.
        if (s > top || (s === top && entry.seq > topSeq)) {
          top = s;
          topSeq = entry.seq;
          topTarget = entry.target;
        }
      }
    });
    if (topTarget >= 0) perClass[topTarget] = top + 1e-9;
    return { perClass, top };
  }

  /**
   * Class probabilities from the memory alone: modest far from every example (no head yet), or sharp among the
   * near-duplicates above `near` (similarities rescaled so `near` is 0 and an exact copy is 1).
   */
  static distribution(perClass: Float64Array, alone: boolean, near = 0): Float64Array {
    const logits = Array.from(perClass, (s) => {
      if (!Number.isFinite(s)) return 0;
      return alone ? SHARPNESS_ALONE * s : SHARPNESS_NEAR * Math.max(0, (s - near) / (1 - near));
    });
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return Float64Array.from(exps, (e) => e / sum);
  }
}
