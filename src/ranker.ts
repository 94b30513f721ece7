import type * as Comlink from 'comlink';
import { checkId, describe, oneOf, wholeNumber } from './checks.js';
import { engine } from './engine-client.js';
import { resolveRankerOptions, UnknownRankerOption, type RankerOptions, type ResolvedRankerOptions } from './ranker-options.js';
import { sendable, toWire, toWires } from './wire-input.js';
import {
  COMPARE_OUTCOMES,
  PAIR_STRATEGIES,
  rankerKey,
  type BackendName,
  type CompareMeta,
  type CompareOutcome,
  type CompareResult,
  type EngineApi,
  type InputKind,
  type LogVerification,
  type PairStrategy,
  type RankedItem,
  type RankerChange,
  type RankerImportResult,
  type RankerLogEntry,
  type RankerMethod,
  type RankerMethods,
  type RankerOpenOptions,
  type RankerSpec,
  type RankerStats,
  type RankerTrainResult,
  type RankerUndoResult,
  type RankScore,
  type StorageKind,
} from './protocol.js';
import type { ClassifierInput } from './classifier.js';

export type { RankerOptions } from './ranker-options.js';

/** Pairs `selectPairs` may ask for at once. */
const MAX_PAIRS = 10_000;

/** Fired on a ranker handle when its comparisons or model change, whoever changed them; `change.reason` says how. */
export class RankerChangeEvent extends Event {
  constructor(readonly change: RankerChange | { type: 'engine-restarted'; key: string; message: string }) {
    super('change');
  }
}

type Opened = Awaited<ReturnType<RankerMethods['open']>> & { generation: number };

/** `EngineApi.ranker` with its generic signature back: Comlink's Remote type flattens the generic away. */
type RankerDispatch = <M extends RankerMethod>(method: M, args: Parameters<RankerMethods[M]>) => ReturnType<RankerMethods[M]>;
const dispatch = (api: Comlink.Remote<EngineApi>): RankerDispatch => api.ranker as unknown as RankerDispatch;

async function openOn(spec: RankerSpec, options: RankerOpenOptions): Promise<Opened> {
  const connection = engine.current();
  const generation = engine.generation;
  const opened = await connection.call((api) => dispatch(api)('open', [spec, options]));
  return { ...opened, generation };
}

/**
 * A preference model learnt from people's pairwise comparisons (Bradley–Terry with Davidson's ties, on the same
 * featurizers as classifiers), trained in the engine worker. Every comparison is stored (IndexedDB, strict
 * durability) before it is learnt from, and the next `probability` of that pair reflects it.
 */
export class Ranker extends EventTarget {
  readonly name: string;
  readonly input: InputKind;
  readonly storage: StorageKind;
  readonly #options: ResolvedRankerOptions;
  readonly #key: string;
  #handle: string;
  #generation: number;
  #backend: BackendName;
  #persistent: boolean;
  #storageProblem: string | null;
  #closed = false;
  readonly #unsubscribe: () => void;
  readonly #unsubscribeCrash: () => void;

  /** Use `createRanker()`; the constructor is internal. */
  constructor(options: ResolvedRankerOptions, opened: Opened) {
    super();
    this.#options = options;
    this.name = options.name;
    this.input = options.input;
    this.storage = options.storage;
    this.#key = rankerKey(options);
    this.#handle = opened.handle;
    this.#generation = opened.generation;
    this.#backend = opened.backend;
    this.#persistent = opened.persistent;
    this.#storageProblem = opened.storageProblem ?? null;
    this.#unsubscribe = engine.onEvent((event) => {
      if (event.key === this.#key && event.type === 'ranker-changed') this.dispatchEvent(new RankerChangeEvent(event));
    });
    this.#unsubscribeCrash = engine.onCrash((reason) => {
      this.dispatchEvent(new RankerChangeEvent({ type: 'engine-restarted', key: this.#key, message: reason.message }));
    });
  }

