import type { InputKind } from '../../src/protocol.js';
import { isSparse, type SparseVector, type Vector } from '../featurizers/vector.js';
import { countSketch, SKETCH_DIM, SKETCH_MIN_FEATURES, sketchDot } from './count-sketch.js';
import { distanceLimit, NumericColumns } from './numeric-columns.js';
import { PrefixIndex, prefixMassFor } from './prefix-index.js';
import type { Similarity } from './similarity.js';
import { cosineNorm, dot, gaussianWidth, inverseScale, offUnit, scaledDistance2, scatter, sparseDot, unscatter } from './similarity-math.js';
import { SparsePostings } from './sparse-postings.js';

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

/** What a lookup found: the best similarity per class, the best overall, and the sequence number of its example. */
export interface Nearest {
  perClass: Float64Array;
  top: number;
  topSeq: number;
}

/**
 * How a floor lookup may spend its work. 'exact' reports every similarity above the floor, as a scan would, at
 * whatever cost; 'bounded' (what predictions use) stops at LOOKUP_BUDGET and reports what it found by then, every
 * value still an exact similarity, so a class may read lower than exact, or −∞ (see docs in LOOKUP_BUDGET).
 */
export type LookupMode = 'bounded' | 'exact';

/**
 * The work of one bounded floor lookup, whatever the texts: ~0.5 ms at most. `postings`: prefix postings visited
 * (a few ns each, mostly cache misses on per-slot state); `terms`: multiply-adds spent scoring candidates (~1 ns each).
 * Ordinary texts stay below both (10,000 short texts: ~50-150 postings, no stop), so their lookups stay exact; texts
 * that share most of their words (raw e-mails with headers, one template filled in) visited up to 10⁶ postings a
 * query before (issue 22). Where a lookup stops, what it reports is still exact similarities, of the examples it met
 * (the newest first) and scored (the most promising per class first): a class can read lower than exact, or −∞. The
 * sizes are the smallest powers of two that kept near-duplicate recall ≥ 0.99 at the 0.8 bar on every distribution
 * of scripts/perf-distributions.mjs at 10,000 stored (raw e-mails, the hardest, needed the terms: 0.94 at 65,536,
 * 0.98 at 131,072, 0.99 at 262,144); test/lookup-bounds.test.ts measures it.
 */
export const LOOKUP_BUDGET = { postings: 32_768, terms: 262_144 } as const;
/** Steps of reach by which a bounded lookup orders the candidates it may score (see mostInReach). */
const REACH_BUCKETS = 1_024;
/**
 * Long candidates a bounded lookup orders by their sketches (count-sketch.ts), at most: 4,096 estimates of 1,024
 * multiply-adds, ~4 M, about the cost of scoring 1,000 long documents exactly (a tenth of what the exact lookup
 * spends at 10,000 stored). The smallest power of two that kept long-document recall ≥ 0.99 at 10,000 stored
 * (0.893 at 2,048, 1.000 at 4,096, over 100 queries); at 3,000 stored and fewer every long candidate is sketched.
 */
const SKETCH_CANDIDATES = 4_096;

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
  /** `cosineNorm(norm2)`, what the cosine of a dense vector divides by. */
  norm: number;
  /** A sparse vector of norm other than 1 (an empty text), which the bounds do not cover. */
  irregular: boolean;
  /** The count sketch of a long text's vector (more than SKETCH_MIN_FEATURES features), else null. */
  sketch: Float32Array | null;
}

/** Told of every change to a memory, in order, so a copy elsewhere (lookup-helper.ts) holds the same examples. */
export interface MemoryObserver {
  upsert(id: string, target: number, vector: Vector, seq: number): void;
  remove(id: string): void;
  clear(): void;
}

/**
 * Every labelled example, searchable by similarity: the instant memory that makes a correction take effect
 * on the very next prediction, before any retraining (like tfjs knn-classifier, but combined with the head).
 *
 * Lookups must not scan every example (5,000 text labels made a batch of 200 predictions take 17 s): sparse
 * examples sit in an inverted index (SparsePostings), and when only near-duplicates matter (a `floor` is given) a
 * lookup visits only examples that share a token of both prefixes (see PrefixIndex) and could still pass the floor;
 * numeric rows are pruned column by column (NumericColumns). Every similarity it reports is computed exactly as a
 * full scan would (similarity-math.ts: same operations, same order), so answers do not change. A sparse floor lookup
 * is 'bounded' by default (LOOKUP_BUDGET): exact wherever the budget suffices, which is ordinary text; 'exact' asks
 * for every similarity above the floor at any cost.
 */
