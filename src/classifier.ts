import * as Comlink from 'comlink';
import { engine } from './engine-client.js';
import { checkId, describe } from './checks.js';
import { findUnknownOption, resolveOptions, type ClassifierOptions } from './classifier-options.js';
import { sendable, toWire, toWires } from './wire-input.js';
import type { LabelBatchResult, LabelChangeResult, LabelExport, LabelFormat, LabelImportResult, ModelVersion, VersionChange } from './protocol.js';
import {
  modelKey,
  type BackendName,
  type BackendRequest,
  type FeatureExtractorSpec,
  type ImportResult,
  type InputKind,
  type AgreementReport,
  type AutoAcceptSettings,
  type RiskCoveragePoint,
  type SuspiciousLabel,
  type Explanation,
  type LogEntry,
  type LogVerification,
  type QualityReport,
  type QueueItem,
  type UndoResult,
  type LabelMeta,
  type LabelResult,
  type Prediction,
  type RawPrediction,
  type Stats,
  type StorageKind,
  type TeachableMachineSpec,
  type TextEncoderSpec,
  type StoredLabel,
  type TrainResult,
} from './protocol.js';
import {
  auditLogArgs,
  checkNewLabel,
  explainArgs,
  labelMeta,
  limitOption,
  predictRecording,
  qualityWindow,
  selectForReviewArgs,
  trainArgs,
  withReview,
} from './classifier-args.js';
import { modelSpec, openOn, openOptions, type ClassifierInit, type OpenedModel } from './classifier-open.js';
import { inChunks } from './classifier-batch.js';
import { ClassifierChangeEvent, ClassifierEventTarget } from './classifier-types.js';
import type { ClassifierInput, ExportedModel, PredictOptions, SelectForReviewOptions, TrainOptions } from './classifier-types.js';

export { DEFAULT_REVIEW_STRATEGY, ClassifierChangeEvent } from './classifier-types.js';
export type { ClassifierEventMap, ClassifierInput, ExportedModel, PredictOptions, SelectForReviewOptions, TrainOptions } from './classifier-types.js';
export type { ClassifierOptions } from './classifier-options.js';

/** The public handle returned by `createClassifier`: a thin, typed client of the engine worker. */
export class Classifier extends ClassifierEventTarget {
  readonly name: string;
  readonly input: InputKind;
  readonly threshold: number;
  readonly storage: StorageKind;
  readonly requestedBackend: BackendRequest;
  /** False: the model stores features and hashes, never raw inputs. */
  readonly keepInputs: boolean;
  /** Days after which labels, log entries and queue items are deleted; null: kept until reset(). */
  readonly retentionDays: number | null;
  /** Trained versions kept for rollback() (the `keepVersions` option). */
  readonly keepVersions: number;
  /** The auto-accept settings (with the spot-check rate), or null: then `threshold` decides what needs review. */
  readonly autoAccept: Readonly<AutoAcceptSettings> | null;
  #persistent: boolean;
  #storageProblem: string | null;
  #labels: string[];
  #backend: BackendName;
  #generation: number;
  #handle: string;
  #closed = false;
  readonly #key: string;
  readonly #autoTrainDelayMs: number;
  readonly #unsubscribe: () => void;
  readonly #unsubscribeCrash: () => void;

  /** Use `createClassifier()`; the constructor is internal. */
  readonly #featureExtractor: FeatureExtractorSpec | undefined;
  /** The text encoder this handle opened its model with, URLs absolute; null without one. */
  readonly textEncoder: TextEncoderSpec | null;
  /** The Teachable Machine export this handle opened its model with, its URL absolute; null without one. */
  readonly teachableMachine: TeachableMachineSpec | null;