  get backend(): BackendName {
    return this.#backend;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True when comparisons are kept in IndexedDB; `storageProblem` says why not when IndexedDB was refused. */
  get persistent(): boolean {
    return this.#persistent;
  }

  get storageProblem(): string | null {
    return this.#storageProblem;
  }

  /**
   * Records that a person preferred `a` (`'a'`), `b` (`'b'`) or neither (`'tie'`). Resolves once the comparison is
   * stored and learnt from, with its `decisionId` (for `undo`) and the model's P(a preferred) before and after.
   */
  async compare(a: ClassifierInput, b: ClassifierInput, outcome: CompareOutcome, meta: CompareMeta = {}): Promise<CompareResult> {
    oneOf('outcome', outcome, COMPARE_OUTCOMES);
    const clean = checkMeta(meta);
    const [first, second] = await Promise.all([toWire(this.input, a, 'a'), toWire(this.input, b, 'b')]);
    return this.#call('compare', [this.#key, sendable(first.wire, first.transfer), sendable(second.wire, second.transfer), outcome, clean]);
  }

  /** The item's score (its Bradley–Terry log-strength: only differences mean something) and its uncertainty (one SD). */
  async score(x: ClassifierInput): Promise<RankScore> {
    const [scored] = await this.scoreBatch([x]);
    return scored!;
  }

  async scoreBatch(xs: readonly ClassifierInput[]): Promise<RankScore[]> {
    if (!Array.isArray(xs)) throw new TypeError(`xs must be an array of inputs, got ${describe(xs)}.`);
    if (xs.length === 0) return [];
    const { wires } = await toWires(this.input, xs, 'xs');
    return this.#call('score', [this.#key, wires]);
  }

  /** The calibrated probability that a person prefers `a` over `b` (a tie counts as not preferring it). */
  async probability(a: ClassifierInput, b: ClassifierInput): Promise<number> {
    return (await this.probabilities(a, b)).a;
  }

  /** All three outcomes' probabilities for the pair: `a` preferred, `b` preferred, a tie. */
  async probabilities(a: ClassifierInput, b: ClassifierInput): Promise<{ a: number; b: number; tie: number }> {
    const [first, second] = await Promise.all([toWire(this.input, a, 'a'), toWire(this.input, b, 'b')]);
    return this.#call('probability', [this.#key, sendable(first.wire, first.transfer), sendable(second.wire, second.transfer)]);
  }

  /** `xs` from the best to the worst by score, each with its index in `xs`. */
  async rank(xs: readonly ClassifierInput[]): Promise<RankedItem[]> {
    const scores = await this.scoreBatch(xs);
    return scores.map((s, index) => ({ index, ...s })).sort((p, q) => q.score - p.score || p.index - q.index);
  }

  /**
   * The k pairs of `pool` most worth asking a person about, as index pairs [i, j] (see PairStrategy). `seed` makes
   * the random parts repeatable.
   */
  async selectPairs(
    pool: readonly ClassifierInput[],
    k: number,
    options: { strategy?: PairStrategy; seed?: number } = {},
  ): Promise<[number, number][]> {
    if (!Array.isArray(pool)) throw new TypeError(`pool must be an array of inputs, got ${describe(pool)}.`);
    wholeNumber('k', k);
    if (k > MAX_PAIRS) throw new RangeError(`k must be at most ${MAX_PAIRS}, got ${k}.`);
    const { strategy = 'informative', seed = Math.floor(Math.random() * 2 ** 31) } = options;
    oneOf('strategy', strategy, PAIR_STRATEGIES);
    wholeNumber('seed', seed);
    if (pool.length < 2 || k === 0) return [];
    const { wires } = await toWires(this.input, pool, 'pool');
    return this.#call('selectPairs', [this.#key, wires, k, strategy, seed]);
  }

  /** Removes one comparison (stored first) and refits without it; a RangeError when there is none by that id. */
  async undo(decisionId: string): Promise<RankerUndoResult> {
    checkId('decisionId', decisionId);
    return this.#call('undo', [this.#key, decisionId]);
  }

  /** Chooses the regularisation (by the model's evidence), refits, and refreshes the held-out figures of `stats()`. */
  async train(): Promise<RankerTrainResult> {
    return this.#call('train', [this.#key]);
  }

  async stats(): Promise<RankerStats> {
    return this.#call('stats', [this.#key]);
  }

  /** The newest `limit` entries of the ranker's hash-chained audit log (default all), oldest first. */
  async auditLog(options: { limit?: number } = {}): Promise<RankerLogEntry[]> {
    const { limit = Infinity } = options;
    if (limit !== Infinity) wholeNumber('limit', limit);
    return this.#call('auditLog', [this.#key, limit]);
  }

  async verifyLog(): Promise<LogVerification> {
    return this.#call('verifyLog', [this.#key]);
  }

  /** Comparisons and log as one JSON file. */
  async export(): Promise<Blob> {
    return this.#call('exportBundle', [this.#key]);
  }

  /** Adds an export's comparisons (those not here yet); the whole file is checked first, and a bad one changes nothing. */
  async import(data: Blob): Promise<RankerImportResult> {
    if (!(data instanceof Blob)) throw new TypeError(`import() expects a Blob from a ranker's export(), got ${describe(data)}.`);
    return this.#call('importBundle', [this.#key, data]);
  }

  /** Deletes every comparison and log entry (a reset entry starts the new log). */
  async reset(): Promise<void> {
    await this.#call('reset', [this.#key]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#unsubscribeCrash();
    try {
      if (engine.running && engine.generation === this.#generation) await engine.call((api) => dispatch(api)('close', [this.#key, this.#handle]));
    } catch {
      // A dead worker holds nothing to release.
    } finally {
      engine.release();
    }
  }

  /** Every call goes through here: reopens the ranker on a fresh worker after a crash. */
  async #call<M extends RankerMethod>(method: M, args: Parameters<RankerMethods[M]>): Promise<Awaited<ReturnType<RankerMethods[M]>>> {
    if (this.#closed) throw new Error(`Ranker "${this.name}" is closed; create a new one with createRanker().`);
    if (engine.generation !== this.#generation || !engine.running) {
      const opened = await openOn(specOf(this.#options), openOptionsOf(this.#options));
      this.#handle = opened.handle;
      this.#generation = opened.generation;
      this.#backend = opened.backend;
      this.#persistent = opened.persistent;
      this.#storageProblem = opened.storageProblem ?? null;
    }
    return engine.call((api) => dispatch(api)(method, args) as Promise<Awaited<ReturnType<RankerMethods[M]>>>);
  }
}

function checkMeta(meta: CompareMeta): CompareMeta {
  if (meta === null || typeof meta !== 'object') throw new TypeError(`meta must be an object { annotator?, predictionId? }, got ${describe(meta)}.`);
  const clean: CompareMeta = {};
  for (const key of Object.keys(meta)) {
    if (key !== 'annotator' && key !== 'predictionId')
      throw new TypeError(`meta has no option ${JSON.stringify(key)}: expected annotator or predictionId.`);
  }
  if (meta.annotator !== undefined) {
    checkId('meta.annotator', meta.annotator);
    clean.annotator = meta.annotator;
  }
  if (meta.predictionId !== undefined) {
    checkId('meta.predictionId', meta.predictionId);
    clean.predictionId = meta.predictionId;
  }
  return clean;
}

function specOf(options: ResolvedRankerOptions): RankerSpec {
  const spec: RankerSpec = { name: options.name, input: options.input, storage: options.storage };
  if (options.textEncoder) spec.textEncoder = options.textEncoder;
  if (options.featureExtractor) spec.featureExtractor = options.featureExtractor;
  return spec;
}

function openOptionsOf(options: ResolvedRankerOptions): RankerOpenOptions {
  const open: RankerOpenOptions = { backend: options.backend, autoTrainDelayMs: options.autoTrainDelayMs, keepInputs: options.keepInputs };
  if (options.retentionDays !== undefined) open.retentionDays = options.retentionDays;
  return open;
}

/** Creates (or opens the stored) ranker `name` and returns a handle to it. */
export async function openRanker(options: RankerOptions): Promise<Ranker> {
  let resolved: ResolvedRankerOptions;
  try {
    resolved = resolveRankerOptions(options);
  } catch (error) {
    if (!(error instanceof UnknownRankerOption)) throw error;
    throw (await import('./unknown-option.js')).unknownOptionError('createRanker', error.key, error.known);
  }
  engine.acquire();
  try {
    return new Ranker(resolved, await openOn(specOf(resolved), openOptionsOf(resolved)));
  } catch (error) {
    engine.release();
    throw error;
  }
}
