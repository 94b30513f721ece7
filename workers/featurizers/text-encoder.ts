import type { TextEncoderSpec, WireInput } from '../../src/protocol.js';
import type { StoredInput } from '../storage/index.js';
import { EmbeddingCache, type EmbeddingStore } from './embedding-cache.js';
import type { Featurizer, FeaturizerDescription } from './featurizer.js';
import { activeBackend } from '../backend.js';
import { ParallelEncoder } from './parallel-encoder.js';
import { loadSentenceEncoder, type SentenceEncoder } from './sentence-encoder.js';
import { TEXT_DIM } from './text.js';
import { TextNgrams } from './text-ngrams.js';
import type { SparseVector, Vector } from './vector.js';

/**
 * The encoder's share of a joined vector's squared length; the n-grams have the rest. At one half, the cosine of
 * two joined vectors is the plain mean of their n-gram cosine and their encoder cosine, and the head's L2 penalty
 * prices a unit of evidence from either part alike: no prior for surface form over meaning or the reverse. It also
 * keeps the n-grams' share (0.5) above 1 − 0.8² = 0.36, the prefix mass of the memory's near-duplicate lookup, so
 * lookups probe the rare n-gram features rather than the encoder's 512 columns, which every example has. The stored
 * vectors, and so the memory, keep this share; what the head reads is re-split at the share the feature choice picks
 * from the model's labels (feature-choice.ts, ENCODER_SHARES).
 */
export const DEFAULT_ENCODER_SHARE = 0.5;

/**
 * Text as hashed n-grams joined with a pretrained encoder's embedding: one sparse unit vector whose first TEXT_DIM
 * entries are the n-gram vector (text.ts) and whose next `encoder.dim` are the embedding, each part scaled so that
 * their squared lengths are 1 − share and share. A text with only one part (no tokens the encoder reads, or no
 * n-grams) gets that part at full length, so every non-blank text stays a unit vector.
 *
 * Embeddings are computed once per text (EmbeddingCache): kept in the model's store and, for the hot set, here.
 */
export class TextWithEncoder implements Featurizer {
  readonly id: string;
  readonly input = 'text';
  private readonly ngrams = new TextNgrams();
  private readonly cache: EmbeddingCache;
  /**
   * The embedding's share of what the head reads, as the model chose it from its labels (feature-choice.ts); 0 reads
   * the vector as joined, at `share`. headRow re-splits a vector for it (encoder-view.ts); the vectors themselves, which
   * the memory compares, never change with it.
   */
  shortGramShare = 0;
  readonly extra = 'encoder';

  constructor(
    private readonly encoder: SentenceEncoder,
    readonly share: number,
    store: EmbeddingStore | null,
  ) {
    if (!(share > 0 && share < 1)) throw new RangeError(`The encoder's share of a joined vector must be in (0, 1), got ${share}.`);
    const vocabulary = encoder.vocabularyUrl === new URL('vocab.json', encoder.url).href ? '' : ` vocabulary ${encoder.vocabularyUrl}`;
    // The share is in the id: a head trained on one split of the length means something else on another.
    this.id = `${this.ngrams.id}+encoder(share ${share}):${encoder.url}${vocabulary}`;
    this.cache = new EmbeddingCache(`encoder:${encoder.url}${vocabulary}`, store, (texts) => encoder.embed(texts));
  }

  /** Rows the encoder computed so far (neither in memory nor stored): what shows that the cache works. */
  get embedded(): number {
    return this.cache.computed;
  }

  dim(): number {
    return TEXT_DIM + this.encoder.dim;
  }

  canonical(input: WireInput): Promise<StoredInput> {
    return this.ngrams.canonical(input);
  }

  async vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    if (inputs.length === 0) return [];
    const embeddings = await this.cache.embed(inputs as string[]);
    const grams = await this.ngrams.vectorize(inputs);
    return grams.map((gram, i) => join(gram as SparseVector, embeddings[i]!, this.share));
  }

  describe(): FeaturizerDescription {
    const dim = this.encoder.dim;
    return {
      id: this.id,
      input: this.input,
      imageSize: null,
      expects: (inputDim) =>
        `The ${inputDim}-value vector of a text, not the text: its ${TEXT_DIM} hashed n-grams (featurizeText in workers/featurizers/text.ts) ` +
        `scaled to a squared length of ${1 - this.share}, then the ${dim} outputs of the text encoder ${this.encoder.url} scaled to ${this.share}.`,
    };
  }

  forget(): Promise<void> {
    return this.cache.forget();
  }

  /** Resolves once the embeddings computed so far are in the store. */
  settled(): Promise<void> {
    return this.cache.settled();
  }

  dispose(): void {
    this.encoder.dispose();
  }
}

/** The n-gram vector (unit or empty) and the embedding (unit or zeros) as one sparse vector, each part at its share. */
export function join(gram: SparseVector, embedding: Float32Array, share: number): SparseVector {
  let gramMass = 0;
  for (const v of gram.values) gramMass += v * v;
  let used = 0;
  let embeddingMass = 0;
  for (const v of embedding) {
    if (v !== 0) used += 1;
    embeddingMass += v * v;
  }
  const both = gramMass > 0 && embeddingMass > 0;
  const gramScale = gramMass > 0 ? Math.sqrt((both ? 1 - share : 1) / gramMass) : 0;
  const embeddingScale = embeddingMass > 0 ? Math.sqrt((both ? share : 1) / embeddingMass) : 0;
  const indices = new Int32Array(gram.indices.length + used);
  const values = new Float32Array(indices.length);
  indices.set(gram.indices);
  for (let j = 0; j < gram.values.length; j++) values[j] = gram.values[j]! * gramScale;
  let k = gram.indices.length;
  for (let j = 0; j < embedding.length; j++) {
    if (embedding[j] === 0) continue;
    indices[k] = TEXT_DIM + j;
    values[k++] = embedding[j]! * embeddingScale;
  }
  return { indices, values };
}

export async function loadTextWithEncoder(
  spec: TextEncoderSpec,
  store: EmbeddingStore | null,
  share = DEFAULT_ENCODER_SHARE,
): Promise<TextWithEncoder> {
  const own = await loadSentenceEncoder(spec.url, { vocabularyUrl: spec.vocabularyUrl, allowedOrigins: spec.allowedOrigins });
  // On a GPU the passes run there; on the CPU backends a large batch is shared with helper workers (other cores).
  const backend = activeBackend();
  const encoder = backend === 'wasm' || backend === 'cpu' ? new ParallelEncoder(own, { backend, allowedOrigins: spec.allowedOrigins }) : own;
  try {
    return new TextWithEncoder(encoder, share, store);
  } catch (error) {
    encoder.dispose();
    throw error;
  }
}