  constructor(options: ClassifierInit, opened: OpenedModel) {
    super();
    this.name = options.name;
    this.input = options.input;
    this.threshold = options.threshold;
    this.storage = options.storage;
    this.requestedBackend = options.backend;
    this.keepInputs = options.keepInputs;
    this.retentionDays = options.retentionDays ?? null;
    this.keepVersions = options.keepVersions;
    this.autoAccept = options.autoAccept ? Object.freeze({ ...options.autoAccept }) : null;
    this.#persistent = opened.persistent;
    this.#storageProblem = opened.storageProblem ?? null;
    this.#autoTrainDelayMs = options.autoTrainDelayMs;
    this.#featureExtractor = options.featureExtractor;
    this.textEncoder = options.textEncoder ?? null;
    this.teachableMachine = options.teachableMachine ?? null;
    this.#key = modelKey(options);
    this.#labels = opened.labels;
    this.#backend = opened.backend;
    this.#generation = opened.generation;
    this.#handle = opened.handle;
    this.#unsubscribe = engine.onEvent((event) => {
      if (event.key !== this.#key) return;
      // Another handle added a label: this one must accept it too.
      if (event.type === 'labels-changed') this.#labels = [...event.labels];
      this.dispatchEvent(new ClassifierChangeEvent(event));
    });
    this.#unsubscribeCrash = engine.onCrash((reason) => {
      this.dispatchEvent(new ClassifierChangeEvent({ type: 'engine-restarted', key: this.#key, message: reason.message }));
    });
  }