export class ExampleMemory {
  private readonly entries: Entry[] = [];
  private readonly positions = new Map<string, number>();
  /** Entries by slot, null where a removed example left a slot free for the next one. */
  private readonly slots: (Entry | null)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly postings = new SparsePostings();
  /** Sparse examples whose norm is not 1 (an empty text): the bounds do not cover them, so they are always scored. */
  private readonly irregular = new Set<Entry>();
  /** For floor lookups over the unit sparse examples. */
  private readonly prefix: PrefixIndex;
  /** Numeric rows, for floor lookups under the Gaussian metric. */
  private readonly columns = new NumericColumns();
  private denseQuery: Float32Array | null = null;
  private readonly querySketch = new Float32Array(SKETCH_DIM);

  private observer: MemoryObserver | null = null;

  /** The work of the last sparse floor lookup: prefix postings visited, candidates found and scored, and whether it stopped at LOOKUP_BUDGET. */
  readonly lastLookup = { postings: 0, candidates: 0, scored: 0, stopped: false };

  constructor(private readonly similarity: Similarity) {
    this.prefix = new PrefixIndex({
      postings: this.postings,
      dim: () => this.similarity.dim(),
      slotCount: () => this.slots.length,
      unitSlots: () => this.unitSlots(),
    });
  }

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
    if (prefixMass !== null && this.entries.some((e) => isSparse(e.vector))) this.prefix.prepare(prefixMass);
  }

  /** From now on `observer` hears of every change (null: no one does). */
  observe(observer: MemoryObserver | null): void {
    this.observer = observer;
  }

  /** Makes room in the index for examples about to be upserted, so a large batch of them goes in without regrowth. */
  reserve(vectors: readonly Vector[]): void {
    this.postings.reserve(vectors.filter(isSparse));
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
    this.postings.clear();
    this.prefix.clear();
    this.irregular.clear();
    this.columns.clear();
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
   * one, every example is scored. `topSeq` is the sequence number of the example at the top (−∞ when none).
   * With `only`, the examples of other ids are left out before any is scored, as if they were not stored: a
   * training's held-out rows look up the rows it trained on in this memory rather than in a copy of them.
   */
  nearest(query: Vector, classes: number, floor?: number, mode: LookupMode = 'bounded', only?: ReadonlySet<string>): Nearest {
    const perClass = new Float64Array(classes).fill(-Infinity);
    let top = -Infinity;
    let topSeq = -Infinity;
    let topTarget = -1;
    // Ties (two inputs that featurize the same) go to the newest label: the latest human decision wins.
    const visit = (entry: Entry, s: number) => {
      if (only && !only.has(entry.id)) return;
      if (s > perClass[entry.target]!) perClass[entry.target] = s;
      if (s > top || (s === top && entry.seq > topSeq)) {
        top = s;
        topSeq = entry.seq;
        topTarget = entry.target;
      }
    };
    if (isSparse(query)) this.sparseNearest(query, floor, mode, visit, only);
    else this.denseNearest(query, floor, visit);
    if (topTarget >= 0) perClass[topTarget] = top + 1e-9;
    return { perClass, top, topSeq };
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
      norm: sparse ? 1 : cosineNorm(norm2),
      irregular: sparse && offUnit(norm2),
      sketch: sparse && vector.indices.length > SKETCH_MIN_FEATURES ? countSketch(vector) : null,
    };
  }

  private index(entry: Entry): void {
    if (!isSparse(entry.vector)) {
      // The column store serves the Gaussian metric's pruning only; cosine lookups read the rows themselves.
      if (this.similarity.metric === 'gaussian') this.columns.store(entry.slot, entry.vector);
      return;
    }
    if (entry.irregular) this.irregular.add(entry);
    else this.prefix.add(entry.slot, entry.vector);
    this.postings.add(entry.slot, entry.vector);
  }

  private unindex(entry: Entry): void {
    if (!isSparse(entry.vector)) return;
    if (!this.irregular.delete(entry)) this.prefix.remove(entry.slot, entry.vector);
    this.postings.remove(entry.slot, entry.vector);
  }

  /** The slots the prefix index covers: sparse examples of unit norm. */
  private *unitSlots(): IterableIterator<number> {
    for (const entry of this.entries) if (isSparse(entry.vector) && !entry.irregular) yield entry.slot;
  }

  // ---- sparse (text) -------------------------------------------------------------------------------------------

  private sparseNearest(
    query: SparseVector,
    floor: number | undefined,
    mode: LookupMode,
    visit: (entry: Entry, s: number) => void,
    only: ReadonlySet<string> | undefined,
  ): void {
    if (this.entries.length === 0) return;
    const queryNorm2 = dot(query.values, query.values);
    // A near-duplicate of a unit query shares a token of its prefix of squared mass 1 − floor² (see PrefixIndex).
    // Without a floor, or with one so low that the prefix would be nearly everything, every example is scored.
    const prefixMass = prefixMassFor(floor);
    if (prefixMass === null || offUnit(queryNorm2)) {
      this.sparseFull(query, visit);
      return;
    }
    this.sparsePruned(query, floor!, prefixMass, mode, visit, only);
  }

  /** Every example scored through the postings, which give each the sum a full scan would. */
  private sparseFull(query: SparseVector, visit: (entry: Entry, s: number) => void): void {
    this.postings.accumulate(query, this.slots.length);
    for (const entry of this.entries) visit(entry, isSparse(entry.vector) ? this.postings.dotWith(entry.slot) : 0);
  }

  /**
   * Only examples that can be above `floor`: the prefix index's candidates and the irregular examples it does not
   * cover, scored exactly. 'exact' scores every candidate; 'bounded' scores them best first and no further than
   * needed or than LOOKUP_BUDGET.terms allows (scoreBestFirst).
   */
  private sparsePruned(
    query: SparseVector,
    floor: number,
    prefixMass: number,
    mode: LookupMode,
    visit: (entry: Entry, s: number) => void,
    only: ReadonlySet<string> | undefined,
  ): void {
    const bounded = mode === 'bounded';
    const probed = this.prefix.candidates(query, floor, prefixMass, bounded ? LOOKUP_BUDGET.postings : Infinity);
    // Before scoring: a bounded lookup stops a class at the best it has scored, which must be one that counts.
    const candidates = only ? probed.filter((slot) => only.has(this.slots[slot]!.id)) : probed;
    // Texts with no feature (rarely any): outside the index, so always scored. No array made for them on a
    // prediction's lookup, which has no `only`.
    const irregular = only ? new Set([...this.irregular].filter((entry) => only.has(entry.id))) : this.irregular;
    const stats = this.lastLookup;
    stats.postings = this.prefix.lastProbe.visited;
    stats.stopped = this.prefix.lastProbe.truncated;
    stats.candidates = candidates.length;
    stats.scored = 0;
    if (candidates.length === 0 && irregular.size === 0) return;
    const dim = this.similarity.dim();
    if (!this.denseQuery || this.denseQuery.length !== dim) this.denseQuery = new Float32Array(dim);
    const dense = this.denseQuery;
    scatter(query, dense);
    const passed: { entry: Entry; s: number }[] = [];
    try {
      if (bounded) {
        if (this.scoreBestFirst(query, candidates, floor, dense, passed)) stats.stopped = true;
      } else {
        for (let m = 0; m < candidates.length; m++) this.score(this.slots[candidates[m]!]!, dense, floor, passed);
        stats.scored = candidates.length;
      }
      for (const entry of irregular) this.score(entry, dense, floor, passed);
    } finally {
      unscatter(query, dense);
    }
    stats.scored += irregular.size;
    // Visited in full-scan order, so ties resolve exactly as a scan resolves them (only the few above the floor).
    passed.sort((a, b) => a.entry.position - b.entry.position);
    for (const { entry, s } of passed) visit(entry, s);
  }

  private score(entry: Entry, dense: Float32Array, floor: number, passed: { entry: Entry; s: number }[]): number {
    const s = isSparse(entry.vector) ? sparseDot(dense, entry.vector) : 0;
    if (s > floor) passed.push({ entry, s });
    return s;
  }

  /**
   * A bounded lookup's scoring: per class, the candidates that could reach highest (PrefixIndex.reach) first, until
   * the next one's reach is below the best similarity already found for its class — from there on none can change
   * what the class reports, so the answer is the exact one (as long as the probe was not cut short) — or until the
   * class has spent its equal share of LOOKUP_BUDGET.terms. Per class, because what the lookup reports is each
   * class's best: candidates of one class can crowd out the few of another that are near-duplicates too (raw e-mails:
   * one mailing list's headers). Returns whether the budget left a candidate in reach unscored.
   *
   * Ordered by a counting sort over REACH_BUCKETS steps of reach between the floor and 1 (within a step, in the order
   * the probe met them, newest postings first), not a comparison sort: a lookup among thousands of candidates spent
   * more on sorting them than on scoring the few it needed. A step of (1 − 0.8) / 1,024 ≈ 0.0002 is far below what
   * separates a near-duplicate's reach from an ordinary candidate's, and a step's upper edge is a valid bound.
   */
  private scoreBestFirst(
    query: SparseVector,
    candidates: Int32Array,
    floor: number,
    dense: Float32Array,
    passed: { entry: Entry; s: number }[],
  ): boolean {
    const count = candidates.length;
    let classes = 0;
    for (let m = 0; m < count; m++) classes = Math.max(classes, this.slots[candidates[m]!]!.target + 1);
    const present = new Uint8Array(classes);
    const buckets = new Int32Array(REACH_BUCKETS + 1);
    const bucketOf = new Int32Array(count);
    // Over [0, 1], not [floor, 1]: a sketch's estimate of a near-duplicate can fall below the floor.
    const scale = REACH_BUCKETS;
    const bucketFor = (key: number) => Math.min(REACH_BUCKETS - 1, Math.max(0, Math.floor((1 - key) * scale)));
    // Highest reach first: bucket b holds keys in (1 − (b + 1)/scale, 1 − b/scale], bucket 0 everything from 1 up.
    const sketchable = new Int32Array(REACH_BUCKETS);
    const sketched = query.indices.length > SKETCH_MIN_FEATURES;
    for (let m = 0; m < count; m++) {
      const slot = candidates[m]!;
      const entry = this.slots[slot]!;
      present[entry.target] = 1;
      bucketOf[m] = bucketFor(this.prefix.reach(slot));
      if (sketched && entry.sketch) sketchable[bucketOf[m]!]! += 1;
    }
    if (sketched) {
      // Long texts' reach is loose (each side's rest past its prefix is most of its mass), so two long texts are
      // ordered by their sketches' estimate instead (never above the reach), the SKETCH_CANDIDATES of highest reach
      // at most, so that this costs a bounded amount too; other long candidates come after them. Only the order:
      // what decides below whether a candidate is skipped is its reach, a true bound.
      let last = -1;
      for (let b = 0, taken = 0; b < REACH_BUCKETS && taken + sketchable[b]! <= SKETCH_CANDIDATES; b++) {
        taken += sketchable[b]!;
        last = b;
      }
      countSketch(query, this.querySketch);
      for (let m = 0; m < count; m++) {
        const entry = this.slots[candidates[m]!]!;
        if (!entry.sketch) continue;
        bucketOf[m] =
          bucketOf[m]! <= last ? bucketFor(Math.min(1 - bucketOf[m]! / scale, sketchDot(this.querySketch, entry.sketch))) : REACH_BUCKETS - 1;
      }
    }
    for (let m = 0; m < count; m++) buckets[bucketOf[m]! + 1]! += 1;
    for (let b = 0; b < REACH_BUCKETS; b++) buckets[b + 1]! += buckets[b]!;
    const order = new Int32Array(count);
    for (let m = 0; m < count; m++) order[buckets[bucketOf[m]!]!++] = m;
    const share =
      LOOKUP_BUDGET.terms /
      Math.max(
        1,
        present.reduce((sum, p) => sum + p, 0),
      );
    const spent = new Float64Array(classes);
    const best = new Float64Array(classes).fill(floor);
    let scored = 0;
    let cut = false;
    for (let r = 0; r < count; r++) {
      const m = order[r]!;
      const slot = candidates[m]!;
      const entry = this.slots[slot]!;
      const target = entry.target;
      // Its reach is a true bound: a candidate that cannot pass its class's best so far cannot change the answer.
      if (this.prefix.reach(slot) < best[target]!) continue;
      const cost = (entry.vector as SparseVector).indices.length;
      if (spent[target]! + cost > share) {
        cut = true;
        continue;
      }
      spent[target]! += cost;
      scored += 1;
      const s = this.score(entry, dense, floor, passed);
      if (s > best[target]!) best[target] = s;
    }
    this.lastLookup.scored = scored;
    return cut;
  }

  // ---- dense (numeric rows, image features) ------------------------------------------------------------------

  private denseNearest(query: Float32Array, floor: number | undefined, visit: (entry: Entry, s: number) => void): void {
    const dim = query.length;
    if (this.similarity.metric === 'cosine') {
      const queryNorm = cosineNorm(dot(query, query));
      for (const entry of this.entries) {
        visit(entry, isSparse(entry.vector) ? 0 : dot(query, entry.vector) / (queryNorm * entry.norm));
      }
      return;
    }
    const scale = this.similarity.scale();
    const width = gaussianWidth(dim);
    const limit = distanceLimit(floor, width);
    const inverse = inverseScale(scale, dim);
    const exact = (entry: Entry) => Math.exp(-scaledDistance2(query, entry.vector as Float32Array, inverse) / width);
    if (!Number.isFinite(limit) || !this.columns.holds(dim)) {
      for (const entry of this.entries) visit(entry, isSparse(entry.vector) ? 0 : exact(entry));
      return;
    }
    let count = 0;
    const alive = new Int32Array(this.entries.length);
    const slots = new Int32Array(this.entries.length);
    for (const entry of this.entries) {
      if (isSparse(entry.vector)) continue;
      alive[count] = entry.position;
      slots[count] = entry.slot;
      count += 1;
    }
    count = this.columns.prune(query, inverse, scale, limit, alive, slots, count);
    for (let a = 0; a < count; a++) {
      const entry = this.entries[alive[a]!]!;
      const similarity = exact(entry);
      // Only what passes the floor: a row left in reach is not necessarily closer than one dropped.
      if (similarity > floor!) visit(entry, similarity);
    }
  }
}
