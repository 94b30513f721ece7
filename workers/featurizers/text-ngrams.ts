import type { WireInput } from '../../src/protocol.js';
import type { StoredInput } from '../storage/index.js';
import type { Featurizer, FeaturizerDescription } from './featurizer.js';
import { TEXT_DIM, featurizeText } from './text.js';
import type { Vector } from './vector.js';

/** Text as hashed word and character n-grams (text.ts): sparse, unit length, no weights to load. */
export class TextNgrams implements Featurizer {
  readonly id = 'hashed-ngrams-v1';
  readonly input = 'text';

  dim(): number {
    return TEXT_DIM;
  }

  async canonical(input: WireInput): Promise<StoredInput> {
    if (typeof input !== 'string') throw new TypeError('Expected a string for a text model.');
    return input;
  }

  async vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    return inputs.map((input) => featurizeText(input as string));
  }

  describe(): FeaturizerDescription {
    return {
      id: this.id,
      input: this.input,
      imageSize: null,
      expects: (inputDim) =>
        `The ${inputDim}-value hashed n-gram vector of a text (${this.id}: featurizeText in workers/featurizers/text.ts, densified), not the text.`,
    };
  }

  dispose(): void {}
}
