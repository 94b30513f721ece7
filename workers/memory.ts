import type { InputKind } from '../src/protocol.js';
import { isSparse, type SparseVector, type Vector } from './featurizers/vector.js';
import { dot, type Similarity } from './similarity.js';

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
/** Float slack for the pruning bounds: a bound must never drop an example whose exact similarity is above the floor. */
const SLACK = 1e-5;
/** Numeric rows left in reach below this many are scored exactly rather than pruned column by column. */
const EXACT_BELOW = 32;

interface Entry {
  id: string;
  target: number;
  vector: Vector;
  seq: number;
  /** Stable index into the per-slot scratch arrays and the postings (positions shift when an example is removed). */
  slot: number;
  position: number;
  /** Squared L2 norm; the pruning bounds for sparse vectors hold for unit vectors only. */
  norm2: number;
  /** `Math.sqrt(dot(v, v)) || 1`, as the cosine of dense vectors divides by it. */
  norm: number;
  /** A sparse vector of norm other than 1 (an empty text), which the bounds do not cover. */
  irregular: boolean;
}

/** One feature's postings: the slots of the sparse examples that use it, with their values. */
interface Postings {
  slots: Int32Array;
  values: Float32Array;
  length: number;
}

/**
 * Every labelled example, searchable by similarity: the instant memory that makes a correction take effect
 * on the very next prediction, before any retraining (like tfjs knn-classifier, but combined with the head).
 *
 * Lookups must not scan every example (5,000 text labels made a batch of 200 predictions take 17 s): sparse
 * examples sit in an inverted index, and when only near-duplicates matter (a `floor` is given) a lookup visits only
 * examples that share one of the query's rarest features and could still pass the floor. Every similarity it
 * reports is computed exactly as a full scan would (same operations, same order), so answers do not change.
 */
export class ExampleMemory {
  private readonly entries: Entry[] = [];
  private readonly positions = new Map<string, number>();
  private readonly slots: (Entry | null)[] = [];
  private readonly freeSlots: number[] = [];
  /** Postings by feature index (a dense array: the hashed text space is small, and lookups are per query feature). */
  private readonly postings: (Postings | undefined)[] = [];
  /** Sparse examples whose norm is not 1 (an empty text): the bounds do not cover them, so they are always scored. */
  private readonly irregular = new Set<Entry>();
  private scratch = { acc: new Float64Array(0), stamp: new Int32Array(0) };
  private pruneRows = new Float64Array(0);
  private stampNow = 0;
  private denseQuery: Float32Array | null = null;
  private met = new Int32Array(0);
  /** Numeric rows (Gaussian metric), column-major by slot: value of column i for slot s at i · capacity + s. */
  private columns = new Float32Array(0);
  private columnDim = -1;
  private columnCapacity = 0;

  constructor(private readonly similarity: Similarity) {}

  get size(): number {
    return this.entries.length;
  }

  upsert(id: string, target: number, vector: Vector, seq: number): void {
    const position = this.positions.get(id);
    if (position !== undefined) {
      const old = this.entries[position]!;
      this.unindex(old);
      const entry = this.makeEntry(id, target, vector, seq, old.slot, position);
      this.entries[position] = entry;
      this.slots[old.slot] = entry;
      this.index(entry);
      return;
    }
    const slot = this.freeSlots.pop() ?? this.slots.length;
    const entry = this.makeEntry(id, target, vector, seq, slot, this.entries.length);
    this.positions.set(id, this.entries.length);
    this.entries.push(entry);
    this.slots[slot] = entry;
    this.index(entry);
  }

  /** Forgets one example (undo of the decision that added it); keeps the others' order, which training sees. */
  remove(id: string): boolean {
    const position = this.positions.get(id);
    if (position === undefined) return false;
    const entry = this.entries[position]!;
    this.unindex(entry);
    this.slots[entry.slot] = null;
    this.freeSlots.push(entry.slot);
    this.entries.splice(position, 1);
    this.positions.delete(id);
    for (let i = position; i < this.entries.length; i++) {
      this.entries[i]!.position = i;
      this.positions.set(this.entries[i]!.id, i);
    }
    return true;
  }

