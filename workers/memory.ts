import type { InputKind } from '../src/protocol.js';
import { isSparse, type SparseVector, type Vector } from './featurizers/vector.js';
import { dot, inverseScale, scaledDistance2, type Similarity } from './similarity.js';

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
/** A sparse vector counts as unit (and the bounds hold for it) when its squared norm is this close to 1. */
const UNIT_SLACK = 1e-6;
/** The unit of the 16-bit values and masses in prefix postings. */
const UNIT_16 = 1 / 0xffff;
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

/** Told of every change to a memory, in order, so a copy elsewhere (lookup-helper.ts) holds the same examples. */
export interface MemoryObserver {
  upsert(id: string, target: number, vector: Vector, seq: number): void;
  remove(id: string): void;
  clear(): void;
}

/** One feature's postings: the slots of the sparse examples that use it, with their values. */
interface Postings {
  slots: Int32Array;
  values: Float32Array;
  length: number;
}

/**
 * The prefix index for floor lookups. Each unit sparse example is read as tokens, a feature with its sign, and its
 * prefix is its tokens in one frozen global order up to and including the first where the running squared mass
 * passes T = 1 − floor². A near-duplicate (cosine above the floor) shares a prefix token with the query. Were the
 * prefixes disjoint, take the one that ends first in the order, say the query's: the example has each of its
 * features either not at all or with the opposite sign (a same-signed one would be in the example's prefix too), so
 * they add nothing positive to the dot product, and cos ≤ ‖q outside its prefix‖·‖v‖ = √(1 − mass(prefix(q))) <
 * floor. Signs split most hashed features' postings in two, and T is below the 2(1 − floor) a distance argument
 * needs, so both sides of a probe are shorter: at 10,000 short texts and floor 0.8, ~8,000 postings per lookup
 * where the query-side rarest-feature probe of the full index visited ~23,000. Built for the largest T asked so far,
 * which serves every smaller one (the same argument, with each side's own T).
 *
 * Postings live in one pool, a segment per token (start, length, capacity), so a lookup reads each token's postings
 * as one run; a segment that fills up between rebuilds moves to the end of the pool with twice the room.
 */
interface PrefixIndex {
  mass: number;
  /** Position of each token in the frozen order; a token past its end sits at its own number (after all others). */
  rank: Int32Array;
  /** Buckets of the one counting pass that orders a vector's tokens: rank >> shift. */
  shift: number;
  /** Unit sparse examples indexed when the order was frozen, and now: a rebuild is due once one is twice the other. */
  frozenCount: number;
  count: number;
  start: Int32Array;
  length: Int32Array;
  capacity: Int32Array;
  used: number;
  slots: Int32Array;
  /**
   * Per posting, in 16 bits each: |value| rounded up (high half) and the example's running squared mass through the
   * token rounded down (low half), in units of 1/65535. Bounds built from them can only overstate what an example
   * could reach, and a posting in 8 bytes rather than 12 is fewer cache misses in a probe that is mostly misses.
   */
  packed: Uint32Array;
  /** Per slot: the rank of the prefix's last token (−1 for a slot without one), and the prefix's squared mass. */
  end: Int32Array;
  prefixMass: Float64Array;
}

/**
 * The prefix mass a floor lookup indexes and probes (1 − floor²), or null when the lookup scores every example:
 * no floor, or one so low that the prefix would be nearly everything.
 */
function prefixMassFor(floor: number | undefined): number | null {
  if (floor === undefined || !(floor > 0)) return null;
  const mass = Math.max(0, 1 - floor * floor);
  return mass >= 1 - 1e-3 ? null : mass;
}

