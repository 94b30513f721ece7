import type { WireInput } from '../../src/protocol.js';
import type { StoredInput, TextGroup } from '../storage/index.js';
import type { Featurizer, FeaturizerDescription } from './featurizer.js';
import { headView } from './head-views.js';
import { TEXT_DIM, featurizeText } from './text.js';
import type { SparseVector, Vector } from './vector.js';

/** Text as hashed word and character n-grams (text.ts): sparse, unit length, no weights to load. */
export class TextNgrams implements Featurizer {
  readonly id = 'hashed-ngrams-v1';
  readonly input = 'text';
  /**
   * The extra group's share of what the head reads, and which group (head-views.ts), as the model chose them from its
   * labels (feature-choice.ts). The vectors themselves, which the memory compares, never change with them.
   */
  shortGramShare = 0;
  extra: TextGroup = 'letters';
  /** With extra 'counts': what the letters' counts are divided by (FeatureChoiceRecord.countScale). */
  countScale = 1;

  dim(): number {
    return TEXT_DIM;
  }

  async canonical(input: WireInput): Promise<StoredInput> {
    if (typeof input !== 'string') throw new TypeError('Expected a string for a text model.');
    return input;
  }

  async vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    const vectors = inputs.map((input) => featurizeText(input as string));
    this.attachHeadViews(inputs as readonly string[], vectors);
    return vectors;
  }

  /** Gives n-gram vectors of `texts` (made here or by the lookup helper) the head's view, when the choice adds one. */
  attachHeadViews(texts: readonly string[], vectors: readonly SparseVector[], share = this.shortGramShare, extra = this.extra): void {
    if (share <= 0) return;
    const scale = this.countScale;
    vectors.forEach((vector, i) => (vector.head = { share, extra, scale, vector: headView(vector, texts[i]!, extra, share, scale) }));
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
