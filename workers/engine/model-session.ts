import {
  modelKey,
  type AgreementReport,
  type AutoAcceptSettings,
  type EngineEvent,
  type LogEntry,
  type LogVerification,
  type ModelSpec,
  type PredictOptions,
  type QualityReport,
  type RawPrediction,
  type ReviewStrategy,
  type RiskCoveragePoint,
  type Stats,
  type StoredLabel,
  type WireInput,
} from '../../src/protocol.js';
import { inputView, toLogEntry } from '../audit/log-records.js';
import { isEncoderText, type Featurizer } from '../featurizers/featurizer.js';
import { shippedHeadParams } from '../learning/prior.js';
import type { Vector } from '../featurizers/vector.js';
import { inputId } from '../audit/input-id.js';
import { computeAgreement } from '../audit/agreement.js';
import { classWarnings } from '../audit/per-class.js';
import { computeQuality } from '../audit/quality.js';
import { LogTail } from '../audit/log-tail.js';
import { exploreCount, randomOrder, rankForReview } from '../review.js';
import { coldStartSample, typicalFirst } from '../cold-start.js';
import { verifyChain, type LoadedModel, type ModelMeta, type ModelStore, type StoredInput } from '../storage/index.js';
import { AutoAccept } from './auto-accept.js';
import { CanonicalPool } from './canonical-pool.js';
import { BatchSplit } from './batch-split.js';
import { Decisions } from './decisions.js';
import { DriftWatch } from './drift-watch.js';
import { Examples } from './examples.js';
import { Explanations } from './explanations.js';
import { FeatureChoice } from './feature-choice.js';
import { TextNgrams } from '../featurizers/text-ngrams.js';
import { Handles } from './handles.js';
import { LabelCheck } from './label-check.js';
import { PredictionRecorder } from './prediction-recorder.js';
import { Retention } from './retention.js';
import { ReviewQueue } from './review-queue.js';
import { ReviewPicks } from './review-picks.js';
import { Serving } from './serving.js';
import { TabSync } from './tab-sync.js';
import { Training } from './training.js';
import { Transfer } from './transfer.js';
import { LabelFiles } from './label-files.js';
import { LabelSet } from './label-set.js';
import { ModelVersions } from './versions.js';

/**
 * Log entries read on open to know what was already shown: more than the tags a page shows at once, few enough that
 * a model with a long log still opens quickly (they are read before the first prediction).
 */
const SHOWN_ON_OPEN = 2_000;

/**
 * One open model in the worker: what every room shares (its spec, stored meta, store, featurizer, generation and
 * labelled examples) and the rooms themselves, each owning its own state. The session answers the calls that need no
 * room of their own and hands the rest to the room that owns them.
 */
export class ModelSession {
  readonly key: string;
  meta: ModelMeta;
  /**
   * Bumped by a reset (here or in another tab) and by close: work that started before it (a training, an import, a
   * write-behind) must not install or store its result.
   */
  generation = 0;
  readonly handles = new Handles();
  readonly examples: Examples;
  readonly serving: Serving;
  readonly batches: BatchSplit;
  readonly recorder = new PredictionRecorder(this);
  readonly queue = new ReviewQueue(this);
  /** What selectForReview offered for its uncertainty, so a label for it is stored as picked. */
  readonly reviewPicks = new ReviewPicks();
  readonly decisions = new Decisions(this);
  readonly training = new Training(this);
  readonly tabs = new TabSync(this);
  readonly retention = new Retention(this);
  readonly transfer = new Transfer(this);
  readonly drift = new DriftWatch(this);
  readonly labelCheck = new LabelCheck(this);
  readonly explanations = new Explanations(this);
  readonly labelSet = new LabelSet(this);
  readonly labelFiles = new LabelFiles(this);
  readonly featureChoice = new FeatureChoice(this);
  /** Auto-accept at a stated error rate: spot checks, the evidence, the threshold and prediction sets. */
  readonly autoAccept = new AutoAccept(this);
  /** The kept versions of the trained head: list, rollback, pin (model versions). */
  readonly versions = new ModelVersions(this);
  /** The log as quality(), drift and agreement() read it, brought up to date from the entries written since. */
  private readonly logTail = new LogTail();