/**
 * Every labelled example, searchable by similarity: the instant memory that makes a correction take effect
 * on the very next prediction, before any retraining (like tfjs knn-classifier, but combined with the head).
 *
 * Lookups must not scan every example (5,000 text labels made a batch of 200 predictions take 17 s): sparse
 * examples sit in an inverted index, and when only near-duplicates matter (a `floor` is given) a lookup visits only
 * examples that share a token of both prefixes (see PrefixIndex) and could still pass the floor. Every similarity it
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
  /** For floor lookups only; built on the first one and rebuilt lazily when the count has doubled or halved. */
  private prefix: PrefixIndex | null = null;
  /**
   * Per token, over the unit sparse examples: how many have it and their summed squared values. Kept up to date here
   * so that a rebuild orders the tokens without a pass over every posting.
   */
  private tokenCounts = new Float64Array(0);
  private tokenMasses = new Float64Array(0);
  /** One vector's prefix as `prefixOf` leaves it, and that method's scratch. */
  private prefixTokens = new Int32Array(0);
  private prefixValues = new Float32Array(0);
  private prefixIncl = new Float64Array(0);
  private prefixRanks = new Int32Array(0);
  private prefixSorted = new Int32Array(0);
  private readonly prefixBuckets = new Int32Array(257);
  private probeStamps = new Int32Array(0);
  private probeRows = new Float64Array(0);
  private scratch = { acc: new Float64Array(0), stamp: new Int32Array(0) };
  private stampNow = 0;
  private denseQuery: Float32Array | null = null;
  private met = new Int32Array(0);
  /** Numeric rows (Gaussian metric), column-major by slot: value of column i for slot s at i · capacity + s. */
  private columns = new Float32Array(0);
  private columnDim = -1;
  private columnCapacity = 0;

  private observer: MemoryObserver | null = null;

  constructor(private readonly similarity: Similarity) {}

  get size(): number {
    return this.entries.length;
  }

  /** Every example as upsert was given it, in insertion order. */
  *examples(): IterableIterator<{ id: string; target: number; vector: Vector; seq: number }> {
    for (const { id, target, vector, seq } of this.entries) yield { id, target, vector, seq };
  }

  /**
   * Builds (or rebuilds, when the examples have doubled or halved since) the index that lookups with this floor
   * use, so an idle worker pays for it ahead of its next lookup rather than during it (~0.1 s at 10,000 texts).
   */
  prepare(floor: number): void {
    const prefixMass = prefixMassFor(floor);
    if (prefixMass !== null && this.entries.some((e) => isSparse(e.vector))) this.prefixIndexFor(prefixMass);
  }

  /** From now on `observer` hears of every change (null: no one does). */
  observe(observer: MemoryObserver | null): void {
    this.observer = observer;
  }

  upsert(id: string, target: number, vector: Vector, seq: number): void {
    this.observer?.upsert(id, target, vector, seq);
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
    this.observer?.remove(id);
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
    this.observer?.clear();
    this.entries.length = 0;
    this.positions.clear();
    this.slots.length = 0;
    this.freeSlots.length = 0;
    this.postings.length = 0;
    this.prefix = null;
    this.tokenCounts = new Float64Array(0);
    this.tokenMasses = new Float64Array(0);
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
      irregular: sparse && Math.abs(norm2 - 1) > UNIT_SLACK,
    };
  }

  private index(entry: Entry): void {
    if (!isSparse(entry.vector)) {
      this.storeColumns(entry.slot, entry.vector);
      return;
    }
    if (entry.irregular) this.irregular.add(entry);
    else {
      this.countTokens(entry.vector, 1);
      if (this.prefix) this.indexPrefix(this.prefix, entry.slot, entry.vector);
    }
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

  private countTokens(vector: SparseVector, sign: 1 | -1): void {
    const { indices, values } = vector;
    if (indices.length === 0) return;
    const needed = 2 * (indices[indices.length - 1]! + 1);
    if (this.tokenCounts.length < needed) {
      const grown = Math.max(needed, this.tokenCounts.length * 2, 2 * this.similarity.dim());
      this.tokenCounts = grow(this.tokenCounts, grown);
      this.tokenMasses = grow(this.tokenMasses, grown);
    }
    for (let j = 0; j < indices.length; j++) {
      const v = values[j]!;
      const token = 2 * indices[j]! + (v < 0 ? 1 : 0);
      this.tokenCounts[token]! += sign;
      this.tokenMasses[token]! += sign * v * v;
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
    if (!this.irregular.delete(entry)) {
      this.countTokens(entry.vector, -1);
      if (this.prefix) this.unindexPrefix(this.prefix, entry.slot, entry.vector);
    }
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

  private probeScratch(): void {
    const size = this.slots.length;
    if (this.probeStamps.length < size) {
      const grown = Math.max(size, this.probeStamps.length * 2, 64);
      this.probeStamps = new Int32Array(grown);
      this.probeRows = new Float64Array(grown * 3);
      this.met = new Int32Array(grown);
    }
    this.nextStamp();
  }

  /** Stamps only grow, so no scratch row can carry a stale one from an earlier lookup (2³¹ lookups per worker). */
  private nextStamp(): void {
    this.stampNow += 1;
    if (this.stampNow === 0x7fffffff) {
      this.scratch.stamp.fill(0);
      this.probeStamps.fill(0);
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
    // A near-duplicate of a unit query shares a token of its prefix of squared mass 1 − floor² (see PrefixIndex).
    // Without a floor, or with one so low that the prefix would be nearly everything, every example is scored.
    const prefixMass = prefixMassFor(floor);
    if (prefixMass === null || Math.abs(queryNorm2 - 1) > UNIT_SLACK) {
      this.sparseFull(query, visit);
      return;
    }
    this.sparsePruned(query, floor!, prefixMass, visit);
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
   * Only examples that can be above `floor`, found through the prefix index (see PrefixIndex). The query's prefix
   * tokens are walked in the frozen order; at each token met, every token of either side ranked up to it is known, so
   * the dot product can gain at most ‖q_rest‖·‖v_rest‖ past it, from the masses not yet accounted for, and an example
   * that cannot reach the floor that way is dropped for the rest of the lookup. The few left are bounded once more at
   * the end of the shorter prefix and scored exactly, in scan order, if they could still pass.
   */
  private sparsePruned(query: SparseVector, floor: number, prefixMass: number, visit: (entry: Entry, s: number) => void): void {
    const index = this.prefixIndexFor(prefixMass);
    const count = this.prefixOf(query, index, prefixMass);
    const queryEnd = this.tokenRank(index, this.prefixTokens[count - 1]!);
    const queryMass = this.prefixIncl[count - 1]!;
    this.probeScratch();
    const now = this.stampNow;
    const metCount = this.probePrefix(index, count, floor - SLACK, now);
    const kept = this.boundMet(index, metCount, queryEnd, queryMass, floor - SLACK, now);
    if (kept === 0 && this.irregular.size === 0) return;
    const survivors: Entry[] = [];
    for (let m = 0; m < kept; m++) survivors.push(this.slots[this.met[m]!]!);
    for (const entry of this.irregular) survivors.push(entry);
    // Full-scan order, so ties resolve exactly as a scan resolves them.
    survivors.sort((a, b) => a.position - b.position);
    const dense = this.scatter(query);
    try {
      for (const entry of survivors) {
        const s = this.exactSparse(entry, dense);
        if (s > floor) visit(entry, s);
      }
    } finally {
      for (let j = 0; j < query.indices.length; j++) dense[query.indices[j]!] = 0;
    }
  }

  /**
   * The hot loop of a floor lookup, apart so that the rare paths after it (a survivor to score, a class to report)
   * cannot deoptimise it. Per slot: a stamp (−now once dropped) and a row of the dot so far with both sides' running
   * masses at the last token met. Returns how many slots were met and kept on meeting; they are listed in `met`.
   */
  private probePrefix(index: PrefixIndex, count: number, bar: number, now: number): number {
    const { start, length, slots, packed } = index;
    const tokens = this.prefixTokens;
    const queryValues = this.prefixValues;
    const queryIncl = this.prefixIncl;
    const stamps = this.probeStamps;
    const rows = this.probeRows;
    const met = this.met;
    const tokenCount = start.length;
    const unit = 1 + UNIT_SLACK;
    let metCount = 0;
    for (let k = 0; k < count; k++) {
      const token = tokens[k]!;
      if (token >= tokenCount) continue;
      // Same token, same sign: the product is |q|·|v|, bounded above by the rounded-up |v|.
      const q = Math.abs(queryValues[k]!) * UNIT_16;
      const qMass = queryIncl[k]!;
      const qRest = unit - qMass;
      const from = start[token]!;
      const to = from + length[token]!;
      for (let p = from; p < to; p++) {
        const slot = slots[p]!;
        const stamp = stamps[slot]!;
        if (stamp === -now) continue;
        const at = slot * 3;
        const word = packed[p]!;
        const dot = (stamp === now ? rows[at]! : 0) + q * (word >>> 16);
        const vMass = (word & 0xffff) * UNIT_16;
        // sim ≤ dot + √(qRest·vRest); squared rather than a square root per posting.
        const gap = bar - dot;
        if (gap >= 0 && qRest * (unit - vMass) <= gap * gap) {
          stamps[slot] = -now;
          continue;
        }
        if (stamp !== now) {
          stamps[slot] = now;
          met[metCount++] = slot;
        }
        rows[at] = dot;
        rows[at + 1] = vMass;
        rows[at + 2] = qMass;
      }
    }
    return metCount;
  }

  /**
   * The examples still in reach once the probe is done, bounded at the end of the shorter prefix: up to there every
   * same-signed shared token was met, the side whose prefix ends there has all of its prefix mass in, and the other
   * at least what it had at the last token met. Leaves their slots at the front of `met` and returns how many.
   */
  private boundMet(index: PrefixIndex, metCount: number, queryEnd: number, queryMass: number, bar: number, now: number): number {
    const stamps = this.probeStamps;
    const rows = this.probeRows;
    const met = this.met;
    const unit = 1 + UNIT_SLACK;
    let kept = 0;
    for (let m = 0; m < metCount; m++) {
      const slot = met[m]!;
      if (stamps[slot] !== now) continue;
      const at = slot * 3;
      const exampleEnd = index.end[slot]!;
      const qMass = queryEnd <= exampleEnd ? queryMass : rows[at + 2]!;
      const vMass = exampleEnd <= queryEnd ? index.prefixMass[slot]! : rows[at + 1]!;
      const gap = bar - rows[at]!;
      if (gap >= 0 && (unit - qMass) * (unit - vMass) <= gap * gap) continue;
      met[kept++] = slot;
    }
    return kept;
  }

  // ---- prefix index (floor lookups) ----------------------------------------------------------------------------

  /**
   * The prefix index for a prefix mass, (re)built here rather than on upsert so labelling stays cheap. The order is
   * frozen between builds, since indexing and querying must share it; refreezing when the count has doubled or
   * halved keeps it close to the real token statistics, on which the number of postings visited depends.
   */
  private prefixIndexFor(mass: number): PrefixIndex {
    const index = this.prefix;
    if (index && mass <= index.mass && index.count <= 2 * index.frozenCount && 2 * index.count >= index.frozenCount) return index;
    return this.rebuildPrefix(Math.max(mass, index?.mass ?? 0));
  }

  private rebuildPrefix(mass: number): PrefixIndex {
    const size = Math.max(this.similarity.dim(), this.postings.length);
    const tokenCount = 2 * size;
    // Cheapest first: the postings a token adds per unit of squared mass it covers (df² / Σv², the df over the mean
    // mass), so a prefix reaches its mass through few, short lists. Tokens no example has come first, ties by number.
    const df = this.tokenCounts;
    const sum = this.tokenMasses;
    // The cost as float32 bits (monotonic for non-negative floats) and the token packed in one exact double, so a
    // plain numeric sort orders by cost and then by token.
    const keys = new Float64Array(tokenCount);
    for (let token = 0; token < tokenCount; token++) {
      const d = token < df.length ? df[token]! : 0;
      float32[0] = d === 0 ? 0 : sum[token]! > 0 ? (d * d) / sum[token]! : 3e38;
      keys[token] = float32Bits[0]! * tokenCount + token;
    }
    keys.sort();
    const order = Int32Array.from(keys, (key) => key % tokenCount);
    const rank = new Int32Array(tokenCount);
    for (let r = 0; r < tokenCount; r++) rank[order[r]!] = r;
    const slotCount = Math.max(64, this.slots.length);
    const index: PrefixIndex = {
      mass,
      rank,
      shift: Math.max(0, 32 - Math.clz32(tokenCount - 1) - 8),
      frozenCount: 0,
      count: 0,
      start: new Int32Array(tokenCount),
      length: new Int32Array(tokenCount),
      capacity: new Int32Array(tokenCount),
      used: 0,
      slots: new Int32Array(1024),
      packed: new Uint32Array(1024),
      end: new Int32Array(slotCount).fill(-1),
      prefixMass: new Float64Array(slotCount),
    };
    // Every prefix at once, token by token in rank order over the full index: a slot takes the token while its
    // running mass is still within the limit. The same tokens, and the same sums in the same order, as prefixOf
    // gives one vector (which removal relies on), with no per-vector sort, and each segment written in one run.
    const running = new Float64Array(slotCount).fill(Infinity);
    for (const entry of this.entries) {
      if (!isSparse(entry.vector) || entry.irregular) continue;
      running[entry.slot] = 0;
      index.count += 1;
    }
    const limit = mass + SLACK;
    const { start, length: lengths, capacity, end, prefixMass } = index;
    let poolSlots = index.slots;
    let poolPacked = index.packed;
    let used = 0;
    for (let r = 0; r < tokenCount; r++) {
      const token = order[r]!;
      start[token] = used;
      const list = this.postings[token >> 1];
      if (!list) continue;
      const negative = (token & 1) === 1;
      const { slots, values, length } = list;
      if (used + length + (length >> 2) + 2 > poolSlots.length) {
        const grown = Math.max(used + length + (length >> 2) + 2, poolSlots.length * 2);
        poolSlots = grow(poolSlots, grown);
        poolPacked = grow(poolPacked, grown);
      }
      let count = 0;
      for (let p = 0; p < length; p++) {
        const v = values[p]!;
        if (v < 0 !== negative) continue;
        const slot = slots[p]!;
        const before = running[slot]!;
        if (!(before <= limit)) continue;
        const after = before + v * v;
        running[slot] = after;
        end[slot] = r;
        prefixMass[slot] = after;
        poolSlots[used + count] = slot;
        poolPacked[used + count] = packPosting(v, after);
        count += 1;
      }
      lengths[token] = count;
      capacity[token] = count === 0 ? 0 : count + (count >> 2) + 2;
      used += capacity[token]!;
    }
    index.slots = poolSlots;
    index.packed = poolPacked;
    index.used = used;
    index.frozenCount = index.count;
    this.prefix = index;
    return index;
  }

  private tokenRank(index: PrefixIndex, token: number): number {
    return token < index.rank.length ? index.rank[token]! : token;
  }

  /**
   * Puts the vector's tokens in rank order into `prefixTokens`, `prefixValues` and `prefixIncl` (running squared
   * mass) as far as its prefix for `mass` goes, and returns how many that is. One counting pass by the rank's high
   * bits and an insertion sort within each (small) bucket as it is reached: a full sort of every token cost more
   * than the rest of a lookup.
   */
  private prefixOf(vector: SparseVector, index: PrefixIndex, mass: number): number {
    const { indices, values } = vector;
    const n = indices.length;
    if (this.prefixTokens.length < n) {
      const grown = Math.max(n, this.prefixTokens.length * 2);
      this.prefixTokens = new Int32Array(grown);
      this.prefixValues = new Float32Array(grown);
      this.prefixIncl = new Float64Array(grown);
      this.prefixRanks = new Int32Array(grown);
      this.prefixSorted = new Int32Array(grown);
    }
    const ranks = this.prefixRanks;
    const sorted = this.prefixSorted;
    const buckets = this.prefixBuckets;
    const shift = index.shift;
    buckets.fill(0);
    for (let j = 0; j < n; j++) {
      const r = this.tokenRank(index, 2 * indices[j]! + (values[j]! < 0 ? 1 : 0));
      ranks[j] = r;
      buckets[Math.min(255, r >> shift) + 1]! += 1;
    }
    for (let b = 0; b < 256; b++) buckets[b + 1]! += buckets[b]!;
    // Stable, so within a bucket positions come in vector order; after this, buckets[b] is where bucket b ends.
    for (let j = 0; j < n; j++) sorted[buckets[Math.min(255, ranks[j]! >> shift)]!++] = j;
    const limit = mass + SLACK;
    let total = 0;
    let count = 0;
    let from = 0;
    for (let b = 0; b < 256 && total <= limit; b++) {
      const to = buckets[b]!;
      for (let i = from + 1; i < to; i++) {
        const j = sorted[i]!;
        let at = i;
        while (at > from && ranks[sorted[at - 1]!]! > ranks[j]!) {
          sorted[at] = sorted[at - 1]!;
          at -= 1;
        }
        sorted[at] = j;
      }
      for (let i = from; i < to && total <= limit; i++) {
        const j = sorted[i]!;
        const v = values[j]!;
        total += v * v;
        this.prefixTokens[count] = 2 * indices[j]! + (v < 0 ? 1 : 0);
        this.prefixValues[count] = v;
        this.prefixIncl[count] = total;
        count += 1;
      }
      from = to;
    }
    return count;
  }

  /** Records a slot's prefix end and mass from the last `prefixOf`, growing the per-slot arrays as needed. */
  private notePrefix(index: PrefixIndex, slot: number, count: number): void {
    if (slot >= index.end.length) {
      const grown = Math.max(slot + 1, index.end.length * 2);
      index.end = grow(index.end, grown, -1);
      index.prefixMass = grow(index.prefixMass, grown);
    }
    index.end[slot] = count > 0 ? this.tokenRank(index, this.prefixTokens[count - 1]!) : -1;
    index.prefixMass[slot] = count > 0 ? this.prefixIncl[count - 1]! : 0;
    index.count += 1;
  }

  private indexPrefix(index: PrefixIndex, slot: number, vector: SparseVector): void {
    const tokenCount = index.start.length;
    // A feature past the frozen space (the hashed space grew): the next floor lookup rebuilds for it.
    if (vector.indices.length > 0 && 2 * vector.indices[vector.indices.length - 1]! + 1 >= tokenCount) {
      this.prefix = null;
      return;
    }
    const count = this.prefixOf(vector, index, index.mass);
    this.notePrefix(index, slot, count);
    for (let k = 0; k < count; k++) {
      const token = this.prefixTokens[k]!;
      if (index.length[token] === index.capacity[token]) this.moveSegment(index, token);
      const at = index.start[token]! + index.length[token]!;
      index.slots[at] = slot;
      index.packed[at] = packPosting(this.prefixValues[k]!, this.prefixIncl[k]!);
      index.length[token]! += 1;
    }
  }

  /** A full segment moves to the end of the pool with twice the room; the space it leaves goes at the next rebuild. */
  private moveSegment(index: PrefixIndex, token: number): void {
    const capacity = Math.max(4, index.capacity[token]! * 2);
    if (index.used + capacity > index.slots.length) {
      const grown = Math.max(index.used + capacity, index.slots.length * 2);
      index.slots = grow(index.slots, grown);
      index.packed = grow(index.packed, grown);
    }
    const from = index.start[token]!;
    const length = index.length[token]!;
    index.slots.copyWithin(index.used, from, from + length);
    index.packed.copyWithin(index.used, from, from + length);
    index.start[token] = index.used;
    index.capacity[token] = capacity;
    index.used += capacity;
  }

  /** The prefix under the same frozen order and mass is the same tokens, so exactly those postings go. */
  private unindexPrefix(index: PrefixIndex, slot: number, vector: SparseVector): void {
    const count = this.prefixOf(vector, index, index.mass);
    index.count -= 1;
    index.end[slot] = -1;
    for (let k = 0; k < count; k++) {
      const token = this.prefixTokens[k]!;
      const from = index.start[token]!;
      const last = from + index.length[token]! - 1;
      const at = index.slots.subarray(from, last + 1).indexOf(slot);
      if (at < 0) continue;
      index.slots[from + at] = index.slots[last]!;
      index.packed[from + at] = index.packed[last]!;
      index.length[token]! -= 1;
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
    const inverse = inverseScale(scale, dim);
    const exact = (entry: Entry) => {
      const d2 = scaledDistance2(query, entry.vector as Float32Array, inverse);
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
      const columnInverse = inverse[i]!;
      const q = query[i]!;
      const base = i * capacity;
      for (let a = 0; a < count; a++) {
        const d = (q - columns[base + slots[a]!]!) * columnInverse;
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

type Growable = Int32Array | Uint32Array | Float64Array;

/** A copy of `array` with room for `length` elements, the new ones set to `fill`. */
function grow<T extends Growable>(array: T, length: number, fill = 0): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  if (fill !== 0) grown.fill(fill, array.length);
  return grown;
}

/** A prefix posting's `packed` word: |value| rounded up, running mass rounded down, 16 bits each. */
function packPosting(value: number, mass: number): number {
  const high = Math.min(0xffff, Math.ceil(Math.abs(value) * 0xffff));
  const low = Math.min(0xffff, Math.floor(mass * 0xffff));
  return ((high << 16) | low) >>> 0;
}

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);
