import type {
  CompareMeta,
  CompareOutcome,
  CompareResult,
  EngineEvent,
  LogVerification,
  PairProbability,
  PairStrategy,
  RankerChange,
  RankerLogEntry,
  RankerSpec,
  RankerStats,
  RankerTrainResult,
  RankerUndoResult,
  RankScore,
  WireInput,
} from '../../src/protocol.js';
import { inputId } from '../audit/input-id.js';
import type { Featurizer } from '../featurizers/featurizer.js';
import { verifyChain, type ModelStore, type StoredInput, type Vector } from '../storage/index.js';
import type { ComparisonStore } from '../storage/comparison-store.js';
import type { ComparedItem, ComparisonRecord } from '../storage/ranker-records.js';
import { toRankerLogEntry } from '../storage/ranker-log.js';
import { agreement, calibrationError, intransitivity } from './figures.js';
import { selectPairs } from './pair-selection.js';
import { TextNgrams } from '../featurizers/text-ngrams.js';
import { PreferenceModel } from './preference-model.js';
import { RankerTabs } from './ranker-tabs.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_SWEEP_MS = 60 * 60 * 1000;

/** A sparse vector as stored: its indices and values alone (a featurizer may hang views of its own on it). */
function plain(vector: Vector): Vector {
  return vector instanceof Float32Array ? vector : { indices: vector.indices, values: vector.values };
}

/** An item as the model's feature views read it: its vector, and its text where it is one. */
function viewed(vector: Vector, canonical: StoredInput): { vector: Vector; text?: string } {
  return typeof canonical === 'string' ? { vector, text: canonical } : { vector };
}

export interface SessionSettings {
  autoTrainDelayMs: number;
  keepInputs: boolean;
  retentionDays: number | null;
}

/**
 * One open ranker in this worker: its comparisons (stored first, then learnt from), the preference model, its
 * settings and its link to the other tabs. The page reaches it through RankerEngine.
 */
export class RankerSession {
  records: ComparisonRecord[] = [];
  readonly model: PreferenceModel;
  readonly comparisons: ComparisonStore;
  modelVersion = 0;
  private trainTimer: ReturnType<typeof setTimeout> | undefined;
  private retentionTimer: ReturnType<typeof setInterval> | undefined;
  private readonly tabs: RankerTabs | null;

  constructor(
    readonly key: string,
    readonly spec: RankerSpec,
    readonly store: ModelStore,
    readonly featurizer: Featurizer,
    private readonly emit: (event: EngineEvent) => void,
    public settings: SessionSettings,
    persistent: boolean,
  ) {
    this.comparisons = store.comparisons();
    this.model = new PreferenceModel(
      () => this.dim(),
      () => this.records,
      featurizer instanceof TextNgrams,
    );
    this.tabs = persistent ? new RankerTabs(spec.name, () => void this.reload('remote').catch(() => undefined)) : null;
  }

  /** The row length: the featurizer's, or a numeric ranker's first stored row. */
  dim(): number {
    return this.featurizer.dim() ?? this.rowLength() ?? 0;
  }

  rowLength(): number | null {
    const first = this.records[0]?.a.vector;
    return first instanceof Float32Array ? first.length : null;
  }

  async load(): Promise<void> {
    this.records = await this.comparisons.loadComparisons();
    await this.model.train(this.records);
    this.modelVersion += 1;
    await this.applyRetention();
  }

  private changed(reason: RankerChange['reason']): void {
    const event: RankerChange = { type: 'ranker-changed', key: this.key, reason, comparisons: this.records.length, modelVersion: this.modelVersion };
    this.emit(event);
    if (reason !== 'remote' && reason !== 'train') this.tabs?.announce();
  }

  /** Reads the comparisons back from storage (another tab or retention changed them) and refits. */
  async reload(reason: 'remote' | 'import'): Promise<void> {
    this.records = await this.comparisons.loadComparisons();
    this.model.refit(this.records);
    this.modelVersion += 1;
    this.changed(reason);
  }

  private async item(input: WireInput): Promise<{ canonical: StoredInput; id: string; vector: Vector; text?: string }> {
    const canonical = await this.featurizer.canonical(input);
    const [id, [vector]] = await Promise.all([inputId(this.spec.input, canonical), this.featurizer.vectorize([canonical])]);
    return { canonical, id, vector: plain(vector!), ...(typeof canonical === 'string' ? { text: canonical } : {}) };
  }

  async compare(a: WireInput, b: WireInput, outcome: CompareOutcome, meta: CompareMeta): Promise<CompareResult> {
    const [first, second] = await Promise.all([this.item(a), this.item(b)]);
    if (first.id === second.id) throw new RangeError('compare() needs two different items: a and b are the same input.');
    const before = this.model.outcome(first, second).a;
    const side = (item: typeof first): ComparedItem => ({
      id: item.id,
      vector: item.vector,
      ...(this.settings.keepInputs ? { input: item.canonical } : {}),
    });
    const record: ComparisonRecord = { id: crypto.randomUUID(), a: side(first), b: side(second), outcome, time: Date.now() };
    if (meta.annotator !== undefined) record.annotator = meta.annotator;
    if (meta.predictionId !== undefined) record.predictionId = meta.predictionId;
    await this.comparisons.saveComparison(record, {
      kind: 'compare',
      time: record.time,
      decisionId: record.id,
      a: first.id,
      b: second.id,
      outcome,
      ...(meta.annotator !== undefined ? { annotator: meta.annotator } : {}),
      ...(meta.predictionId !== undefined ? { predictionId: meta.predictionId } : {}),
      probability: before,
      modelVersion: this.modelVersion,
    });
    this.records.push(record);
    this.model.learn(this.records);
    this.modelVersion += 1;
    this.changed('compare');
    this.scheduleTraining();
    return { decisionId: record.id, comparisons: this.records.length, before, after: this.model.outcome(first, second).a };
  }

