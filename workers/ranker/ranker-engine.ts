import {
  rankerKey,
  type EngineEvent,
  type RankerMethod,
  type RankerMethods,
  type RankerOpenOptions,
  type RankerOpenResult,
  type RankerSpec,
} from '../../src/protocol.js';
import { activeBackend, useBackend } from '../backend.js';
import { createFeaturizer, type Featurizer } from '../featurizers/featurizer.js';
import { IndexedDbStore, MemoryStore, StorageUnavailableError, type ModelStore } from '../storage/index.js';
import { RankerSession } from './ranker-session.js';
import { exportRanker, importRanker } from './ranker-transfer.js';

/** Every method a page may call, by name: nothing else of this object is reachable through `call`. */
const METHODS: ReadonlySet<string> = new Set<RankerMethod>([
  'open',
  'compare',
  'score',
  'probability',
  'selectPairs',
  'undo',
  'train',
  'stats',
  'auditLog',
  'verifyLog',
  'exportBundle',
  'importBundle',
  'reset',
  'close',
] satisfies RankerMethod[]);

interface Open {
  session: RankerSession;
  handles: Map<string, RankerOpenOptions>;
  storageProblem?: string;
}

/**
 * The rankers of this worker, by key: opening (one session per key however many handles), closing when the last
 * handle goes, and each call of `EngineApi.ranker` dispatched to the session. The classifier's engine holds one and
 * passes its events on.
 */
export class RankerEngine implements RankerMethods {
  private readonly open_ = new Map<string, Open>();
  private readonly opening = new Map<string, Promise<Open>>();

  constructor(private readonly emit: (event: EngineEvent) => void) {}

  /** Runs one method by name: what `EngineApi.ranker(method, args)` does. */
  call<M extends RankerMethod>(method: M, args: Parameters<RankerMethods[M]>): ReturnType<RankerMethods[M]> {
    if (typeof method !== 'string' || !METHODS.has(method)) {
      return Promise.reject(new TypeError(`No ranker method ${String(method)}.`)) as ReturnType<RankerMethods[M]>;
    }
    const run = this[method] as (...a: unknown[]) => ReturnType<RankerMethods[M]>;
    return run.apply(this, args);
  }

  private get(key: string): RankerSession {
    const open = this.open_.get(key);
    if (!open) throw new Error(`No open ranker "${key}": call createRanker() first.`);
    return open.session;
  }

  private async create(spec: RankerSpec, options: RankerOpenOptions): Promise<Open> {
    let store: ModelStore = new MemoryStore();
    let storageProblem: string | undefined;
    if (spec.storage === 'indexeddb') {
      const stored = new IndexedDbStore(spec.name, {
        onProblem: (problem) => this.emit({ type: 'storage-error', key: rankerKey(spec), problem: problem.kind, message: problem.message }),
      });
      try {
        await stored.probe();
        store = stored;
      } catch (error) {
        if (!(error instanceof StorageUnavailableError)) throw error;
        storageProblem = `${error.message} Comparisons and the model work on this page but nothing will be kept after it closes.`;
      }
    }
    const holder: { session?: RankerSession } = {};
    let featurizer: Featurizer;
    try {
      featurizer = await createFeaturizer({
        input: spec.input,
        featureExtractor: spec.featureExtractor,
        textEncoder: spec.textEncoder,
        embeddings: store,
        featureDim: () => holder.session?.rowLength() ?? null,
      });
    } catch (error) {
      store.close();
      throw error;
    }
    const settings = { autoTrainDelayMs: options.autoTrainDelayMs, keepInputs: options.keepInputs, retentionDays: options.retentionDays ?? null };
    const session = new RankerSession(rankerKey(spec), spec, store, featurizer, this.emit, settings, store instanceof IndexedDbStore);
    holder.session = session;
    try {
      await session.load();
    } catch (error) {
      session.dispose();
      throw error;
    }
    return { session, handles: new Map(), ...(storageProblem !== undefined ? { storageProblem } : {}) };
  }

  async open(spec: RankerSpec, options: RankerOpenOptions): Promise<RankerOpenResult> {
    const backend = await useBackend(options.backend, { persist: spec.storage === 'indexeddb' });
    const key = rankerKey(spec);
    let open = this.open_.get(key);
    if (open) {
      const { spec: had } = open.session;
      if (had.input !== spec.input || had.featureExtractor?.url !== spec.featureExtractor?.url || had.textEncoder?.url !== spec.textEncoder?.url) {
        throw new TypeError(
          `Ranker "${spec.name}" is open for input '${had.input}' with another featurizer: every handle of one ranker must use the same.`,
        );
      }
    } else {
      let pending = this.opening.get(key);
      if (!pending) {
        pending = this.create(spec, options);
        this.opening.set(key, pending);
      }
      try {
        open = await pending;
      } finally {
        this.opening.delete(key);
      }
      if (!this.open_.has(key)) this.open_.set(key, open);
      open = this.open_.get(key)!;
    }
    const handle = crypto.randomUUID();
    open.handles.set(handle, options);
    this.settle(open);
    if (options.retentionDays !== undefined) await open.session.applyRetention();
    return {
      key,
      handle,
      backend,
      comparisons: open.session.records.length,
      modelVersion: open.session.modelVersion,
      persistent: spec.storage === 'indexeddb' && open.storageProblem === undefined,
      ...(open.storageProblem !== undefined ? { storageProblem: open.storageProblem } : {}),
    };
  }

  /** The strictest setting of the open handles wins: the shortest delay and retention, no inputs if any says so. */
  private settle(open: Open): void {
    const all = [...open.handles.values()];
    const delays = all.map((o) => o.autoTrainDelayMs).filter((ms) => ms > 0);
    const days = all.map((o) => o.retentionDays).filter((d): d is number => d !== undefined);
    open.session.settings = {
      autoTrainDelayMs: delays.length === all.length && delays.length > 0 ? Math.min(...delays) : 0,
      keepInputs: all.every((o) => o.keepInputs),
      retentionDays: days.length > 0 ? Math.min(...days) : null,
    };
  }

  compare: RankerMethods['compare'] = async (key, a, b, outcome, meta) => this.get(key).compare(a, b, outcome, meta);
  score: RankerMethods['score'] = async (key, inputs) => this.get(key).score(inputs);
  probability: RankerMethods['probability'] = async (key, a, b) => this.get(key).probability(a, b);
  selectPairs: RankerMethods['selectPairs'] = async (key, pool, k, strategy, seed) => this.get(key).selectPairs(pool, k, strategy, seed);
  undo: RankerMethods['undo'] = async (key, decisionId) => this.get(key).undo(decisionId);
  train: RankerMethods['train'] = async (key) => this.get(key).train();
  stats: RankerMethods['stats'] = async (key) => ({ ...this.get(key).stats(), backend: activeBackend() ?? 'cpu' });
  auditLog: RankerMethods['auditLog'] = async (key, limit) => this.get(key).auditLog(limit);
  verifyLog: RankerMethods['verifyLog'] = async (key) => this.get(key).verifyLog();
  exportBundle: RankerMethods['exportBundle'] = async (key) => exportRanker(this.get(key));
  importBundle: RankerMethods['importBundle'] = async (key, data) => importRanker(this.get(key), data);
  reset: RankerMethods['reset'] = async (key) => this.get(key).reset();

  async close(key: string, handle: string): Promise<void> {
    const open = this.open_.get(key);
    if (!open || !open.handles.delete(handle)) return;
    if (open.handles.size > 0) {
      this.settle(open);
      return;
    }
    this.open_.delete(key);
    open.session.dispose();
  }
}
