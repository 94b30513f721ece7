import type { SparseVector } from '../featurizers/vector.js';
import type { SparsePostings } from './sparse-postings.js';
import { SLACK, UNIT_SLACK } from './similarity-math.js';

/** The unit of the 16-bit values and masses in prefix postings. */
const UNIT_16 = 1 / 0xffff;

/**
 * The prefix mass a floor lookup indexes and probes (1 − floor²), or null when the lookup scores every example:
 * no floor, or one so low that the prefix would be nearly everything. The one rule for lookups and `prepare`.
 */
export function prefixMassFor(floor: number | undefined): number | null {
  if (floor === undefined || !(floor > 0)) return null;
  const mass = Math.max(0, 1 - floor * floor);
  return mass >= 1 - 1e-3 ? null : mass;
}

/** The prefix index as frozen at its last build (see PrefixIndex). */
interface Frozen {
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

/** What the prefix index reads of the memory around it. */
export interface PrefixIndexOptions {
  /** The full inverted index of the sparse examples, which a build reads token by token. */
  postings: SparsePostings;
  /** The length of the sparse vectors (the hashed text space). */
  dim: () => number;
  /** One past the highest slot in use: per-slot arrays are sized by it. */
  slotCount: () => number;
  /** The slots of the unit sparse examples, the only ones indexed here (the bounds hold for unit vectors only). */
  unitSlots: () => Iterable<number>;
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
 *
 * Built on the first floor lookup (or `prepare`) rather than on upsert, so labelling stays cheap; once built, kept
 * up to date by `add` and `remove`, and rebuilt lazily when the count has doubled or halved.
 */
export class PrefixIndex {
  private frozen: Frozen | null = null;
  /**
   * Per token, over the unit sparse examples: how many have it and their summed squared values. Kept up to date
   * even before a build, so that a build orders the tokens without a pass over every posting.
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
  /** A probe's per-slot scratch (see probePrefix), reset lazily through a stamp per lookup. */
  private probeStamps = new Int32Array(0);
  private probeRows = new Float64Array(0);
  private met = new Int32Array(0);
  private stampNow = 0;

  constructor(private readonly options: PrefixIndexOptions) {}

  /** A unit sparse example came in at `slot`. */
  add(slot: number, vector: SparseVector): void {
    this.countTokens(vector, 1);
    if (this.frozen) this.indexPrefix(this.frozen, slot, vector);
  }

  /** The unit sparse example at `slot` goes; `vector` must be the one added there. */
  remove(slot: number, vector: SparseVector): void {
    this.countTokens(vector, -1);
    if (this.frozen) this.unindexPrefix(this.frozen, slot, vector);
  }

  clear(): void {
    this.frozen = null;
    this.tokenCounts = new Float64Array(0);
    this.tokenMasses = new Float64Array(0);
  }

  /** Builds (or rebuilds, when due) the index for prefix mass `mass`, ahead of the lookups that will need it. */
  prepare(mass: number): void {
    this.prefixIndexFor(mass);
  }

  /**
   * The slots of the examples that may have a similarity above `floor` with `query`, a unit vector, found through
   * the index for prefix mass `mass` (`prefixMassFor(floor)`). The query's prefix tokens are walked in the frozen
   * order; at each token met, every token of either side ranked up to it is known, so the dot product can gain at
   * most ‖q_rest‖·‖v_rest‖ past it, from the masses not yet accounted for, and an example that cannot reach the floor
   * that way is dropped for the rest of the lookup. The few left are bounded once more at the end of the shorter
   * prefix. Valid until the next call; in no particular order; never includes an example `add` was not told of.
   *
   * At most `budget` postings are visited. A walk that would pass it stops there (`lastProbe.truncated`): within a
   * token the newest postings come first, so the stop keeps the examples labelled last (a correction is met before
   * the older examples it overrides), and every slot returned still may pass the floor; what was never met is lost.
   */
  candidates(query: SparseVector, floor: number, mass: number, budget = Infinity): Int32Array {
    const index = this.prefixIndexFor(mass);
    const count = this.prefixOf(query, index, mass);
    this.probeScratch();
    const now = this.stampNow;
    const metCount = this.probePrefix(index, count, floor - SLACK, now, budget);
    // Bounded at the end of the last token walked in full: up to it, every same-signed shared token was met.
    const walked = this.lastProbe.truncated ? this.lastProbe.tokensWalked : count;
    const queryEnd = walked > 0 ? this.tokenRank(index, this.prefixTokens[walked - 1]!) : -1;
    const queryMass = walked > 0 ? this.prefixIncl[walked - 1]! : 0;
    const kept = this.boundMet(index, metCount, queryEnd, queryMass, floor - SLACK, now);
    return this.met.subarray(0, kept);
  }

  /** How far the last `candidates` walked: postings visited, prefix tokens walked in full, and whether it stopped early. */
  readonly lastProbe = { visited: 0, tokensWalked: 0, truncated: false };

  /** For a slot the last `candidates` returned: the dot product over the prefix tokens it met (its evidence). */
  evidence(slot: number): number {
    return this.probeRows[slot * 3]!;
  }

  /** For a slot the last `candidates` returned: the most its similarity can be, as far as the walk knows. */
  reach(slot: number): number {
    return this.probeRows[slot * 3 + 1]!;
  }

