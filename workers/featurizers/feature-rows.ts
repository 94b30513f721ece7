import type { WireInput } from '../../src/protocol.js';
import type { StoredInput } from '../storage/index.js';
import type { Featurizer, FeaturizerDescription } from './featurizer.js';
import type { Vector } from './vector.js';

/** Numeric rows used as they are; their length is fixed by the first row a person labels. */
export class FeatureRows implements Featurizer {
  readonly id = 'raw-rows';
  readonly input = 'features';

  constructor(private readonly featureDim: () => number | null) {}

  dim(): number | null {
    return this.featureDim();
  }

  async canonical(input: WireInput): Promise<StoredInput> {
    if (!(input instanceof Float32Array)) throw new TypeError('Expected a Float32Array for a features model.');
    const dim = this.featureDim();
    if (dim !== null && input.length !== dim) {
      throw new RangeError(`Expected a row of ${dim} numbers (this model's feature length), got ${input.length}.`);
    }
    return input;
  }

  async vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    return inputs as Float32Array[];
  }

  describe(): FeaturizerDescription {
    return {
      id: this.id,
      input: this.input,
      imageSize: null,
      expects: (inputDim) =>
        `A raw row of ${inputDim} numbers, in the columns and units the model was labelled with: the standardisation is folded into the layer.`,
    };
  }

  dispose(): void {}
}