  private scheduleTraining(): void {
    clearTimeout(this.trainTimer);
    if (this.settings.autoTrainDelayMs <= 0) return;
    this.trainTimer = setTimeout(() => void this.train().catch(() => undefined), this.settings.autoTrainDelayMs);
  }

  async undo(decisionId: string): Promise<RankerUndoResult> {
    const removed = await this.comparisons.undoComparison(decisionId, (record) => ({
      kind: 'undo',
      time: Date.now(),
      decisionId: record.id,
      a: record.a.id,
      b: record.b.id,
      outcome: record.outcome,
      modelVersion: this.modelVersion,
    }));
    this.records = this.records.filter((record) => record.id !== removed.id);
    this.model.refit(this.records);
    this.modelVersion += 1;
    this.changed('undo');
    return { decisionId, comparisons: this.records.length };
  }

  async train(): Promise<RankerTrainResult> {
    clearTimeout(this.trainTimer);
    const start = performance.now();
    await this.model.train(this.records);
    this.modelVersion += 1;
    this.changed('train');
    return { modelVersion: this.modelVersion, comparisons: this.records.length, ms: performance.now() - start, l2: this.model.chosenL2 };
  }

  async score(inputs: WireInput[]): Promise<RankScore[]> {
    const canonical = await Promise.all(inputs.map((input) => this.featurizer.canonical(input)));
    const vectors = await this.featurizer.vectorize(canonical);
    return vectors.map((vector, i) => this.model.score(viewed(vector, canonical[i]!)));
  }

  async probability(a: WireInput, b: WireInput): Promise<PairProbability> {
    const [first, second] = await Promise.all([this.item(a), this.item(b)]);
    const p = this.model.outcome(first, second);
    return { a: p.a, b: p.b, tie: p.tie };
  }

  async selectPairs(pool: WireInput[], k: number, strategy: PairStrategy, seed: number): Promise<[number, number][]> {
    const canonical = await Promise.all(pool.map((input) => this.featurizer.canonical(input)));
    const vectors = await this.featurizer.vectorize(canonical);
    const first = vectors[0];
    return selectPairs(
      this.model.sizedFor(first instanceof Float32Array ? first.length : 0),
      this.model.compared,
      vectors.map((vector, i) => this.model.row(viewed(vector, canonical[i]!))),
      k,
      strategy,
      seed,
    );
  }

  stats(): Omit<RankerStats, 'backend'> {
    const outOfFold = this.model.outOfFold;
    const held = outOfFold ? agreement(outOfFold) : { agreement: null, count: 0 };
    const cycles = intransitivity(this.records.map((r) => ({ a: r.a.id, b: r.b.id, outcome: r.outcome })));
    return {
      comparisons: this.records.length,
      ties: this.records.filter((r) => r.outcome === 'tie').length,
      items: new Set(this.records.flatMap((r) => [r.a.id, r.b.id])).size,
      modelVersion: this.modelVersion,
      heldOutAgreement: held.agreement,
      heldOut: held.count,
      ece: outOfFold ? calibrationError(outOfFold) : null,
      intransitiveShare: cycles.share,
      triples: cycles.triples,
      tieParameter: Math.exp(this.model.theta),
      l2: this.model.l2,
      features: this.model.features(),
    };
  }

  async auditLog(limit: number): Promise<RankerLogEntry[]> {
    const log = await this.comparisons.readRankerLog();
    return log.slice(Math.max(0, log.length - limit)).map(toRankerLogEntry);
  }

  async verifyLog(): Promise<LogVerification> {
    return verifyChain((await this.comparisons.readRankerLog()).map(toRankerLogEntry));
  }

  async reset(): Promise<void> {
    clearTimeout(this.trainTimer);
    await this.comparisons.clearComparisons(this.modelVersion);
    this.records = [];
    this.model.reset();
    this.modelVersion += 1;
    this.changed('reset');
  }

  /** Deletes what is older than the retention period, now and hourly. */
  async applyRetention(): Promise<void> {
    clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
    const days = this.settings.retentionDays;
    if (days === null) return;
    this.retentionTimer = setInterval(() => void this.applyRetention().catch(() => undefined), RETENTION_SWEEP_MS);
    const removed = await this.comparisons.purgeComparisonsBefore(Date.now() - days * DAY_MS);
    if (removed.comparisons > 0) await this.reload('remote');
  }

  dispose(): void {
    clearTimeout(this.trainTimer);
    clearInterval(this.retentionTimer);
    this.tabs?.close();
    this.featurizer.dispose();
    this.store.close();
  }
}
