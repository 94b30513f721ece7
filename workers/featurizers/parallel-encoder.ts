import type { EncoderHelperMessage, EncoderHelperReply } from '../encoder-protocol.js';
import { HelperWorker } from '../helper-worker.js';
import { nextTask } from '../learning/head.js';
import { ENCODER_BATCH, type SentenceEncoder } from './sentence-encoder.js';

/**
 * A batch is shared with helpers from this many texts: below, one or two passes of the engine's own encoder finish
 * before a helper's answer would come back, and a single text (a first prediction) never waits on a message.
 */
export const PARALLEL_MIN_TEXTS = 2 * ENCODER_BATCH;
/**
 * Helpers at most. Each holds its own copy of the encoder (USE lite: 27 MB of weights, some 60 MB of memory with
 * the runtime), so the count stays small even where there are many cores.
 */
const MAX_HELPERS = 2;
/**
 * A helper silent this long on one pass (plus a little per text) is taken for dead or hung and ended, and its texts
 * are embedded here. A pass of 32 short texts takes ~0.3 s on one core (two such passes when one waits behind the
 * other); only a helper that stopped stays silent for half a minute.
 */
const HELPER_TIMEOUT_MS = 30_000;
const HELPER_TIMEOUT_PER_TEXT_MS = 20;
/**
 * Texts in a pass of a shared batch, at most. The engine takes in a helper's answer only between passes of its own
 * (a pass runs in microtasks), so its passes must be short beside a helper's queue (below); and a pass has a fixed
 * cost (USE lite: ~250 kernels, ~10 ms on wasm), small beside the ~0.3 s of 32 texts. Per text, passes of 16 to 64
 * cost about the same here (Node, wasm: 7.1, 6.6 and 7–8.7 ms).
 */
const SHARED_PASS = 32;
/**
 * The last passes of a batch shrink to this many texts: when the queue runs dry, whoever is still on a pass keeps
 * the others waiting for at most that long.
 */
const LAST_PASS = 8;
/**
 * Passes a helper holds at once. With one, it idles from its answer until the engine ends the pass it is on and
 * sends the next (measured: up to half of the helper's time, when both finish passes together); with two, the next waits
 * in its queue. More would only leave more in its hands when the batch's queue runs dry.
 */
const HELPER_PASSES_IN_FLIGHT = 2;

export interface ParallelEncoderOptions {
  /** The engine's backend; the helpers start the same one. */
  backend: 'wasm' | 'cpu';
  /** Origins besides this one the encoder's files may come from, as the engine's copy was loaded with. */
  allowedOrigins?: string[] | undefined;
  /** How many helpers; default one fewer than the cores, at most 2. */
  helpers?: number;
  /** A helper's worker; tests pass one that misbehaves. */
  createWorker?: () => Worker;
  /** How long a pass of `texts` texts may go unanswered before its helper is ended (default 30 s plus 20 ms a text). */
  timeoutMs?: (texts: number) => number;
}

/**
 * `order` cut into passes, each at most 1/(2 × workers) of what is left (between LAST_PASS and SHARED_PASS texts):
 * large while much is left, small at the end, so that the work still out when the queue runs dry is a small share.
 */
function passes(order: readonly number[], workers: number): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < order.length;) {
    const size = Math.max(LAST_PASS, Math.min(SHARED_PASS, Math.ceil((order.length - start) / (2 * workers))));
    out.push(order.slice(start, start + size));
    start += size;
  }
  return out;
}

/** One helper worker with its own copy of the encoder: loads once, then embeds one pass at a time. */
class EncoderHelper extends HelperWorker<EncoderHelperMessage, EncoderHelperReply, Float32Array> {
  /** True once loaded; false if loading failed or the helper was ended first. */
  readonly ready: Promise<boolean>;
  private settleReady: (ready: boolean) => void = () => undefined;

  constructor(
    worker: Worker,
    load: Extract<EncoderHelperMessage, { type: 'load' }>,
    private readonly dim: number,
    private readonly timeoutMs: (texts: number) => number,
  ) {
    super(worker, 'An encoder helper');
    this.ready = new Promise((resolve) => (this.settleReady = resolve));
    this.send(load);
  }