  clear(): void {
    this.entries.length = 0;
    this.positions.clear();
    this.slots.length = 0;
    this.freeSlots.length = 0;
    this.postings.length = 0;
    this.irregular.clear();
    this.columns = new Float32Array(0);
    this.columnDim = -1;
    this.columnCapacity = 0;
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

  /**
   * The highest similarity per class (−∞ where a class has no example), and the highest overall. With a `floor`,
   * only similarities above it are reported: a class (or the top) whose best is at or below the floor may read
   * −∞, which is all a caller that ignores everything up to the floor (the near-duplicate bar) needs. Without
   * one, every example is scored.
   */
  nearest(query: Vector, classes: number, floor?: number): { perClass: Float64Array; top: number } {
    const perClass = new Float64Array(classes).fill(-Infinity);
    let top = -Infinity;
    let topSeq = -Infinity;
    let topTarget = -1;
    // Ties (two inputs that featurize the same) go to the newest label: the latest human decision wins.
    const visit = (entry: Entry, s: number) => {
      if (s > perClass[entry.target]!) perClass[entry.target] = s;
      if (s > top || (s === top && entry.seq > topSeq)) {
        top = s;
        topSeq = entry.seq;
        topTarget = entry.target;
      }
    };
    if (isSparse(query)) this.sparseNearest(query, floor, visit);
    else this.denseNearest(query, floor, visit);
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

  // ---- index ---------------------------------------------------------------------------------------------------

  private makeEntry(id: string, target: number, vector: Vector, seq: number, slot: number, position: number): Entry {
    const sparse = isSparse(vector);
    const norm2 = sparse ? dot(vector.values, vector.values) : dot(vector, vector);
    return {
      id,
      target,
      vector,
      seq,
      slot,
      position,
      norm2,
      norm: sparse ? 1 : Math.sqrt(norm2) || 1,
      irregular: sparse && Math.abs(norm2 - 1) > 1e-6,
    };
  }

  private index(entry: Entry): void {
    if (!isSparse(entry.vector)) {
      this.storeColumns(entry.slot, entry.vector);
      return;
    }
    if (entry.irregular) this.irregular.add(entry);
    const { indices, values } = entry.vector;
    // Grown with explicit holes filled, so the array stays a fast packed one rather than a dictionary.
    const last = indices.length > 0 ? indices[indices.length - 1]! : -1;
    while (this.postings.length <= last) this.postings.push(undefined);
    for (let j = 0; j < indices.length; j++) {
      let list = this.postings[indices[j]!];
      if (!list) {
        list = { slots: new Int32Array(4), values: new Float32Array(4), length: 0 };
        this.postings[indices[j]!] = list;
      }
      if (list.length === list.slots.length) {
        const slots = new Int32Array(list.length * 2);
        const vals = new Float32Array(list.length * 2);
        slots.set(list.slots);
        vals.set(list.values);
        list.slots = slots;
        list.values = vals;
      }
      list.slots[list.length] = entry.slot;
      list.values[list.length] = values[j]!;
      list.length += 1;
    }
  }

  /** Copies a numeric row into the column store (Gaussian metric only; rows of another length turn the store off). */
  private storeColumns(slot: number, row: Float32Array): void {
    if (this.similarity.metric !== 'gaussian') return;
    if (this.columnDim === -1) this.columnDim = row.length;
    if (row.length !== this.columnDim) {
      this.columnDim = -2;
      return;
    }
    const dim = this.columnDim;
    if (slot >= this.columnCapacity) {
      const capacity = Math.max(64, this.columnCapacity * 2, slot + 1);
      const grown = new Float32Array(dim * capacity);
      for (let i = 0; i < dim; i++) grown.set(this.columns.subarray(i * this.columnCapacity, (i + 1) * this.columnCapacity), i * capacity);
      this.columns = grown;
      this.columnCapacity = capacity;
    }
    for (let i = 0; i < dim; i++) this.columns[i * this.columnCapacity + slot] = row[i]!;
  }

  private unindex(entry: Entry): void {
    if (!isSparse(entry.vector)) return;
    this.irregular.delete(entry);
    for (const feature of entry.vector.indices) {
      const list = this.postings[feature];
      if (!list) continue;
      // Posting order is free: each example's sum runs in the query's feature order, not the list's.
      const at = list.slots.subarray(0, list.length).indexOf(entry.slot);
      if (at < 0) continue;
      list.length -= 1;
      list.slots[at] = list.slots[list.length]!;
      list.values[at] = list.values[list.length]!;
      if (list.length === 0) this.postings[feature] = undefined;
    }
  }

  /** Per-slot scratch for a full scoring pass, reset lazily through a stamp per lookup. */
  private scratchFor(): ExampleMemory['scratch'] {
    const size = this.slots.length;
    if (this.scratch.stamp.length < size) {
      const grown = Math.max(size, this.scratch.stamp.length * 2, 64);
      this.scratch = { acc: new Float64Array(grown), stamp: new Int32Array(grown) };
    }
    this.nextStamp();
    return this.scratch;
  }

  private pruneScratch(): Float64Array {
    if (this.pruneRows.length < this.slots.length * 4)
      this.pruneRows = new Float64Array(Math.max(this.slots.length, this.pruneRows.length / 2, 64) * 4);
    this.nextStamp();
    return this.pruneRows;
  }

  /** Stamps only grow, so no scratch row can carry a stale one from an earlier lookup (2³¹ lookups per worker). */
  private nextStamp(): void {
    this.stampNow += 1;
    if (this.stampNow === 0x7fffffff) {
      this.scratch.stamp.fill(0);
      this.pruneRows.fill(0);
      this.stampNow = 1;
    }
  }

  // ---- sparse (text) -------------------------------------------------------------------------------------------

  /**
   * The dot product of a sparse example with the query, exactly as a full scan computes it: over the example's
   * features in ascending order, the query scattered into a dense buffer.
   */
  private exactSparse(entry: Entry, dense: Float32Array): number {
    if (!isSparse(entry.vector)) return 0;
    const { indices, values } = entry.vector;
    let sum = 0;
    for (let j = 0; j < indices.length; j++) sum += dense[indices[j]!]! * values[j]!;
    return sum;
  }

  private sparseNearest(query: SparseVector, floor: number | undefined, visit: (entry: Entry, s: number) => void): void {
    if (this.entries.length === 0) return;
    const queryNorm2 = dot(query.values, query.values);
    // A near-duplicate of a unit query leaves less than τ = 2(1 − floor) of the query's mass unmatched, since
    // ‖q − v‖² = 2 − 2·cos. Below floor 0.5 that excludes nothing, so every example is scored.
    const tau = floor === undefined ? Infinity : 2 * (1 - floor);
    if (tau >= 1 - 1e-3 || Math.abs(queryNorm2 - 1) > 1e-6) {
      this.sparseFull(query, visit);
      return;
    }
    this.sparsePruned(query, floor!, tau, visit);
  }

  /**
   * Every example scored through the index. Each example's sum gets the products of the features it shares with
   * the query in ascending feature order, exactly the non-zero terms (and order) of a full scan's sum, whose other
   * terms are zeros: the result is the same number.
   */
  private sparseFull(query: SparseVector, visit: (entry: Entry, s: number) => void): void {
    const { acc, stamp } = this.scratchFor();
    const now = this.stampNow;
    for (let j = 0; j < query.indices.length; j++) {
      const list = this.postings[query.indices[j]!];
      if (!list) continue;
      const q = query.values[j]!;
      const { slots, values, length } = list;
      for (let p = 0; p < length; p++) {
        const slot = slots[p]!;
        if (stamp[slot] !== now) {
          stamp[slot] = now;
          acc[slot] = 0;
        }
        acc[slot]! += q * values[p]!;
      }
    }
    for (const entry of this.entries) visit(entry, isSparse(entry.vector) && stamp[entry.slot] === now ? acc[entry.slot]! : 0);
  }

  /**
   * Only examples that can be above `floor`. The query's rarest features carrying more than τ of its mass form the
   * probe set: a near-duplicate must share one of them. Each example met there is then bounded by what it matched
   * (unmatched query mass must stay under τ; its dot product can gain at most ‖q_rest‖·‖v_rest‖ from the rest)
   * and scored exactly only if it could still pass.
   */
  private sparsePruned(query: SparseVector, floor: number, tau: number, visit: (entry: Entry, s: number) => void): void {
    const n = query.indices.length;
    // Rarest first (ties by position): document frequency and position packed in one number, sorted numerically.
    const keys = new Float64Array(n);
    for (let j = 0; j < n; j++) keys[j] = (this.postings[query.indices[j]!]?.length ?? 0) * 65_536 + j;
    keys.sort();
    const order = Int32Array.from(keys, (key) => key % 65_536);
    let probeMass = 0;
    let probeCount = 0;
    while (probeCount < n && probeMass <= tau + SLACK) {
      const v = query.values[order[probeCount]!]!;
      probeMass += v * v;
      probeCount += 1;
    }
    let restMass = 0;
    for (let k = probeCount; k < n; k++) restMass += query.values[order[k]!]! ** 2;
    const restNorm = Math.sqrt(restMass);

    // One interleaved row per slot (stamp, dot, query mass, value mass): one cache line per posting visited.
    const rows = this.pruneScratch();
    const now = this.stampNow;
    if (this.met.length < this.slots.length) this.met = new Int32Array(Math.max(this.slots.length, this.met.length * 2));
    const met = this.met;
    let metCount = 0;
    for (let k = 0; k < probeCount; k++) {
      const j = order[k]!;
      const list = this.postings[query.indices[j]!];
      if (!list) continue;
      const q = query.values[j]!;
      const q2 = q * q;
      const { slots, values, length } = list;
      for (let p = 0; p < length; p++) {
        const at = slots[p]! * 4;
        const v = values[p]!;
        if (rows[at] !== now) {
          rows[at] = now;
          rows[at + 1] = q * v;
          rows[at + 2] = q2;
          rows[at + 3] = v * v;
          met[metCount++] = slots[p]!;
        } else {
          rows[at + 1]! += q * v;
          rows[at + 2]! += q2;
          rows[at + 3]! += v * v;
        }
      }
    }

    const dense = this.scatter(query);
    const survivors: Entry[] = [];
    try {
      // Bounds first, from the flat arrays: most examples met stop here without their entry being touched.
      for (let m = 0; m < metCount; m++) {
        const slot = met[m]!;
        const at = slot * 4;
        if (probeMass - rows[at + 2]! >= tau + SLACK) continue;
        if (rows[at + 1]! + restNorm * Math.sqrt(Math.max(0, 1 + SLACK - rows[at + 3]!)) <= floor - SLACK) continue;
        const entry = this.slots[slot]!;
        if (!entry.irregular) survivors.push(entry);
      }
      for (const entry of this.irregular) survivors.push(entry);
      // Full-scan order, so ties resolve exactly as a scan resolves them.
      survivors.sort((a, b) => a.position - b.position);
      for (const entry of survivors) {
        const s = this.exactSparse(entry, dense);
        if (s > floor) visit(entry, s);
      }
    } finally {
      for (let j = 0; j < query.indices.length; j++) dense[query.indices[j]!] = 0;
    }
  }

  private scatter(query: SparseVector): Float32Array {
    const dim = this.similarity.dim();
    if (!this.denseQuery || this.denseQuery.length !== dim) this.denseQuery = new Float32Array(dim);
    for (let j = 0; j < query.indices.length; j++) this.denseQuery[query.indices[j]!] = query.values[j]!;
    return this.denseQuery;
  }

  // ---- dense (numeric rows, image features) ------------------------------------------------------------------

  private denseNearest(query: Float32Array, floor: number | undefined, visit: (entry: Entry, s: number) => void): void {
    const dim = query.length;
    if (this.similarity.metric === 'cosine') {
      const queryNorm = Math.sqrt(dot(query, query)) || 1;
      for (const entry of this.entries) {
        visit(entry, isSparse(entry.vector) ? 0 : dot(query, entry.vector) / (queryNorm * entry.norm));
      }
      return;
    }
    const scale = this.similarity.scale();
    const width = 0.05 * dim;
    // exp(−d²/width) > floor ⇔ d² < −width·ln(floor): rows whose partial sum of squares passes that are too far.
    const limit = floor !== undefined && floor > 0 && floor < 1 ? -width * Math.log(floor) * (1 + SLACK) + SLACK : Infinity;
    const exact = (entry: Entry) => {
      const vector = entry.vector as Float32Array;
      let d2 = 0;
      for (let i = 0; i < dim; i++) {
        const d = (query[i]! - vector[i]!) / (scale ? scale[i]! : 1);
        d2 += d * d;
      }
      // 1 for the same row, ~0.8 for rows a tenth of a standard deviation apart in every column.
      return Math.exp(-d2 / width);
    };
    if (!Number.isFinite(limit) || this.columnDim !== dim) {
      for (const entry of this.entries) visit(entry, isSparse(entry.vector) ? 0 : exact(entry));
      return;
    }
    // Column by column, widest spread first, over every row still in reach: one column is one sequential read,
    // where row by row each of a few scattered columns costs a cache miss. Most rows are out of reach within a
    // dozen columns; the few left are then scored exactly, in scan order.
    const order = this.widestFirst(scale, dim);
    let count = 0;
    const alive = new Int32Array(this.entries.length);
    const slots = new Int32Array(this.entries.length);
    for (const entry of this.entries) {
      if (isSparse(entry.vector)) continue;
      alive[count] = entry.position;
      slots[count] = entry.slot;
      count += 1;
    }
    const d2 = new Float64Array(count);
    const columns = this.columns;
    const capacity = this.columnCapacity;
    for (let k = 0; k < dim && count > EXACT_BELOW; k++) {
      const i = order[k]!;
      const inverse = 1 / (scale ? scale[i]! : 1);
      const q = query[i]!;
      const base = i * capacity;
      for (let a = 0; a < count; a++) {
        const d = (q - columns[base + slots[a]!]!) * inverse;
        d2[a]! += d * d;
      }
      if ((k & 3) === 3) {
        let kept = 0;
        for (let a = 0; a < count; a++) {
          if (d2[a]! >= limit) continue;
          alive[kept] = alive[a]!;
          slots[kept] = slots[a]!;
          d2[kept] = d2[a]!;
          kept += 1;
        }
        count = kept;
      }
    }
    for (let a = 0; a < count; a++) {
      const entry = this.entries[alive[a]!]!;
      const similarity = exact(entry);
      // Only what passes the floor: a row left in reach is not necessarily closer than one dropped.
      if (similarity > floor!) visit(entry, similarity);
    }
  }

  private orderCache: { scale: Float32Array | null; dim: number; order: Int32Array } | null = null;

  /** Columns by decreasing spread: the ones that tell rows apart come first, so a far row is dropped early. */
  private widestFirst(scale: Float32Array | null, dim: number): Int32Array {
    if (this.orderCache && this.orderCache.scale === scale && this.orderCache.dim === dim) return this.orderCache.order;
    const order = Int32Array.from({ length: dim }, (_, i) => i);
    if (scale) order.sort((a, b) => scale[b]! - scale[a]! || a - b);
    this.orderCache = { scale, dim, order };
    return order;
  }
}
