import * as tf from '@tensorflow/tfjs-core';
import {
  modelKey,
  type AgreementReport,
  type AutoAcceptSettings,
  type EngineApi,
  type EngineEvent,
  type Explanation,
  type ImportResult,
  type LabelMeta,
  type LabelResult,
  type LogEntry,
  type LogVerification,
  type ModelSpec,
  type OpenOptions,
  type OpenResult,
  type PredictOptions,
  type QualityReport,
  type RankerMethod,
  type RankerMethods,
  type RawExportedModel,
  type RawPrediction,
  type RawQueueItem,
  type ReviewStrategy,
  type RiskCoveragePoint,
  type Stats,
  type StoredLabel,
  type SuspiciousLabel,
  type TrainProgress,
  type TrainResult,
  type UndoResult,
  type WireInput,
} from '../../src/protocol.js';
import type { LabelBatchResult, LabelChangeResult, LabelExport, LabelFormat, LabelImportResult, WireLabelItem } from '../../src/protocol.js';
import type { ModelVersion, VersionChange } from '../../src/protocol.js';
import { activeBackend, useBackend } from '../backend.js';
import { awaitBackground } from '../background.js';
import { createFeaturizer, type Featurizer } from '../featurizers/featurizer.js';
import { assertKeepVersions, IndexedDbStore, MemoryStore, StorageUnavailableError, type ModelStore } from '../storage/index.js';
import { RankerEngine } from '../ranker/ranker-engine.js';
import { ModelSession } from './model-session.js';
import { DEFAULT_REVIEW_STRATEGY } from './policy.js';
import { EXPLORE_SHARE } from '../review.js';

/** A text encoder as its files, for comparing two handles' specs: the same files are the same encoder. */
function encoderOf(spec: ModelSpec): string {
  const encoder = spec.textEncoder;
  if (!encoder) return 'null';
  return JSON.stringify(encoder.vocabularyUrl ? { url: encoder.url, vocabularyUrl: encoder.vocabularyUrl } : { url: encoder.url });
}

/** The engine the worker exposes: every open model of the page, on one TensorFlow.js backend. */
export class Engine implements EngineApi {
  private readonly models = new Map<string, ModelSession>();
  private readonly opening = new Map<string, Promise<ModelSession>>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  /** Why a stored model lives in memory only on this page (IndexedDB refused), by model key. */
  private readonly storageProblems = new Map<string, string>();

  async ping(): Promise<'pong'> {
    return 'pong';
  }

  async subscribe(listener: (event: EngineEvent) => void): Promise<void> {
    this.listeners.add(listener);
  }

  private emit = (event: EngineEvent): void => {
    for (const listener of this.listeners) {
      Promise.resolve(listener(event)).catch(() => this.listeners.delete(listener));
    }
  };

  /** Rankers (createRanker) live in workers/ranker/; they share this worker, its backend and its listeners. */
  private readonly rankers = new RankerEngine(this.emit);

  ranker<M extends RankerMethod>(method: M, args: Parameters<RankerMethods[M]>): ReturnType<RankerMethods[M]> {
    return this.rankers.call(method, args);
  }

  async open(spec: ModelSpec, options: OpenOptions): Promise<OpenResult> {
    if (options.keepVersions !== undefined) assertKeepVersions(options.keepVersions);
    // A page that stores nothing keeps the backend timings in memory too.
    const backend = await useBackend(options.backend, { persist: spec.storage === 'indexeddb' });
    const key = modelKey(spec);
    let model = this.models.get(key);
    if (model) {
      if (model.spec.input !== spec.input) {
        throw new TypeError(`Model "${spec.name}" is open for input '${model.spec.input}', not '${spec.input}'.`);
      }
      if (model.spec.featureExtractor?.url !== spec.featureExtractor?.url) {
        throw new TypeError(
          `Model "${spec.name}" is open with featureExtractor ${JSON.stringify(model.spec.featureExtractor?.url ?? null)}, ` +
            `not ${JSON.stringify(spec.featureExtractor?.url ?? null)}: every handle of one model must use the same one.`,
        );
      }
      if (model.spec.teachableMachine?.url !== spec.teachableMachine?.url) {
        throw new TypeError(
          `Model "${spec.name}" is open with teachableMachine ${JSON.stringify(model.spec.teachableMachine?.url ?? null)}, ` +
            `not ${JSON.stringify(spec.teachableMachine?.url ?? null)}: every handle of one model must use the same one.`,
        );
      }
      if (encoderOf(model.spec) !== encoderOf(spec)) {
        throw new TypeError(
          `Model "${spec.name}" is open with textEncoder ${encoderOf(model.spec)}, not ${encoderOf(spec)}: ` +
            'every handle of one model must use the same one (url and vocabularyUrl).',
        );
      }
      await model.extendLabels(spec.labels);
    } else {
      let pending = this.opening.get(key);
      if (!pending) {
        pending = this.create(spec);
        this.opening.set(key, pending);
      }
      try {
        model = await pending;
      } finally {
        this.opening.delete(key);
      }
      if (!this.models.has(key)) this.models.set(key, model);
      model = this.models.get(key)!;
      await model.extendLabels(spec.labels);
    }
    const handle = crypto.randomUUID();
    model.handles.add(handle, {
      autoTrainDelayMs: options.autoTrainDelayMs,
      keepInputs: options.keepInputs !== false,
      retentionDays: options.retentionDays,
      keepVersions: options.keepVersions,
    });
    if (options.retentionDays !== undefined) await model.retention.purgeExpired();
    const problem = this.storageProblems.get(key);
    return {
      key,
      handle,
      labels: [...model.labels],
      backend,
      modelVersion: model.serving.modelVersion,
      examples: model.examples.size,
      persistent: spec.storage === 'indexeddb' && problem === undefined,
      ...(problem !== undefined ? { storageProblem: problem } : {}),
    };
  }

