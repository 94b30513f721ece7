import { describe, expect, test } from 'vitest';
import { encoderView } from './encoder-view.js';
import { featurizeText, TEXT_DIM } from './text.js';
import { join } from './text-encoder.js';
import { headRow, type SparseVector } from './vector.js';

/** Squared lengths of a joined vector's n-gram part and embedding part. */
function masses(vector: SparseVector): [number, number] {
  let grams = 0;
  let embedding = 0;
  vector.indices.forEach((index, j) => (index < TEXT_DIM ? (grams += vector.values[j]! ** 2) : (embedding += vector.values[j]! ** 2)));
  return [grams, embedding];
}

const embedding = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i + 1));

describe('encoderView: a joined vector re-split at another share of the embedding', () => {
  test('is what joining the same parts at that share gives, for a vector joined at any share', () => {
    const grams = featurizeText('The invoice page crashes when I click save');
    for (const joined of [0.5, 0.3]) {
      const vector = join(grams, embedding, joined);
      for (const share of [0.25, 0.75]) {
        const view = encoderView(vector, share);
        const direct = join(grams, embedding, share);
        expect(Array.from(view.indices)).toEqual(Array.from(direct.indices));
        view.values.forEach((v, j) => expect(v).toBeCloseTo(direct.values[j]!, 6));
        const [g, e] = masses(view);
        expect(g).toBeCloseTo(1 - share, 5);
        expect(e).toBeCloseTo(share, 5);
        // headRow gives the head this view for an encoder choice, without anything attached to the vector.
        expect(headRow(vector, share, 'encoder')).toEqual(view);
      }
      expect(headRow(vector, 0, 'encoder')).toBe(vector);
    }
  });

  test('keeps a vector with one part as it is: the part at full length, as join made it', () => {
    const gramsOnly = join(featurizeText('zzqx'), new Float32Array(8), 0.5);
    const embeddingOnly = join({ indices: new Int32Array(0), values: new Float32Array(0) }, embedding, 0.5);
    for (const vector of [gramsOnly, embeddingOnly]) {
      expect(encoderView(vector, 0.75)).toBe(vector);
      expect(masses(vector)[0] + masses(vector)[1]).toBeCloseTo(1, 5);
    }
  });
});
