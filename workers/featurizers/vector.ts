/** A sparse row: sorted, unique indices with their values. Text features are sparse; numeric rows are dense. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export type Vector = SparseVector | Float32Array;

export function isSparse(vector: Vector): vector is SparseVector {
  return !(vector instanceof Float32Array);
}

/** Writes rows into one row-major block of `dim` columns, the layout a dense matMul takes. */
export function densify(rows: readonly Vector[], dim: number, out: Float32Array<ArrayBuffer> = new Float32Array(rows.length * dim)): Float32Array<ArrayBuffer> {
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
