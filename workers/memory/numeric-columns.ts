import { SLACK } from './similarity-math.js';

/** Numeric rows left in reach below this many are scored exactly rather than pruned column by column. */
const EXACT_BELOW = 32;

/**
 * The numeric rows (Gaussian metric) column-major by slot, so a floor lookup can drop far rows column by column
 * before scoring the few left exactly: one column is one sequential read, where row by row each of a few scattered
 * columns costs a cache miss.
 */
export class NumericColumns {
  /** Value of column i for slot s at i · capacity + s. */
  private columns = new Float32Array(0);
  /** The row length stored: −1 before the first row, −2 once rows of two lengths came (the store is then off). */
  private dim = -1;
  private capacity = 0;
  private orderCache: { scale: Float32Array | null; dim: number; order: Int32Array } | null = null;

  /** Whether every row stored has `dim` columns, so `prune` may be used for queries of that length. */
  holds(dim: number): boolean {
    return this.dim === dim;
  }

  /** Copies a row into the store; a row of another length than the first turns the store off until `clear`. */
  store(slot: number, row: Float32Array): void {
    if (this.dim === -1) this.dim = row.length;
    if (row.length !== this.dim) {
      this.dim = -2;
      return;
    }
    const dim = this.dim;
    if (slot >= this.capacity) {
      const capacity = Math.max(64, this.capacity * 2, slot + 1);
      const grown = new Float32Array(dim * capacity);
      for (let i = 0; i < dim; i++) grown.set(this.columns.subarray(i * this.capacity, (i + 1) * this.capacity), i * capacity);
      this.columns = grown;
      this.capacity = capacity;
    }
    for (let i = 0; i < dim; i++) this.columns[i * this.capacity + slot] = row[i]!;
  }

  clear(): void {
    this.columns = new Float32Array(0);
    this.dim = -1;
    this.capacity = 0;
  }

  /**
   * Drops the rows that cannot pass `limit` (a bound on the scaled squared distance, see `distanceLimit`), column by
   * column, widest spread first, until fewer than EXACT_BELOW are left. `ids` and `slots` list the candidates
   * (`count` of them, in the order the caller wants survivors back); the survivors are left at their front, in that
   * order, and their number is returned. A row left is not necessarily closer than one dropped: score it exactly.
   */
  prune(
    query: Float32Array,
    inverse: Float64Array,
    scale: Float32Array | null,
    limit: number,
    ids: Int32Array,
    slots: Int32Array,
    count: number,
  ): number {
    const dim = query.length;
    // Most rows are out of reach within a dozen columns.
    const order = this.widestFirst(scale, dim);
    const d2 = new Float64Array(count);
    const columns = this.columns;
    const capacity = this.capacity;
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
          ids[kept] = ids[a]!;
          slots[kept] = slots[a]!;
          d2[kept] = d2[a]!;
          kept += 1;
        }
        count = kept;
      }
    }
    return count;
  }

  /** Columns by decreasing spread: the ones that tell rows apart come first, so a far row is dropped early. */
  private widestFirst(scale: Float32Array | null, dim: number): Int32Array {
    if (this.orderCache && this.orderCache.scale === scale && this.orderCache.dim === dim) return this.orderCache.order;
    const order = Int32Array.from({ length: dim }, (_, i) => i);
    if (scale) order.sort((a, b) => scale[b]! - scale[a]! || a - b);
    this.orderCache = { scale, dim, order };
    return order;
  }
}

/**
 * The scaled squared distance a row must stay under for its Gaussian similarity exp(−d²/width) to pass `floor`
 * (d² < −width·ln(floor)), widened by the float slack; Infinity when there is no such floor to prune with.
 */
export function distanceLimit(floor: number | undefined, width: number): number {
  return floor !== undefined && floor > 0 && floor < 1 ? -width * Math.log(floor) * (1 + SLACK) + SLACK : Infinity;
}