  /** The labels of the model, in order. A copy: changing it changes nothing. */
  get labels(): string[] {
    return [...this.#labels];
  }

  /** The backend actually in use. */
  get backend(): BackendName {
    return this.#backend;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * True when labels and the model are kept in IndexedDB. False for `storage: 'memory'`, and when the browser
   * refused IndexedDB (a private mode, a blocked or newer-versioned database): then the model works on this page
   * but nothing is kept, and `storageProblem` says why.
   */
  get persistent(): boolean {
    return this.#persistent;
  }

  /** Why a model asked to use IndexedDB lives in memory only, or null. */
  get storageProblem(): string | null {
    return this.#storageProblem;
  }

  /**
   * The model's answer. A prediction that needs review joins the review queue (`queue`, default true); `shown: true`
   * logs it as seen by a person. Both writes happen after the answer, batched, never delaying it.
   */
  async predict(input: ClassifierInput, options: PredictOptions = {}): Promise<Prediction> {
    const recording = predictRecording(options, true, this.threshold, this.autoAccept);
    const { wire, transfer } = await toWire(this.input, input, 'input');
    const [raw] = await this.#call((api) => api.predict(this.#key, Comlink.transfer([wire], transfer), recording));
    return this.#withReview(raw as RawPrediction);
  }

  /** Predictions in input order. Writes nothing unless `options` asks (`queue` defaults to false here). */
  async predictBatch(inputs: readonly ClassifierInput[], options: PredictOptions = {}): Promise<Prediction[]> {
    if (!Array.isArray(inputs)) throw new TypeError(`predictBatch expects an array of inputs, got ${describe(inputs)}.`);
    const recording = predictRecording(options, false, this.threshold, this.autoAccept);
    const { wires, transfer } = await toWires(this.input, inputs, 'inputs');
    if (wires.length === 0) return [];
    if (transfer.length > 0) {
      const raws = await this.#call((api) => api.predict(this.#key, Comlink.transfer(wires, transfer), recording));
      return raws.map((raw) => this.#withReview(raw));
    }
    const raws = await inChunks(wires, (chunk) => this.#call((api) => api.predict(this.#key, chunk, recording)));
    return raws.map((raw) => this.#withReview(raw));
  }

  /**
   * Stores a human decision; resolves once it is durably stored (with its `decisionId` for `undo`), and the next
   * `predict(input)` reflects it. Labelling an input removes it from the review queue.
   */
  async label(input: ClassifierInput, label: string, meta: LabelMeta = {}): Promise<LabelResult> {
    const clean = labelMeta(this.#labels, label, meta);
    const { wire, transfer } = await toWire(this.input, input, 'input');
    return this.#call((api) => api.label(this.#key, sendable(wire, transfer), label, clean));
  }

  /** Labels a queue item by its id: what a review UI does when the model keeps no inputs (`keepInputs: false`). */
  async labelQueued(itemId: string, label: string, meta: LabelMeta = {}): Promise<LabelResult> {
    checkId('itemId', itemId);
    const clean = labelMeta(this.#labels, label, meta);
    return this.#call((api) => api.labelQueued(this.#key, itemId, label, clean));
  }

  /** Reverts a decision: the example's previous label (or none), back into the queue if it came from there. */
  async undo(decisionId: string): Promise<UndoResult> {
    checkId('decisionId', decisionId);
    return this.#call((api) => api.undo(this.#key, decisionId));
  }

  /**
   * Labels the check on the human labels doubts, most contradicted first: out-of-fold predictions (a head trained
   * without the example) confidently prefer another label. Resolves after the trainings asked for so far and the
   * check that follows each. The model never changes them: a person answers with `reviewLabel`.
   */
  async suspiciousLabels(options: { limit?: number } = {}): Promise<SuspiciousLabel[]> {
    const limit = limitOption('suspiciousLabels', options);
    return this.#call((api) => api.suspiciousLabels(this.#key, limit));
  }

  /**
   * A person's second look at a stored label, by example id (from `suspiciousLabels()` or `label()`): the same label
   * confirms it (logged with action 'confirm'), another changes it ('correct'). A confirmed label is not flagged again
   * until the check suggests a different label.
   */
  async reviewLabel(exampleId: string, label: string, meta: Pick<LabelMeta, 'annotator'> = {}): Promise<LabelResult> {
    checkId('exampleId', exampleId);
    // Only who decided: the action follows from the label, and no prediction was shown.
    const { annotator } = labelMeta(this.#labels, label, meta);
    return this.#call((api) => api.reviewLabel(this.#key, exampleId, label, annotator !== undefined ? { annotator } : {}));
  }

  /** Pending review items, most informative first (skipped ones last), re-predicted by the current model. */
  async queue(options: { limit?: number } = {}): Promise<QueueItem[]> {
    const limit = limitOption('queue', options);
    const items = await this.#call((api) => api.queue(this.#key, limit));
    return items.map((item) => ({ ...item, prediction: this.#withReview(item.prediction) }));
  }

  /** Adds inputs to the review queue (once each, by input hash); resolves with the queue size. */
  async enqueue(inputs: ClassifierInput | readonly ClassifierInput[]): Promise<number> {
    const many = Array.isArray(inputs) && !(this.input === 'features' && inputs.every((v) => typeof v === 'number'));
    const list = many ? (inputs as readonly ClassifierInput[]) : [inputs as ClassifierInput];
    const { wires, transfer } = await toWires(this.input, list, 'inputs');
    return this.#call((api) => api.enqueue(this.#key, Comlink.transfer(wires, transfer)));
  }

  /** Moves a queue item behind every other; it stays pending. */
  async skip(itemId: string): Promise<void> {
    checkId('itemId', itemId);
    await this.#call((api) => api.skip(this.#key, itemId));
  }

  /** Agreement, confusion, reliability, auto-accept share (at this handle's threshold) and drift, from the audit log. */
  async quality(options: { window?: number } = {}): Promise<QualityReport> {
    const window = qualityWindow(options);
    return this.#call((api) => api.quality(this.#key, window, this.threshold));
  }

  /**
   * Agreement between the people who labelled (the `annotator` of each decision): per annotator counts, Cohen's κ
   * for every pair over the inputs both label, Fleiss' κ overall, the conflicts, inputs labelled differently, and
   * the conflicts an adjudication settled.
   */
  async agreement(): Promise<AgreementReport> {
    return this.#call((api) => api.agreement(this.#key));
  }

  /**
   * Settles a conflict between annotators, by its `inputHash` (an example id): the example takes `label`, and the log
   * records a decision with the action 'adjudicate' by `meta.annotator`. The annotators' own labels stay in the log
   * and in the agreement figures; the conflict moves to `agreement().settled`.
   */
  async adjudicate(exampleId: string, label: string, meta: Pick<LabelMeta, 'annotator'> = {}): Promise<LabelResult> {
    checkId('exampleId', exampleId);
    const { annotator } = labelMeta(this.#labels, label, meta);
    return this.#call((api) => api.adjudicate(this.#key, exampleId, label, annotator !== undefined ? { annotator } : {}));
  }

  /** Predictions people saw and their decisions, newest last. `since`: ms since the epoch; `limit`: the newest n. */
  async auditLog(options: { limit?: number; since?: number } = {}): Promise<LogEntry[]> {
    const { limit, since } = auditLogArgs(options);
    return this.#call((api) => api.auditLog(this.#key, limit, since));
  }
  /**
   * Recomputes the audit log's SHA-256 hash chain from what is stored: `ok` unless an entry was edited, deleted or
   * reordered outside the library, and then `firstBadEntry` names it. Record `head` elsewhere to catch a log rewritten
   * whole.
   */
  async verifyLog(): Promise<LogVerification> {
    return this.#call((api) => api.verifyLog(this.#key));
  }

  /** Labels, log, queue and weights as one JSON Lines Blob (docs/export-format.md describes the format). */
  async export(): Promise<Blob> {
    return this.#call((api) => api.exportBundle(this.#key));
  }

  /**
   * Merges an `export()` file into this model: validated in full first, then applied in one transaction. A bad
   * file rejects with a TypeError or RangeError naming the problem and changes nothing.
   */
  async import(data: Blob): Promise<ImportResult> {
    if (!(data instanceof Blob)) throw new TypeError(`import() expects a Blob or File from export(), got ${describe(data)}.`);
    const result = await this.#call((api) => api.importBundle(this.#key, data));
    // The file may have brought labels: know them now, not when the 'labels-changed' event arrives.
    this.#labels = Object.keys((await this.#call((api) => api.stats(this.#key))).byLabel);
    return result;
  }

  /**
   * The trained head as standard TensorFlow.js layers-model files (one Dense softmax layer), to use the model
   * elsewhere; `metadata` (also in model.json) says what the model takes and what it leaves out. Rejects with a
   * RangeError while nothing has been trained.
   */
  async exportModel(): Promise<ExportedModel> {
    const exported = await this.#call((api) => api.exportModel(this.#key));
    return { ...exported, files: [exported.modelJson, exported.weights] };
  }

  /** A retrain on every stored label (from zeros, or warm from the served head: see TrainOptions); resolves once the new model serves predictions. */
  async train(options: TrainOptions = {}): Promise<TrainResult> {
    const { signal, onProgress, fromZeros } = trainArgs(options);
    signal?.throwIfAborted();
    const runId = crypto.randomUUID();
    const onAbort = () => {
      void engine.call((api) => api.cancelTrain(this.#key, runId)).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.#call((api) => api.train(this.#key, runId, onProgress ? Comlink.proxy(onProgress) : undefined, fromZeros));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Indices into `pool`: the most informative first, by `options.strategy` (default {@link DEFAULT_REVIEW_STRATEGY}),
   * then a share `options.explore` of the batch drawn at random from the rest of the pool (default 0.1: one in ten
   * of a batch of 10 or more; 0 for none). The random picks keep calibration honest: see {@link SelectForReviewOptions}.
   */
  async selectForReview(pool: readonly ClassifierInput[], k: number, options: SelectForReviewOptions = {}): Promise<number[]> {
    const { strategy, explore } = selectForReviewArgs(pool, k, options);
    const { wires, transfer } = await toWires(this.input, pool, 'pool');
    if (wires.length === 0 || k === 0) return [];
    return this.#call((api) => api.selectForReview(this.#key, Comlink.transfer(wires, transfer), k, strategy, explore));
  }

  /** Adds a class to the live model: stored labels and the trained head keep everything they knew. */
  async addLabel(label: string): Promise<string[]> {
    checkNewLabel(this.#labels, label);
    this.#labels = await this.#call((api) => api.addLabel(this.#key, label));
    return this.labels;
  }

  /**
   * Renames a label in everything stored (examples, queue, head, log) in one transaction, logged as a `relabel`
   * entry; other tabs follow. Pass the new name in `labels` when you next create the classifier.
   */
  async renameLabel(from: string, to: string): Promise<LabelChangeResult> {
    // The worker checks both names against the stored labels, inside the transaction.
    return this.#relabelled(await this.#call((api) => api.renameLabel(this.#key, from, to)));
  }

  /** Removes a label, its examples moved to `reassignTo` or deleted (`drop: true`), like renameLabel in one transaction. */
  async removeLabel(label: string, how: { reassignTo: string } | { drop: true }): Promise<LabelChangeResult> {
    return this.#relabelled(await this.#call((api) => api.removeLabel(this.#key, label, how)));
  }

  #relabelled(result: LabelChangeResult): LabelChangeResult {
    this.#labels = [...result.labels];
    return result;
  }

  /**
   * Many labels in one transaction: all stored, or none (an error names the first bad item's index). Each item is
   * a decision in the log, as with `label()`.
   */
  async labelBatch(items: readonly { input: ClassifierInput; label: string; annotator?: string }[]): Promise<LabelBatchResult> {
    if (!Array.isArray(items)) throw new TypeError(`labelBatch expects an array of { input, label }, got ${describe(items)}.`);
    const { wires, transfer } = await toWires(
      this.input,
      items.map((item) => item?.input),
      'items',
    );
    const sent = items.map((item, i) => ({ ...item, input: wires[i]! }));
    return this.#call((api) => api.labelBatch(this.#key, Comlink.transfer(sent, transfer)));
  }

  /**
   * Labelled text from another tool: `format` 'csv' (`text,label[,annotator]` header), 'jsonl' or 'label-studio'
   * (docs/export-format.md). Every row is checked before anything is stored, in one transaction; an error names the
   * row. Labels the model lacks are refused unless `addLabels` is true.
   */
  async importLabels(data: string | Blob, options: { format: LabelFormat; addLabels?: boolean }): Promise<LabelImportResult> {
    // The worker checks the data, the format and every row: the page carries no parser.
    const result = await this.#call((api) => api.importLabels(this.#key, data, options?.format, options?.addLabels === true));
    if (result.labelsAdded.length > 0) this.#labels = Object.keys((await this.stats()).byLabel);
    return result;
  }

  /** The labelled texts as a file another tool reads: `format` 'csv', 'jsonl' or 'label-studio'. */
  async exportLabels(options: { format: LabelFormat }): Promise<LabelExport> {
    return this.#call((api) => api.exportLabels(this.#key, options?.format));
  }

  /** The label a person gave to exactly this input (as stored, surviving reloads), or null. */
  async getLabel(input: ClassifierInput): Promise<StoredLabel | null> {
    const { wire, transfer } = await toWire(this.input, input, 'input');
    return this.#call((api) => api.getLabel(this.#key, sendable(wire, transfer)));
  }

  /**
   * Why the model gives `input` a label (`options.label`, default the predicted one): the words, columns or image
   * patches that weigh for and against it, and the `k` (default 5) most similar labelled examples, with who labelled
   * them and when. Rejects bad input as `predict` does, and an unknown label with the labels it knows.
   */
  async explain(input: ClassifierInput, options: { label?: string; k?: number } = {}): Promise<Explanation> {
    const { label, k } = explainArgs(this.#labels, options);
    const { wire, transfer } = await toWire(this.input, input, 'input');
    return this.#call((api) => api.explain(this.#key, sendable(wire, transfer), label, k));
  }

  async stats(): Promise<Stats> {
    const settings = this.autoAccept ? { ...this.autoAccept } : undefined;
    const stats = await this.#call((api) => api.stats(this.#key, settings));
    this.#backend = stats.backend;
    return stats;
  }

  /**
   * With `autoAccept`: for each threshold the engine tests, the share of recent predictions it would let through,
   * the error the spot checks above it show, and its upper bound. Rejects without `autoAccept`.
   */
  async riskCoverage(): Promise<RiskCoveragePoint[]> {
    if (!this.autoAccept) throw new TypeError('riskCoverage() needs a classifier created with autoAccept: { maxError, confidence }.');
    const settings = { ...this.autoAccept };
    return this.#call((api) => api.riskCoverage(this.#key, settings));
  }

  /** The kept trained versions, newest first, with their metrics; which one serves and which is pinned. */
  async versions(): Promise<ModelVersion[]> {
    return this.#call((api) => api.versions(this.#key));
  }

  /** Serves a kept version again, in one logged transaction; other tabs follow; the next training replaces it unless pinned. */
  async rollback(version: number): Promise<VersionChange> {
    return this.#call((api) => api.rollback(this.#key, version));
  }

  /** Pins a kept version (and serves it), or unpins with null: background training does not replace a pinned version. */
  async pin(version: number | null): Promise<VersionChange> {
    return this.#call((api) => api.pin(this.#key, version));
  }

  /** Deletes this model's labels, weights and log, in storage and in memory. */
  async reset(): Promise<void> {
    await this.#call((api) => api.reset(this.#key));
  }

  /** Releases this handle; the shared worker ends when nothing uses it any more. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#unsubscribeCrash();
    try {
      if (engine.running && engine.generation === this.#generation) {
        await engine.call((api) => api.close(this.#key, this.#handle));
      }
    } catch {
      // A dead worker holds nothing to release.
    } finally {
      engine.release();
    }
  }

  #withReview(raw: RawPrediction): Prediction {
    return withReview(raw, this.threshold);
  }

  /** Every call goes through here: reopens the model on a fresh worker after a crash. */
  async #call<T>(run: (api: Comlink.Remote<import('./protocol.js').EngineApi>) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error(`Classifier "${this.name}" is closed; create a new one with createClassifier().`);
    if (engine.generation !== this.#generation || !engine.running) {
      const opened = await openOn(this.#spec(), this.#openOptions());
      this.#labels = opened.labels;
      this.#persistent = opened.persistent;
      this.#storageProblem = opened.storageProblem ?? null;
      this.#backend = opened.backend;
      this.#generation = opened.generation;
      this.#handle = opened.handle;
    }
    return engine.call(run);
  }

  #openOptions() {
    const { keepInputs, retentionDays, keepVersions } = this;
    return openOptions({ backend: this.requestedBackend, autoTrainDelayMs: this.#autoTrainDelayMs, keepInputs, retentionDays, keepVersions });
  }

  #spec() {
    const { name, input, storage, textEncoder, teachableMachine } = this;
    return modelSpec({ name, labels: this.#labels, input, storage, featureExtractor: this.#featureExtractor, textEncoder, teachableMachine });
  }
}

/** Creates (or opens the stored) model `name` and returns a handle to it. */
export async function createClassifier(options: ClassifierOptions): Promise<Classifier> {
  const unknown = findUnknownOption(options);
  if (unknown) throw (await import('./unknown-option.js')).unknownOptionError(...unknown);
  const resolved = resolveOptions(options);
  const autoAccept =
    options.autoAccept === undefined && options.spotCheckRate === undefined
      ? undefined
      : (await import('./auto-accept-options.js')).resolveAutoAccept(options);
  engine.acquire();
  try {
    const opened = await openOn(modelSpec(resolved), openOptions(resolved));
    return new Classifier({ ...resolved, autoAccept }, opened);
  } catch (error) {
    engine.release();
    throw error;
  }
}
