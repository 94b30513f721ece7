import { isSparse, type SparseVector } from './featurizers/vector.js';
import { HelperWorker } from './helper-worker.js';
import { packVectors, transferables, unpackVectors, type HelperMessage, type HelperReply } from './lookup-protocol.js';
import type { ExampleMemory, MemoryObserver, Nearest } from './memory/example-memory.js';

/** A text model's memory gets a helper once it holds this many examples: below, a lookup is cheap (~0.02 ms). */
export const HELPER_MIN_EXAMPLES = 2_000;
/** A batch is shared with the helper from this many texts: below, the round trip costs more than it saves. */
export const HELPER_MIN_BATCH = 64;
/**
 * A helper that has not answered a lookup in this long, plus a little per text, is declared hung and ended. Not a
 * deadline a slow block can miss: every lookup's work is bounded (LOOKUP_BUDGET, ~0.5 ms at most) and so is every
 * text's featurizing (MAX_TEXT_CHARS, ~5 ms at most), so a block of 250 texts needs ~1.4 s in the worst case, on a
 * busy core a few times that; only a dead or hung helper stays silent for 10 s.
 */
const HELPER_TIMEOUT_MS = 10_000;
const HELPER_TIMEOUT_PER_TEXT_MS = 2;

export interface HelperAnswer {
  vectors: SparseVector[];
  nearest: Nearest[];
}

export interface LookupHelperOptions {
  /** The helper's worker; tests pass one that misbehaves. */
  worker?: Worker;
  /** How long a lookup may go unanswered before the helper is declared hung (default: 10 s plus 2 ms a text). */
  timeoutMs?: (texts: number) => number;
}

/**
 * A second worker holding a copy of a text model's example memory, so that a large predictBatch or
 * selectForReview featurizes and looks up near-duplicates on two cores: at 10,000 stored texts the exact lookup
 * is ~0.2 ms a text, most of a batch's time. The copy hears of every change to the memory in order (MemoryObserver)
 * on the same port as the lookups, so a lookup sees exactly the examples the engine's memory held when it was
 * sent. Its answers are the ones the engine's memory would give wherever the lookup is exact (LOOKUP_BUDGET not
 * reached: ordinary texts); where a lookup stops at its budget, both sides report exact similarities of the examples
 * they met, with the same recall, but their prefix indexes (frozen at different counts) may have met different ones.
 * Either way the engine's own fallback is the same bounded lookup, never a slower one.
 *
 * The helper is an optimisation only. If it fails to start, dies or stops answering, its lookups reject, the engine
 * computes them itself, and this model never uses a helper again; a lookup that throws in the helper rejects alone.
 */
type LookupResult = Extract<HelperReply, { type: 'result' }>;

export class LookupHelper extends HelperWorker<HelperMessage, HelperReply, LookupResult> implements MemoryObserver {
  private ready = false;
  private readonly timeoutMs: (texts: number) => number;

  constructor(
    private readonly memory: ExampleMemory,
    options: LookupHelperOptions = {},
  ) {
    super(
      options.worker ?? new Worker(new URL('./lookup.worker.ts', import.meta.url), { type: 'module', name: 'hitl-classifier-lookups' }),
      'The lookup helper worker',
    );
    this.timeoutMs = options.timeoutMs ?? ((texts) => HELPER_TIMEOUT_MS + HELPER_TIMEOUT_PER_TEXT_MS * texts);
    const examples = [...memory.examples()].filter((e): e is typeof e & { vector: SparseVector } => isSparse(e.vector));
    const packed = packVectors(examples.map((e) => e.vector));
    const ids = examples.map((e) => e.id);
    const targets = Int32Array.from(examples, (e) => e.target);
    const seqs = Float64Array.from(examples, (e) => e.seq);
    this.send({ type: 'load', ids, targets, seqs, ...packed }, [targets.buffer, seqs.buffer, ...transferables(packed)]);
    memory.observe(this);
  }

  /** Loaded and never failed: lookups sent now are answered from the same examples as the engine's memory. */
  get usable(): boolean {
    return this.ready && !this.failed;
  }

  upsert(id: string, target: number, vector: SparseVector | Float32Array, seq: number): void {
    if (!isSparse(vector)) {
      this.fail(new Error('The lookup helper serves sparse (text) examples only.'));
      return;
    }
    this.send({ type: 'upsert', id, target, seq, indices: vector.indices, values: vector.values });
  }

  remove(id: string): void {
    this.send({ type: 'remove', id });
  }

  clear(): void {
    this.send({ type: 'clear' });
  }

  /** Featurizes `texts` and finds each one's near-duplicates above `floor`, as ExampleMemory.nearest would. */
  async lookup(texts: string[], classes: number, floor: number): Promise<HelperAnswer> {
    const reply = await this.request(
      (request) => ({ type: 'lookup', request, texts, classes, floor }),
      this.timeoutMs(texts.length),
      `The lookup helper did not answer ${texts.length} lookups in time.`,
    );
    return {
      vectors: unpackVectors(reply),
      nearest: Array.from(reply.top, (top, i) => ({ perClass: reply.perClass.slice(i * classes, (i + 1) * classes), top, topSeq: reply.topSeq[i]! })),
    };
  }

  protected receive(reply: HelperReply): void {
    if (reply.type === 'ready') this.ready = true;
    // One input the helper could not handle says nothing about the others: the engine redoes this batch itself.
    else if (reply.type === 'failed') this.settle(reply.request, { error: new Error(`The lookup helper failed: ${reply.message}`) });
    else this.settle(reply.request, { answer: reply });
  }

  /** Its copy may now differ from the memory, so no lookup may be answered from it again. */
  protected override ended(): void {
    this.memory.observe(null);
  }
}