  /** One row per text, as the engine's own encoder gives them; rejects if the helper fails, and then it is ended. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const flat = await this.request(
      (request) => ({ type: 'embed', request, texts }),
      this.timeoutMs(texts.length),
      `An encoder helper did not embed ${texts.length} texts in time.`,
    );
    if (flat.length !== texts.length * this.dim) {
      const error = new Error(`An encoder helper gave ${flat.length} values for ${texts.length} texts of ${this.dim}.`);
      this.fail(error);
      throw error;
    }
    return texts.map((_, i) => flat.subarray(i * this.dim, (i + 1) * this.dim));
  }

  protected receive(reply: EncoderHelperReply): void {
    switch (reply.type) {
      case 'ready':
        if (reply.dim === this.dim) this.settleReady(!this.failed);
        else this.fail(new Error(`An encoder helper loaded rows of ${reply.dim} values, not ${this.dim}.`));
        return;
      case 'failed':
        this.fail(new Error(`An encoder helper could not load the encoder: ${reply.message}`));
        return;
      case 'rows':
        this.settle(reply.request, { answer: reply.rows });
        return;
      case 'error':
        this.settle(reply.request, { error: new Error(`An encoder helper could not embed: ${reply.message}`) });
    }
  }

  protected override ended(): void {
    this.settleReady(false);
  }
}

/**
 * A sentence encoder that shares large batches with helper workers, each with its own copy of the encoder, so its
 * passes run on several cores: on WASM a text holds a core for 7–9 ms (USE lite, a short sentence), and nothing else
 * in a batch of new texts costs nearly as much. The engine's own copy keeps doing passes too; the helpers take
 * passes from the same queue as they are free, each with a second one waiting in its queue.
 *
 * Only an optimisation: helpers start with the first large batch (no memory is spent on them otherwise), a batch
 * never waits for one still loading, and a helper that fails to load, dies or stops answering is ended and its texts
 * embedded here. Small batches and single texts never leave the engine.
 */
export class ParallelEncoder implements SentenceEncoder {
  private helpers: EncoderHelper[] | null = null;
  private disposed = false;
  /** Passes the helpers answered: what shows that they work. */
  helped = 0;

  constructor(
    private readonly local: SentenceEncoder,
    private readonly options: ParallelEncoderOptions,
  ) {}

  get url(): string {
    return this.local.url;
  }

  get vocabularyUrl(): string {
    return this.local.vocabularyUrl;
  }

  get dim(): number {
    return this.local.dim;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.disposed) throw new Error(`The text encoder from ${this.url} was disposed.`);
    const helpers = texts.length >= PARALLEL_MIN_TEXTS ? this.start() : [];
    if (helpers.every((helper) => helper.failed)) return this.local.embed(texts);
    const out = new Array<Float32Array>(texts.length);
    // Passes of texts of like length (the encoder pads a pass to its longest), longest first, so the last passes
    // left for whoever is free are the cheap ones.
    const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length);
    const queue = passes(order, helpers.length + 1);
    const run = async (embed: (part: string[]) => Promise<Float32Array[]>, until: () => boolean): Promise<void> => {
      while (queue.length > 0 && !until()) {
        const pass = queue.shift()!;
        let rows: Float32Array[];
        try {
          rows = await embed(pass.map((i) => texts[i]!));
        } catch (error) {
          // A helper's failure: its pass goes back for the engine to do. The engine's own failure is the batch's.
          queue.unshift(pass);
          if (embed === this.localEmbed) throw error;
          return;
        }
        pass.forEach((i, r) => (out[i] = rows[r]!));
        // A pass here ends in microtasks only: without a task boundary, a helper's answer (a message) would wait until
        // every pass left was done here, and the helper would get no second pass.
        if (embed === this.localEmbed) await nextTask();
      }
    };
    const local = run(this.localEmbed, () => false);
    const helping = helpers.map(async (helper) => {
      const ready = await Promise.race([
        helper.ready,
        local.then(
          () => false,
          () => false,
        ),
      ]);
      if (!ready) return;
      const embed = async (part: string[]): Promise<Float32Array[]> => {
        const rows = await helper.embed(part);
        this.helped += 1;
        return rows;
      };
      // Each loop keeps one pass with the helper; a failure ends both, and both their passes go back to the queue.
      await Promise.all(Array.from({ length: HELPER_PASSES_IN_FLIGHT }, () => run(embed, () => helper.failed)));
    });
    await Promise.all([local, ...helping]);
    // Passes a helper gave back after the engine's own loop had ended.
    if (queue.length > 0) await run(this.localEmbed, () => false);
    return out;
  }

  /** Starts the helpers if they have not started, and resolves with how many loaded (for warm-ups and tests). */
  async warm(): Promise<number> {
    const ready = await Promise.all(this.start().map((helper) => helper.ready));
    return ready.filter(Boolean).length;
  }

  private readonly localEmbed = (part: string[]): Promise<Float32Array[]> => this.local.embed(part);

  /** The helpers, started on the first call. */
  private start(): EncoderHelper[] {
    if (this.helpers) return this.helpers;
    const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1;
    const count = this.options.helpers ?? Math.min(MAX_HELPERS, Math.max(0, cores - 1));
    const create =
      this.options.createWorker ??
      (() => new Worker(new URL('../encoder.worker.ts', import.meta.url), { type: 'module', name: 'hitl-classifier-encoder' }));
    const timeoutMs = this.options.timeoutMs ?? ((texts: number) => HELPER_TIMEOUT_MS + HELPER_TIMEOUT_PER_TEXT_MS * texts);
    const load: Extract<EncoderHelperMessage, { type: 'load' }> = {
      type: 'load',
      url: this.local.url,
      vocabularyUrl: this.local.vocabularyUrl,
      allowedOrigins: this.options.allowedOrigins ?? [],
      backend: this.options.backend,
    };
    this.helpers = [];
    for (let i = 0; i < count; i++) {
      try {
        this.helpers.push(new EncoderHelper(create(), load, this.local.dim, timeoutMs));
      } catch {
        // No worker here (a page that forbids nested workers, say): the engine's own encoder does it all.
        break;
      }
    }
    return this.helpers;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const helper of this.helpers ?? []) helper.dispose();
    this.local.dispose();
  }
}
