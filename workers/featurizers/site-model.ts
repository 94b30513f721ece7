import type { FeatureExtractorSpec, WireInput } from '../../src/protocol.js';
import type { StoredInput } from '../storage/index.js';
import { loadFeatureExtractor, type FeatureExtractor } from './extractor.js';
import type { Featurizer, FeaturizerDescription } from './featurizer.js';
import { decodeImage, type SquarePixels } from './image-decode.js';
import { pictureOf } from './scattering.js';
import type { Vector } from './vector.js';

/** Pictures featurized by a frozen model the site hosts (extractor.ts) instead of the built-in transform. */
export class SiteModel implements Featurizer {
  readonly id: string;
  readonly input = 'image';

  constructor(
    private readonly extractor: FeatureExtractor,
    layer?: string,
  ) {
    // A cut is another featurizer: its id names the layer (and ids of uncut models stay as they were stored).
    this.id = `extractor:${extractor.url}${layer === undefined ? '' : `#${layer}`}`;
  }

  dim(): number {
    return this.extractor.dim;
  }

  async canonical(input: WireInput): Promise<StoredInput> {
    return decodeImage(pictureOf(input), this.extractor.inputSize);
  }

  async vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    if (inputs.length === 0) return [];
    return this.extractor.featurize(inputs as SquarePixels[]);
  }

  describe(): FeaturizerDescription {
    return {
      id: this.id,
      input: this.input,
      imageSize: this.extractor.inputSize,
      expects: (inputDim) =>
        `The ${inputDim} outputs (average-pooled, L2-normalised) of the feature extractor ${this.extractor.url} for an image, not pixels: run that model first.`,
    };
  }

  dispose(): void {
    this.extractor.dispose();
  }
}

export async function loadSiteModel(spec: FeatureExtractorSpec): Promise<SiteModel> {
  const extractor = await loadFeatureExtractor(spec.url, {
    ...(spec.allowedOrigins ? { allowedOrigins: spec.allowedOrigins } : {}),
    ...(spec.inputRange ? { inputRange: spec.inputRange } : {}),
    ...(spec.layer !== undefined ? { layer: spec.layer } : {}),
  });
  return new SiteModel(extractor, spec.layer);
}
