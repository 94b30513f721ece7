import type { WireInput } from '../../src/protocol.js';
import type { StoredInput } from '../storage/index.js';

/**
 * A review pool's inputs in canonical form, each made once however many steps of one selection read it: the
 * ranking, the ids of its picks, and the random draw (decoding an image's pixels is the costly part). Only the items
 * some step reads are made, so cold start's sample of a large pool still costs what the sample does.
 */
export class CanonicalPool {
  private readonly made = new Map<number, Promise<StoredInput>>();

  constructor(
    private readonly inputs: readonly WireInput[],
    private readonly canonical: (input: WireInput) => Promise<StoredInput>,
  ) {}

  get size(): number {
    return this.inputs.length;
  }

  at(indices: readonly number[]): Promise<StoredInput[]> {
    return Promise.all(
      indices.map((i) => {
        let made = this.made.get(i);
        if (!made) {
          made = this.canonical(this.inputs[i]!);
          this.made.set(i, made);
        }
        return made;
      }),
    );
  }
}