  /**
   * A new session on IndexedDB when the browser lets this origin use it, else in memory (said in `open`'s result);
   * stored models also coordinate with the other tabs of the origin.
   */
  private async create(spec: ModelSpec): Promise<ModelSession> {
    const key = modelKey(spec);
    let store: ModelStore = new MemoryStore();
    if (spec.storage === 'indexeddb') {
      const stored = new IndexedDbStore(spec.name, {
        onProblem: (problem) => this.emit({ type: 'storage-error', key, problem: problem.kind, message: problem.message }),
      });
      try {
        await stored.probe();
        store = stored;
        this.storageProblems.delete(key);
      } catch (error) {
        if (!(error instanceof StorageUnavailableError)) throw error;
        this.storageProblems.set(key, `${error.message} Labels and the model work on this page but nothing will be kept after it closes.`);
      }
    }
    // The numeric featurizer checks rows against the length the session learns from its first labelled row.
    const opened: { session?: ModelSession } = {};
    let featurizer: Featurizer;
    try {
      featurizer = await createFeaturizer({
        input: spec.input,
        featureExtractor: spec.featureExtractor,
        teachableMachine: spec.teachableMachine,
        textEncoder: spec.textEncoder,
        embeddings: store,
        featureDim: () => opened.session?.meta.featureDim ?? null,
      });
    } catch (error) {
      // A model file that cannot be loaded: the open fails and leaves no connection behind.
      store.close();
      throw error;
    }
    const session = new ModelSession(spec, store, featurizer, this.emit);
    opened.session = session;
    // Messages from other tabs only arrive after this task, when the session is set.
    if (store instanceof IndexedDbStore) session.tabs.connect(spec.name);
    try {
      await session.load();
    } catch (error) {
      session.tabs.close();
      featurizer.dispose();
      throw error;
    }
    return session;
  }

  private model(key: string): ModelSession {
    const model = this.models.get(key);
    if (!model) throw new Error(`No open model "${key}": call createClassifier() first.`);
    return model;
  }

  async predict(key: string, inputs: WireInput[], options?: PredictOptions): Promise<RawPrediction[]> {
    return this.model(key).predict(inputs, options);
  }

  async label(key: string, input: WireInput, label: string, meta: LabelMeta): Promise<LabelResult> {
    return this.model(key).decisions.label(input, label, meta);
  }

  async labelQueued(key: string, itemId: string, label: string, meta: LabelMeta): Promise<LabelResult> {
    return this.model(key).decisions.labelQueued(itemId, label, meta);
  }

  async undo(key: string, decisionId: string): Promise<UndoResult> {
    return this.model(key).decisions.undo(decisionId);
  }

  async queue(key: string, limit: number): Promise<RawQueueItem[]> {
    return this.model(key).queue.list(limit);
  }

  async enqueue(key: string, inputs: WireInput[]): Promise<number> {
    return this.model(key).queue.enqueue(inputs);
  }

  async skip(key: string, itemId: string): Promise<void> {
    return this.model(key).queue.skip(itemId);
  }

  async quality(key: string, window: number, threshold: number): Promise<QualityReport> {
    return this.model(key).quality(window, threshold);
  }

  async agreement(key: string): Promise<AgreementReport> {
    return this.model(key).agreement();
  }