  constructor(
    readonly spec: ModelSpec,
    readonly store: ModelStore,
    readonly featurizer: Featurizer,
    private readonly broadcast: (event: EngineEvent) => void,
  ) {
    this.key = modelKey(spec);
    this.meta = {
      name: spec.name,
      labels: this.withShippedLabels(spec.labels),
      input: spec.input,
      featureDim: null,
      maxVersion: 0,
      createdAt: Date.now(),
    };
    this.examples = new Examples(spec.input, () => this.inputDim());
    this.serving = new Serving(spec.input, this.examples.memory, () => this.meta.labels);
    this.serving.withoutVote = featurizer.shipped !== undefined;
    this.batches = new BatchSplit(
      // The lookup helper featurizes texts itself, with n-grams only: a model whose vectors join an encoder's keeps
      // its batches here.
      spec.input === 'text' && spec.textEncoder === undefined,
      this.examples.memory,
      this.serving,
      () => this.meta.labels.length,
      (inputs) => this.vectorize(inputs),
      (texts, vectors) => (featurizer instanceof TextNgrams ? featurizer.attachHeadViews(texts, vectors) : undefined),
    );
  }

  /** Every event reaches the pages of this tab and, for a stored model, the other tabs. */
  emit = (event: EngineEvent): void => {
    this.broadcast(event);
    this.tabs.announce(event);
  };

  get labels(): string[] {
    return this.meta.labels;
  }

  inputDim(): number {
    return this.featurizer.dim() ?? 0;
  }

  /** Opens the stored model, or stores a new one; refuses one stored with another input kind, featurizer or more labels. */
  async load(): Promise<void> {
    const { spec, featurizer } = this;
    const id = featurizer.id;
    this.meta.featurizer = id;
    const { meta, examples, weights, queue } = await this.store.load();
    if (meta?.featurizer !== undefined && meta.featurizer !== id) {
      throw new TypeError(
        `Model "${spec.name}" was built with the featurizer '${meta.featurizer}', not '${id}': its labels and ` +
          'weights would mean nothing. Open it with the same featureExtractor or textEncoder, use another name, or reset() it.',
      );
    }
    if (meta) {
      if (meta.input !== spec.input) {
        throw new TypeError(
          `Model "${spec.name}" is stored for input '${meta.input}', not '${spec.input}'. ` +
            'Use the same input kind, another name, or reset() the stored model.',
        );
      }
      const asked = this.withShippedLabels(spec.labels);
      const missing = meta.labels.filter((label) => !asked.includes(label));
      if (missing.length > 0) {
        throw new RangeError(
          `Model "${spec.name}" is stored with the labels ${JSON.stringify(meta.labels)}; ${JSON.stringify(missing)} ` +
            'would be lost. Labels can be added, not removed: pass all of them, use another name, or reset() the model.' +
            retiredNote(meta, asked),
        );
      }
      this.meta = { ...meta, featurizer: id, labels: [...meta.labels, ...asked.filter((l) => !meta.labels.includes(l))] };
      if (this.meta.labels.length !== meta.labels.length || meta.featurizer === undefined) this.meta = await this.store.saveMeta(this.meta);
    } else {
      this.meta = await this.store.saveMeta(this.meta);
    }
    await this.hydrate({ meta: this.meta, examples, weights, queue });
    await this.store.sealLog();
    this.recorder.rememberShown(await this.store.readLog({ limit: SHOWN_ON_OPEN }));
    this.drift.poke();
    // Out-of-fold predictions are not stored: they are computed again, in the background, for a stored head.
    if (this.serving.hasHead) this.training.refreshLabelCheck();
  }

  /**
   * Fills memory, head and queue from stored records. Vectors are computed first and the state swapped in without
   * an await, so a prediction never sees a half-filled memory.
   */
  async hydrate({ examples, weights, queue }: LoadedModel): Promise<void> {
    // The head's view of each text must be the one the stored head reads (feature-choice.ts).
    if (this.featurizer instanceof TextNgrams) {
      this.featurizer.shortGramShare = weights?.shortGramShare ?? 0;
      this.featurizer.extra = weights?.extra === 'words' || weights?.extra === 'counts' ? weights.extra : 'letters';
      this.featurizer.countScale = weights?.countScale ?? 1;
    }
    if (isEncoderText(this.featurizer)) this.featurizer.shortGramShare = weights?.shortGramShare ?? 0;
    const withInput = examples.filter((e) => e.input !== undefined);
    const computed = await this.vectorize(withInput.map((e) => e.input!));
    const vectorOf = new Map(withInput.map((e, i) => [e.id, computed[i]!]));
    this.examples.clear();
    this.examples.reserve(examples.flatMap((e) => e.vector ?? vectorOf.get(e.id) ?? []));
    for (const example of examples) {
      const vector = example.vector ?? vectorOf.get(example.id);
      if (vector) this.examples.remember(example, vector, this.labels);
    }
    if (weights) this.serving.install(weights);
    else this.installShippedHead();
    this.labelCheck.sync();
    this.queue.load(queue);
    this.batches.startWhenLarge();
  }