  private countTokens(vector: SparseVector, sign: 1 | -1): void {
    const { indices, values } = vector;
    if (indices.length === 0) return;
    const needed = 2 * (indices[indices.length - 1]! + 1);
    if (this.tokenCounts.length < needed) {
      const grown = Math.max(needed, this.tokenCounts.length * 2, 2 * this.options.dim());
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

  private probeScratch(): void {
    const size = this.options.slotCount();
    if (this.probeStamps.length < size) {
      const grown = Math.max(size, this.probeStamps.length * 2, 64);
      this.probeStamps = new Int32Array(grown);
      this.probeRows = new Float64Array(grown * 3);
      this.met = new Int32Array(grown);
    }
    // Stamps only grow, so no slot can carry a stale one from an earlier lookup (2³¹ lookups per worker).
    this.stampNow += 1;
    if (this.stampNow === 0x7fffffff) {
      this.probeStamps.fill(0);
      this.stampNow = 1;
    }
  }

  /**
   * The hot loop of a floor lookup, apart so that the rare paths after it (a survivor to score, a class to report)
   * cannot deoptimise it. Per slot: a stamp (−now once dropped) and a row of the dot so far with both sides' running
   * masses at the last token met. Returns how many slots were met and kept on meeting; they are listed in `met`.
   */
  private probePrefix(index: Frozen, count: number, bar: number, now: number, budget: number): number {
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
    let visited = 0;
    let k = 0;
    let truncated = false;
    for (; k < count && !truncated; k++) {
      const token = tokens[k]!;
      if (token >= tokenCount) continue;
      // Same token, same sign: the product is |q|·|v|, bounded above by the rounded-up |v|.
      const q = Math.abs(queryValues[k]!) * UNIT_16;
      const qMass = queryIncl[k]!;
      const qRest = unit - qMass;
      const end = start[token]! + length[token]!;
      let stop = start[token]!;
      // Newest first (postings are appended), back as far as the budget allows.
      if (end - stop > budget - visited) {
        stop = end - (budget - visited);
        truncated = true;
      }
      visited += end - stop;
      for (let p = end - 1; p >= stop; p--) {
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
    this.lastProbe.visited = visited;
    this.lastProbe.truncated = truncated;
    this.lastProbe.tokensWalked = truncated ? k - 1 : k;
    return metCount;
  }

  /**
   * The examples still in reach once the probe is done, bounded at the end of the shorter prefix: up to there every
   * same-signed shared token was met, the side whose prefix ends there has all of its prefix mass in, and the other
   * at least what it had at the last token met. Leaves their slots at the front of `met` and returns how many.
   */
  private boundMet(index: Frozen, metCount: number, queryEnd: number, queryMass: number, bar: number, now: number): number {
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
      const rest = (unit - qMass) * (unit - vMass);
      if (gap >= 0 && rest <= gap * gap) continue;
      // The most this example's similarity can be, as far as the walk knows: what `reach` reports.
      rows[at + 1] = rows[at]! + Math.sqrt(rest);
      met[kept++] = slot;
    }
    return kept;
  }

  // ---- building and upkeep -------------------------------------------------------------------------------------

  /**
   * The index for a prefix mass. The order is frozen between builds, since indexing and querying must share it;
   * refreezing when the count has doubled or halved keeps it close to the real token statistics, on which the number
   * of postings visited depends.
   */
  private prefixIndexFor(mass: number): Frozen {
    const index = this.frozen;
    if (index && mass <= index.mass && index.count <= 2 * index.frozenCount && 2 * index.count >= index.frozenCount) return index;
    return this.rebuildPrefix(Math.max(mass, index?.mass ?? 0));
  }

  private rebuildPrefix(mass: number): Frozen {
    const size = Math.max(this.options.dim(), this.options.postings.featureCount);
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
    const slotCount = Math.max(64, this.options.slotCount());
    const index: Frozen = {
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
    for (const slot of this.options.unitSlots()) {
      running[slot] = 0;
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
      const list = this.options.postings.list(token >> 1);
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
    this.frozen = index;
    return index;
  }

  private tokenRank(index: Frozen, token: number): number {
    return token < index.rank.length ? index.rank[token]! : token;
  }

  /**
   * Puts the vector's tokens in rank order into `prefixTokens`, `prefixValues` and `prefixIncl` (running squared
   * mass) as far as its prefix for `mass` goes, and returns how many that is. One counting pass by the rank's high
   * bits and an insertion sort within each (small) bucket as it is reached: a full sort of every token cost more
   * than the rest of a lookup.
   */
  private prefixOf(vector: SparseVector, index: Frozen, mass: number): number {
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
  private notePrefix(index: Frozen, slot: number, count: number): void {
    if (slot >= index.end.length) {
      const grown = Math.max(slot + 1, index.end.length * 2);
      index.end = grow(index.end, grown, -1);
      index.prefixMass = grow(index.prefixMass, grown);
    }
    index.end[slot] = count > 0 ? this.tokenRank(index, this.prefixTokens[count - 1]!) : -1;
    index.prefixMass[slot] = count > 0 ? this.prefixIncl[count - 1]! : 0;
    index.count += 1;
  }

  private indexPrefix(index: Frozen, slot: number, vector: SparseVector): void {
    const tokenCount = index.start.length;
    // A feature past the frozen space (the hashed space grew): the next floor lookup rebuilds for it.
    if (vector.indices.length > 0 && 2 * vector.indices[vector.indices.length - 1]! + 1 >= tokenCount) {
      this.frozen = null;
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
  private moveSegment(index: Frozen, token: number): void {
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
  private unindexPrefix(index: Frozen, slot: number, vector: SparseVector): void {
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