  async auditLog(key: string, limit: number, since: number): Promise<LogEntry[]> {
    return this.model(key).auditLog(limit, since);
  }

  async verifyLog(key: string): Promise<LogVerification> {
    return this.model(key).verifyLog();
  }

  async exportBundle(key: string): Promise<Blob> {
    return this.model(key).transfer.exportBundle();
  }

  async importBundle(key: string, data: Blob): Promise<ImportResult> {
    const model = this.model(key);
    // Like training, an import may write weights: one tab at a time, above every version stored.
    return model.tabs.exclusive(() => model.transfer.importBundle(data));
  }

  async exportModel(key: string): Promise<RawExportedModel> {
    return this.model(key).transfer.exportModel();
  }

  async train(key: string, runId: string, onProgress?: (progress: TrainProgress) => void, fromZeros = false): Promise<TrainResult> {
    return this.model(key).training.train(runId, onProgress, fromZeros);
  }

  async cancelTrain(key: string, runId: string): Promise<void> {
    this.models.get(key)?.training.cancel(runId);
  }

  async selectForReview(key: string, pool: WireInput[], k: number, strategy?: ReviewStrategy, explore?: number): Promise<number[]> {
    return this.model(key).selectForReview(pool, k, strategy ?? DEFAULT_REVIEW_STRATEGY, explore ?? EXPLORE_SHARE);
  }

  async addLabel(key: string, label: string): Promise<string[]> {
    return this.model(key).addLabel(label);
  }

  async stats(key: string, autoAccept?: AutoAcceptSettings): Promise<Stats> {
    return { ...(await this.model(key).stats(autoAccept)), backend: activeBackend() ?? 'cpu' };
  }

  async riskCoverage(key: string, autoAccept: AutoAcceptSettings): Promise<RiskCoveragePoint[]> {
    return this.model(key).riskCoverage(autoAccept);
  }

  async reset(key: string): Promise<void> {
    await this.model(key).reset();
  }

  async getLabel(key: string, input: WireInput): Promise<StoredLabel | null> {
    return this.model(key).getLabel(input);
  }

  async explain(key: string, input: WireInput, label: string | null, k: number): Promise<Explanation> {
    return this.model(key).explanations.explain(input, label, k);
  }

  async suspiciousLabels(key: string, limit: number): Promise<SuspiciousLabel[]> {
    return this.model(key).labelCheck.suspicious(limit);
  }

  async reviewLabel(key: string, exampleId: string, label: string, meta: LabelMeta): Promise<LabelResult> {
    return this.model(key).decisions.review(exampleId, label, meta);
  }

  async adjudicate(key: string, exampleId: string, label: string, meta: LabelMeta): Promise<LabelResult> {
    return this.model(key).decisions.adjudicate(exampleId, label, meta);
  }

  async close(key: string, handle: string): Promise<void> {
    const model = this.models.get(key);
    if (!model) return;
    if (model.handles.remove(handle) === 0) {
      this.models.delete(key);
      await model.dispose();
    }
  }

  async memory(): Promise<{ tensors: number; bytes: number }> {
    // Counted once background work (a label check after a training) has ended, never halfway through it.
    await awaitBackground(() => Promise.all([...this.models.values()].map((model) => model.training.idle())));
    const { numTensors, numBytes } = tf.memory();
    return { tensors: numTensors, bytes: numBytes };
  }

  async renameLabel(key: string, from: string, to: string): Promise<LabelChangeResult> {
    return this.model(key).labelSet.rename(from, to);
  }

  async removeLabel(key: string, label: string, how: { reassignTo: string } | { drop: true }): Promise<LabelChangeResult> {
    return this.model(key).labelSet.remove(label, how);
  }

  async labelBatch(key: string, items: WireLabelItem[]): Promise<LabelBatchResult> {
    return this.model(key).decisions.labelBatch(items);
  }

  async importLabels(key: string, data: string | Blob, format: LabelFormat, addLabels: boolean): Promise<LabelImportResult> {
    return this.model(key).labelFiles.import(data, format, addLabels);
  }

  async exportLabels(key: string, format: LabelFormat): Promise<LabelExport> {
    return this.model(key).labelFiles.export(format);
  }

  async versions(key: string): Promise<ModelVersion[]> {
    return this.model(key).versions.list();
  }

  async rollback(key: string, version: number): Promise<VersionChange> {
    return this.model(key).versions.rollback(version);
  }

  async pin(key: string, version: number | null): Promise<VersionChange> {
    return this.model(key).versions.pin(version);
  }
}
