import type { HeadExtra, SparseVector, Vector } from '../storage/records.js';
import { encoderView } from './encoder-view.js';

// The row types are storage's (a model that keeps no inputs stores vectors); featurizers take them from there.
export type { SparseVector, Vector };

export function isSparse(vector: Vector): vector is SparseVector {
  return !(vector instanceof Float32Array);
}

/** Writes rows into one row-major block of `dim` columns, the layout a dense matMul takes. */
export function densify(
  rows: readonly Vector[],
  dim: number,
  out: Float32Array<ArrayBuffer> = new Float32Array(rows.length * dim),
): Float32Array<ArrayBuffer> {
  out.fill(0, 0, rows.length * dim);
  rows.forEach((row, r) => {
    const offset = r * dim;
    if (isSparse(row)) {
      for (let j = 0; j < row.indices.length; j++) out[offset + row.indices[j]!] = row.values[j]!;
    } else {
      out.set(row, offset);
    }
  });
  return out;
}

/**
 * Keeps only the columns some row uses. A linear head trained from zero with L2 never moves a weight whose
 * column is zero in every row, so training on the used columns gives the same model with far smaller tensors.
 */
export function compactColumns(rows: readonly Vector[], dim: number): { rows: Vector[]; dim: number; columns: Int32Array | null } {
  if (rows.length === 0 || !rows.every(isSparse)) return { rows: [...rows], dim, columns: null };
  const sparse = rows as readonly SparseVector[];
  const position = new Int32Array(dim).fill(-1);
  const columns: number[] = [];
  for (const row of sparse) {
    for (const index of row.indices) {
      if (position[index] === -1) {
        position[index] = 0;
        columns.push(index);
      }
    }
  }
  columns.sort((a, b) => a - b);
  columns.forEach((column, i) => (position[column] = i));
  const remapped = sparse.map((row) => ({ indices: row.indices.map((index) => position[index]!), values: row.values }));
  return { rows: remapped, dim: columns.length, columns: Int32Array.from(columns) };
}

/**
 * What a head trained on `share` of group `extra` (with the counts' `scale`, for 'counts') reads for `vector`: the
 * head's view the featurizer attached for that choice (head-views.ts), or the vector itself. A vector without the
 * right view (made while the choice was changing) is read as its n-grams alone, which is what the old head, the one
 * still serving then, was trained on.
 */
export function headRow(vector: Vector, share: number, extra: HeadExtra = 'letters', scale = 1): Vector {
  if (share <= 0 || !isSparse(vector)) return vector;
  // The encoder's view is made from the vector alone, when read: nothing to attach, nothing to fall back from.
  if (extra === 'encoder') return encoderView(vector, share);
  const head = vector.head;
  const same = head?.share === share && (head.extra ?? 'letters') === extra && (extra !== 'counts' || head.scale === scale);
  return same ? head.vector : vector;
}
