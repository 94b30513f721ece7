import type { WireInput } from '../../src/protocol.js';
import type { StoredInput } from '../storage/index.js';
import type { Featurizer, FeaturizerDescription } from './featurizer.js';
import { decodeImage, type SquarePixels } from './image-decode.js';
import { IMAGE_FEATURE_DIM, IMAGE_SIZE, featurizeImages } from './image.js';
import type { Vector } from './vector.js';

/** Checks that a wire input is a picture before it is decoded: text and rows belong to other kinds of model. */
export function pictureOf(input: WireInput): Exclude<WireInput, string | Float32Array> {
  if (typeof input === 'string' || input instanceof Float32Array) throw new TypeError('Expected an image for an image model.');
  return input;
}

/** The built-in image featurizer: pictures resized to IMAGE_SIZE and put through a fixed wavelet scattering (image.ts). */
export class Scattering implements Featurizer {
  readonly id = `scattering-${IMAGE_SIZE}`;
  readonly input = 'image';

  dim(): number {
    return IMAGE_FEATURE_DIM;
  }

  async canonical(input: WireInput): Promise<StoredInput> {
    return decodeImage(pictureOf(input), IMAGE_SIZE);
  }

  async vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    if (inputs.length === 0) return [];
    return featurizeImages(inputs as SquarePixels[]);
  }

  describe(): FeaturizerDescription {
    return {
      id: this.id,
      input: this.input,
      imageSize: IMAGE_SIZE,
      expects: (inputDim) =>
        `The ${inputDim} wavelet-scattering features of an image resized to ${IMAGE_SIZE}×${IMAGE_SIZE} (featurizeImages in workers/featurizers/image.ts), not pixels.`,
    };
  }

  dispose(): void {}
}
