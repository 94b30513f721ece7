import type { FeatureExtractorSpec, InputKind, TeachableMachineSpec, TextEncoderSpec, WireInput } from '../../src/protocol.js';
import type { ShippedHead } from '../learning/prior.js';
import type { EmbeddingStore } from './embedding-cache.js';
import { FeatureRows } from './feature-rows.js';
import { TextNgrams } from './text-ngrams.js';
import type { HeadExtra, StoredInput } from '../storage/index.js';
import type { Vector } from './vector.js';

/**
 * How one kind of input becomes vectors. Every input kind implements it (hashed text n-grams, numeric rows, the
 * built-in image transform, a site's frozen model), so a new encoder is one new file and the engine never branches on
 * the input kind to featurize.
 */
export interface Featurizer {
  /**
   * Names how inputs become vectors. It is stored with the model: a head trained with one featurizer means nothing
   * with another, so a model opened with a different id is refused.
   */
  readonly id: string;
  readonly input: InputKind;
  /** Length of every vector, or null while it is unknown (a numeric model before its first row). */
  dim(): number | null;
  /**
   * Checks an input and returns what is stored and hashed for it: the text, the checked row, or the decoded,
   * resized picture. Must reject bad input with a TypeError or RangeError that names what was expected.
   */
  canonical(input: WireInput): Promise<StoredInput>;
  /** Vectors for canonical inputs, in order, in one batch where the featurizer gains from batching. */
  vectorize(inputs: readonly StoredInput[]): Promise<Vector[]>;
  /** What stats, export and import need to know of it. */
  describe(): FeaturizerDescription;
  /**
   * Drops what it keeps of the inputs it has seen (a cache of their embeddings) once its writes to the store have
   * landed: the model is being reset, and the store is cleared next.
   */
  forget?(): Promise<void>;
  /**
   * Text only: the extra group's share of what the head reads (short character grams or words; with a text encoder,
   * the embedding's share), as chosen from the model's labels (feature-choice.ts); the head reads the view headRow
   * (vector.ts) gives. Absent or 0: the vector itself.
   */
  readonly shortGramShare?: number;
  /** Which group that share is (head-views.ts); absent: letters. */
  readonly extra?: HeadExtra;
  /** With extra 'counts': what the letters' counts are divided by; absent: 1. */
  readonly countScale?: number;
  /** A head that came with the model (a Teachable Machine export's): the first answer, and where training starts. */
  readonly shipped?: ShippedHead;
  /** Frees what it holds (model weights); it is not used afterwards. */
  dispose(): void;
}

/**
 * A text featurizer that joins an encoder's embedding to the n-grams (text-encoder.ts), seen without importing it (it
 * loads on demand): `share` is the embedding's share of its vectors, `shortGramShare` the one the head reads (0: the same).
 */
export interface EncoderText extends Featurizer {
  readonly extra: 'encoder';
  readonly share: number;
  shortGramShare: number;
}

export function isEncoderText(featurizer: Featurizer): featurizer is EncoderText {
  return featurizer.extra === 'encoder';
}

export interface FeaturizerDescription {
  id: string;
  input: InputKind;
  /** The side pictures are resized to before they are featurized; null for other inputs. */
  imageSize: number | null;
  /** What a vector of `inputDim` values is, in words, for the metadata of an exported model. */
  expects(inputDim: number): string;
}

/** What the featurizer of a model is built from: its spec, and the row length a numeric model learnt from its data. */
export interface FeaturizerOptions {
  input: InputKind;
  featureExtractor?: FeatureExtractorSpec | undefined;
  /** Image models only: a Teachable Machine export, whose backbone featurizes and whose head answers first. */
  teachableMachine?: TeachableMachineSpec | undefined;
  /** Text models only: a pretrained encoder whose embeddings join the n-grams. */
  textEncoder?: TextEncoderSpec | undefined;
  /** The encoder's share of a joined vector's squared length (text-encoder.ts); its default until chosen from the labels. */
  encoderShare?: number | undefined;
  /** Where an encoder's embeddings are kept between sessions: the model's store. */
  embeddings?: EmbeddingStore | null;
  featureDim: () => number | null;
}

/**
 * The featurizer for a model's input kind. Text n-grams and numeric rows are small and in the worker from the start,
 * so opening a model waits for no other chunk; image featurizers and the text encoder load (and download their
 * weights) only when asked for, so a site that configures none never fetches their code or files.
 */
export async function createFeaturizer(options: FeaturizerOptions): Promise<Featurizer> {
  switch (options.input) {
    case 'text':
      if (options.textEncoder) {
        const { loadTextWithEncoder } = await import('./text-encoder.js');
        return loadTextWithEncoder(options.textEncoder, options.embeddings ?? null, options.encoderShare);
      }
      return new TextNgrams();
    case 'features':
      return new FeatureRows(options.featureDim);
    case 'image': {
      if (options.teachableMachine) return (await import('./teachable-machine.js')).loadTeachableMachine(options.teachableMachine);
      if (options.featureExtractor) return (await import('./site-model.js')).loadSiteModel(options.featureExtractor);
      return new (await import('./scattering.js')).Scattering();
    }
  }
}
