import { inputId } from '../audit/input-id.js';
import type { EmbeddingRecord } from '../storage/index.js';

/** Where embeddings outlive the worker: the model's store (ModelStore keeps this contract). */
export interface EmbeddingStore {
  getEmbeddings(space: string, ids: readonly string[]): Promise<(Float32Array | undefined)[]>;
  putEmbeddings(records: readonly EmbeddingRecord[], keep: number): Promise<void>;
}

/**
 * Texts whose embeddings the worker holds in memory, the hot set that predictions repeat (a field classified as it
 * is typed, a queue re-ranked): 4,096 rows of 512 floats are 8 MB.
 */
export const HOT_EMBEDDINGS = 4_096;
/** The texts themselves are the keys: their characters are bounded too (2²² UTF-16 units, 8 MB), whatever their length. */
const HOT_KEY_CHARS = 1 << 22;
/**
 * Embeddings kept in storage, the newest written: five times the 10,000 labels the benchmarks grow to, so a model's
 * examples and a good share of what it predicted never need the encoder again; 50,000 rows of 512 floats are 100 MB.
 */
export const STORED_EMBEDDINGS = 50_000;

/**
 * Computes each text's embedding once: from memory when it is hot, else from the store, else from `compute`, whose
 * rows then go to both. `space` names the encoder, so two encoders' rows never mix in one store. A store that fails
 * only costs recomputation: predictions never fail for the cache.
 */
export class EmbeddingCache {
  private readonly hot = new Map<string, Float32Array>();
  private hotChars = 0;
  private warned = false;
  /** Writes not yet settled: a prediction does not wait for them, a reset does. */
  private readonly writing = new Set<Promise<void>>();
  /** Rows computed (not found in either cache) since this cache was made: what tests count. */
  computed = 0;

  constructor(
    private readonly space: string,
    private readonly store: EmbeddingStore | null,
    private readonly compute: (texts: readonly string[]) => Promise<Float32Array[]>,
  ) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const found = new Map<string, Float32Array>();
    const missing = new Set<string>();
    for (const text of texts) {
      if (found.has(text) || missing.has(text)) continue;
      const row = this.hot.get(text);
      if (row) {
        // Re-inserted: a Map keeps insertion order, so its first key is the least recently used.
        this.hot.delete(text);
        this.hot.set(text, row);
        found.set(text, row);
      } else {
        missing.add(text);
      }
    }
    if (missing.size > 0) {
      const asked = [...missing];
      const ids = this.store ? await Promise.all(asked.map((text) => inputId('text', text))) : [];
      const stored = this.store ? await this.read(ids) : [];
      const absent = asked.flatMap((_, i) => (stored[i] === undefined ? [i] : []));
      const computed = absent.length > 0 ? await this.compute(absent.map((i) => asked[i]!)) : [];
      this.computed += computed.length;
      asked.forEach((text, i) => {
        const row = stored[i];
        if (!row) return;
        this.remember(text, row);
        found.set(text, row);
      });
      const time = Date.now();
      const records = absent.map((i, j): EmbeddingRecord => {
        const row = computed[j]!;
        this.remember(asked[i]!, row);
        found.set(asked[i]!, row);
        return { space: this.space, id: ids[i]!, vector: row, time };
      });
      if (this.store && records.length > 0) {
        const write = this.write(records).finally(() => this.writing.delete(write));
        this.writing.add(write);
      }
    }
    return texts.map((text) => found.get(text)!);
  }

  /**
   * Empties the hot set once the writes under way have landed: the model is being reset, and the store's clear that
   * follows must find every embedding already there, so that nothing of its inputs stays, in storage or here.
   */
  async forget(): Promise<void> {
    await Promise.all(this.writing);
    this.hot.clear();
    this.hotChars = 0;
  }

  /** Resolves once every write started so far has landed (or failed, which only costs recomputation). */
  async settled(): Promise<void> {
    await Promise.all(this.writing);
  }

  private remember(text: string, row: Float32Array): void {
    if (this.hot.has(text)) return;
    this.hot.set(text, row);
    this.hotChars += text.length;
    for (const [oldest] of this.hot) {
      if (this.hot.size <= HOT_EMBEDDINGS && this.hotChars <= HOT_KEY_CHARS) break;
      this.hot.delete(oldest);
      this.hotChars -= oldest.length;
    }
  }

  private async read(ids: readonly string[]): Promise<(Float32Array | undefined)[]> {
    try {
      return await this.store!.getEmbeddings(this.space, ids);
    } catch (error) {
      this.warn(error);
      return ids.map(() => undefined);
    }
  }

  private async write(records: EmbeddingRecord[]): Promise<void> {
    try {
      await this.store!.putEmbeddings(records, STORED_EMBEDDINGS);
    } catch (error) {
      this.warn(error);
    }
  }

  private warn(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    console.warn('hitl-classifier: the embedding cache could not use storage; embeddings are computed again where missing', error);
  }
}