  /** The labels of a shipped head (a Teachable Machine export's) first, then the others asked for. */
  private withShippedLabels(labels: readonly string[]): string[] {
    const shipped = this.featurizer.shipped?.labels ?? [];
    return [...shipped, ...labels.filter((label) => !shipped.includes(label))];
  }

  /** Until a head is trained here, a featurizer's shipped head answers: the export's own predictions. */
  private installShippedHead(): void {
    const shipped = this.featurizer.shipped;
    if (!shipped) return;
    const { inputDim, weights, bias } = shippedHeadParams(shipped, shipped.labels);
    this.serving.install({ version: 0, labels: [...shipped.labels], inputDim, weights, bias, examples: 0, savedAt: 0, backend: 'shipped' });
  }

  /** Labels given to open() after the model exists can only extend it. */
  async extendLabels(asked: string[]): Promise<void> {
    const labels = this.withShippedLabels(asked);
    const missing = this.meta.labels.filter((label) => !labels.includes(label));
    if (missing.length > 0) {
      throw new RangeError(
        `Model "${this.spec.name}" already has the labels ${JSON.stringify(this.meta.labels)}; ${JSON.stringify(missing)} ` +
          'would be lost. Labels can be added, not removed: pass all of them, use another name, or reset() the model.' +
          retiredNote(this.meta, labels),
      );
    }
    const added = labels.filter((label) => !this.meta.labels.includes(label));
    if (added.length === 0) return;
    const before = this.meta.labels;
    // Stored order wins: a label another tab added meanwhile comes before ours, in every tab.
    const meta = await this.store.saveMeta({ ...this.meta, labels: [...before, ...added] });
    this.meta = meta;
    if (!before.every((label, c) => meta.labels[c] === label)) {
      // Never expected (stored labels only grow), but the memory's label numbers must follow the stored order.
      await this.hydrate(await this.store.load());
    } else {
      this.serving.reinstall();
    }
    this.emit({ type: 'labels-changed', key: this.key, labels: [...meta.labels] });
  }

  async addLabel(label: string): Promise<string[]> {
    if (typeof label !== 'string') throw new TypeError(`label must be a string, got ${typeof label}.`);
    if (label.trim() === '') throw new RangeError('label must not be empty.');
    if (this.meta.labels.includes(label)) throw new RangeError(`The model already has the label ${JSON.stringify(label)}.`);
    await this.extendLabels([...this.meta.labels, label]);
    return [...this.meta.labels];
  }

  checkLabel(label: string): void {
    if (!this.meta.labels.includes(label)) {
      throw new RangeError(`Unknown label ${JSON.stringify(label)}: expected one of ${this.meta.labels.map((l) => JSON.stringify(l)).join(', ')}.`);
    }
  }

  canonicalAll(inputs: WireInput[]): Promise<StoredInput[]> {
    return Promise.all(inputs.map((input) => this.featurizer.canonical(input)));
  }

  vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    return this.featurizer.vectorize(inputs);
  }

  /** Predictions in input order. What `options` asks to log or queue is written after the answer, batched. */
  async predict(inputs: WireInput[], options?: PredictOptions): Promise<RawPrediction[]> {
    const canonical = await this.canonicalAll(inputs);
    const { vectors, probs, hasModel } = await this.batches.score(canonical);
    const predictions = this.serving.toPredictions(probs, hasModel);
    // With auto-accept the engine decides what needs review (and draws spot checks), not the handle's threshold.
    if (options?.autoAccept) await this.autoAccept.judge(predictions, canonical, options.autoAccept);
    for (const prediction of predictions) this.recorder.remember(prediction);
    if (options && (options.shown || options.queue)) {
      this.recorder.stage(
        predictions.flatMap((prediction, i) => {
          const needsReview = prediction.review ?? (prediction.label === null || prediction.confidence < options.threshold);
          const queue = options.queue && needsReview;
          const autoAccepted = !needsReview;
          return options.shown || queue ? [{ prediction, input: canonical[i]!, vector: vectors[i]!, shown: options.shown, queue, autoAccepted }] : [];
        }),
      );
    }
    return predictions;
  }

  /**
   * Whether cold start still picks by typicality: until a training has held-out labels to measure the head on (its
   * calibration, fitted from 30 labels with 3 in a class: learning/calibrate.ts). Before that, nothing says the
   * head's probabilities mean anything, so its uncertainty would rank by noise; after it, they are checked, and
   * uncertainty takes over. The model's own state decides, not a label count tuned on a benchmark.
   */
  private coldStart(): boolean {
    return !this.serving.hasHead || this.serving.calibration === null;
  }

  /**
   * Indices into `inputs`: the ranked picks, most informative first, then `explore` × k (rounded down) drawn at random
   * from the rest of the pool (review.ts, EXPLORE_SHARE). Only the ranked ones are remembered as picked.
   */
  async selectForReview(inputs: WireInput[], k: number, strategy: ReviewStrategy, explore: number): Promise<number[]> {
    const pool = new CanonicalPool(inputs, (input) => this.featurizer.canonical(input));
    const drawn = exploreCount(k, pool.size, explore);
    const ranked = await this.rankPool(pool, Math.min(k, pool.size) - drawn, strategy);
    this.reviewPicks.offer(await this.idsAt(pool, ranked));
    return [...ranked, ...(await this.unlabelledAtRandom(pool, new Set(ranked), drawn))];
  }

  private async idsAt(pool: CanonicalPool, indices: readonly number[]): Promise<string[]> {
    return Promise.all((await pool.at(indices)).map((c) => inputId(this.spec.input, c)));
  }

  /**
   * `count` pool items outside `taken` that nobody labelled, uniformly at random (seeded by the labels so far): a
   * label a person already gave teaches nothing new. Candidates are hashed a block at a time, so a pool of
   * unlabelled items costs a few hashes, not one per item.
   */
  private async unlabelledAtRandom(pool: CanonicalPool, taken: Set<number>, count: number): Promise<number[]> {
    const order = randomOrder(pool.size, taken, this.examples.seq * 31 + pool.size);
    const picks: number[] = [];
    const block = Math.max(16, 4 * count);
    for (let from = 0; from < order.length && picks.length < count; from += block) {
      const indices = order.slice(from, from + block);
      const ids = await this.idsAt(pool, indices);
      for (const [j, index] of indices.entries()) if (picks.length < count && !this.examples.has(ids[j]!)) picks.push(index);
    }
    return picks;
  }

  private async rankPool(pool: CanonicalPool, k: number, strategy: ReviewStrategy): Promise<number[]> {
    if (k <= 0) return [];
    if (strategy === 'cold-start' && this.coldStart()) {
      // Only the clustered sample is featurized: a pool of 10,000 costs what 2,000 do.
      const sample = coldStartSample(pool.size);
      const vectors = await this.vectorize(await pool.at(sample));
      const picked = typicalFirst(vectors, this.examples.snapshot().vectors, k, this.examples.similarity).map((i) => sample[i]!);
      const taken = new Set(picked);
      for (let i = 0; picked.length < Math.min(k, pool.size) && i < pool.size; i++) if (!taken.has(i)) picked.push(i);
      return picked;
    }
    // The memory refines the head's most uncertain few only (BatchSplit.scoreForReview), not the whole pool.
    const all = Array.from({ length: pool.size }, (_, i) => i);
    const { vectors, probs, indices } = await this.batches.scoreForReview(await pool.at(all), k, strategy);
    return rankForReview(probs, vectors, k, strategy, this.examples.similarity).map((i) => indices[i]!);
  }

  async quality(window: number, threshold: number): Promise<QualityReport> {
    await this.recorder.flush();
    // Only the entries written since the last call are read (audit/log-tail.ts).
    const report = computeQuality(await this.logTail.read(this.store), this.meta.labels, threshold, window);
    return { ...report, classWarnings: classWarnings(this.examples.countsByLabel(this.meta.labels)), outOfFold: this.labelCheck.report() };
  }

  /** Agreement between annotators, from every decision in the log (audit/agreement.ts); conflicts show their input. */
  async agreement(): Promise<AgreementReport> {
    await this.recorder.flush();
    const report = computeAgreement(await this.logTail.read(this.store), this.meta.labels);
    if (report.conflicts.length === 0 || !this.handles.keepInputs) return report;
    // The adjudication view shows what people disagreed about: the stored examples keep the input (pixels included).
    const stored = await this.labelCheck.storedExamples(report.conflicts.map((c) => c.inputHash));
    const conflicts = report.conflicts.map((c) => {
      const input = stored.get(c.inputHash)?.input;
      return input === undefined ? c : { ...c, input: inputView(input) };
    });
    return { ...report, conflicts };
  }

  /** Newest last; `since` in ms since the epoch; `limit` keeps the newest. */
  async auditLog(limit: number, since: number): Promise<LogEntry[]> {
    await this.recorder.flush();
    return (await this.store.readLog({ since, limit })).map(toLogEntry);
  }

  /** Recomputes the audit log's hash chain (storage/log-chain.ts) over every stored entry. */
  async verifyLog(): Promise<LogVerification> {
    await this.recorder.flush();
    return verifyChain((await this.store.readLog()).map(toLogEntry));
  }

  async getLabel(input: WireInput): Promise<StoredLabel | null> {
    return this.examples.label(await inputId(this.spec.input, await this.featurizer.canonical(input))) ?? null;
  }

  async stats(autoAccept?: AutoAcceptSettings): Promise<Omit<Stats, 'backend'>> {
    const byLabel = this.examples.countsByLabel(this.meta.labels);
    return {
      ...(autoAccept ? { autoAccept: await this.autoAccept.report(autoAccept) } : {}),
      examples: this.examples.size,
      byLabel,
      classWarnings: classWarnings(byLabel),
      modelVersion: this.serving.modelVersion,
      training: this.training.isRunning,
      calibration: this.serving.calibration,
      outOfFold: this.labelCheck.report(),
      featureChoice: this.featureChoice.report(),
    };
  }

  riskCoverage(autoAccept: AutoAcceptSettings): Promise<RiskCoveragePoint[]> {
    return this.autoAccept.curve(autoAccept);
  }

  /** Back to no trained model (a reset, here or in another tab): the memory alone answers until the next training. */
  dropHead(): void {
    this.serving.drop();
    this.installShippedHead();
    this.training.examplesAtLastTrain = -1;
  }

  async reset(): Promise<void> {
    this.generation += 1;
    this.training.stopAuto();
    this.training.stopRunning('The model was reset during training.');
    // The feature choice was made on the labels being cleared: the next labels choose again.
    const { featureChoice: _cleared, ...kept } = this.meta;
    const meta: ModelMeta = { ...kept, featureDim: null, maxVersion: Math.max(this.meta.maxVersion, this.serving.modelVersion) };
    if (this.featurizer instanceof TextNgrams) {
      this.featurizer.shortGramShare = 0;
      this.featurizer.extra = 'letters';
      this.featurizer.countScale = 1;
    }
    if (isEncoderText(this.featurizer)) this.featurizer.shortGramShare = 0;
    await this.recorder.discard();
    await this.featurizer.forget?.();
    await this.store.clear(meta);
    this.meta = meta;
    this.queue.clear();
    this.reviewPicks.clear();
    this.recorder.forgetRecent();
    this.examples.clear();
    this.labelCheck.forget();
    this.dropHead();
    this.drift.forget();
    this.autoAccept.forget();
    this.emit({ type: 'reset', key: this.key });
    this.queue.emitSize();
  }

  /** Writes what is pending, then releases everything: the last handle's close must not lose queued predictions. */
  async dispose(): Promise<void> {
    await this.recorder.flush();
    this.retention.stop();
    this.drift.stop();
    this.tabs.close();
    this.generation += 1;
    this.training.stopAuto();
    this.training.stopRunning('The model was closed during training.');
    this.serving.dispose();
    this.featurizer.dispose();
    this.batches.dispose();
    this.store.close();
  }
}

/** For a page that still asks for labels renamed or removed since (renameLabel, removeLabel): what happened to them. */
function retiredNote(meta: ModelMeta, asked: readonly string[]): string {
  const retired = asked.filter((label) => meta.retiredLabels?.[label] !== undefined);
  return retired.length === 0
    ? ''
    : ` ${JSON.stringify(retired)} ${retired.length === 1 ? 'was' : 'were'} renamed or removed (renameLabel, removeLabel): pass the labels the model has now.`;
}
