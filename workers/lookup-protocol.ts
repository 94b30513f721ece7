import type { SparseVector } from './featurizers/vector.js';

/**
 * What the engine worker and its lookup helper (lookup.worker.ts) say to each other, on one port and so in order:
 * the helper applies every change to the memory before it answers a lookup sent after that change.
 */
export type HelperMessage =
  | ({ type: 'load' } & PackedExamples)
  | { type: 'upsert'; id: string; target: number; seq: number; indices: Int32Array; values: Float32Array }
  | { type: 'remove'; id: string }
  | { type: 'clear' }
  | { type: 'lookup'; request: number; texts: string[]; classes: number; floor: number };

export type HelperReply =
  | { type: 'ready' }
  | ({ type: 'result'; request: number; perClass: Float64Array; top: Float64Array; topSeq: Float64Array } & PackedVectors)
  | { type: 'failed'; request: number; message: string };

/** Sparse vectors in three flat arrays, so a batch crosses to another worker as a few transferred buffers. */
export interface PackedVectors {
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

export interface PackedExamples extends PackedVectors {
  ids: string[];
  targets: Int32Array;
  seqs: Float64Array;
}

export function packVectors(vectors: readonly SparseVector[]): PackedVectors {
  const offsets = new Int32Array(vectors.length + 1);
  vectors.forEach((v, i) => (offsets[i + 1] = offsets[i]! + v.indices.length));
  const indices = new Int32Array(offsets[vectors.length]!);
  const values = new Float32Array(indices.length);
  vectors.forEach((v, i) => {
    indices.set(v.indices, offsets[i]!);
    values.set(v.values, offsets[i]!);
  });
  return { offsets, indices, values };
}

/** Copies, not views: a vector kept in the queue or the memory must not hold the whole batch's buffer alive. */
export function unpackVectors({ offsets, indices, values }: PackedVectors): SparseVector[] {
  return Array.from({ length: offsets.length - 1 }, (_, i) => ({
    indices: indices.slice(offsets[i]!, offsets[i + 1]!),
    values: values.slice(offsets[i]!, offsets[i + 1]!),
  }));
}

export function transferables({ offsets, indices, values }: PackedVectors): ArrayBuffer[] {
  return [offsets.buffer, indices.buffer, values.buffer] as ArrayBuffer[];
}
