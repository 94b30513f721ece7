import { TEXT_DIM } from './text.js';
import type { SparseVector } from './vector.js';

/**
 * A text-with-encoder vector (text-encoder.ts: the n-grams below TEXT_DIM, the embedding from TEXT_DIM on, their
 * squared lengths 1 − s₀ and s₀) as the head reads it when the embedding's share chosen from the labels is `share`:
 * each part scaled to its new squared length, 1 − share and share, which for a stored vector is the factor
 * √((1−share)/(1−s₀)) and √(share/s₀). It needs no text, so a model that keeps no inputs gets it too, and the vector
 * itself (what the near-duplicate memory compares) never changes. A vector with only one part (a text the encoder
 * reads nothing of, or one without n-grams) is that part at full length, as `join` made it, and stays as it is.
 */
export function encoderView(vector: SparseVector, share: number): SparseVector {
  let gramMass = 0;
  let embeddingMass = 0;
  const { indices, values } = vector;
  for (let j = 0; j < indices.length; j++) {
    if (indices[j]! < TEXT_DIM) gramMass += values[j]! * values[j]!;
    else embeddingMass += values[j]! * values[j]!;
  }
  if (!(gramMass > 0 && embeddingMass > 0)) return vector;
  const gramScale = Math.sqrt((1 - share) / gramMass);
  const embeddingScale = Math.sqrt(share / embeddingMass);
  const scaled = new Float32Array(values.length);
  for (let j = 0; j < indices.length; j++) scaled[j] = values[j]! * (indices[j]! < TEXT_DIM ? gramScale : embeddingScale);
  return { indices, values: scaled };
}
