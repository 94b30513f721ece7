import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_REVIEW_STRATEGY,
  modelKey,
  type BackendName,
  type DecisionAction,
  type ExportedModelMetadata,
  type ImportResult,
  type LogEntry,
  type PredictOptions,
  type QualityReport,
  type RawQueueItem,
  type UndoResult,
  type EngineApi,
  type EngineEvent,
  type LabelMeta,
  type LabelResult,
  type ModelSpec,
  type OpenOptions,
  type OpenResult,
  type RawExportedModel,
  type RawPrediction,
  type ReviewStrategy,
  type Stats,
  type StoredLabel,
  type TrainProgress,
  type TrainResult,
  type WireInput,
} from '../src/protocol.js';
import { activeBackend, useBackend } from './backend.js';
import { RunningStats, standardize } from './featurizers/features.js';
import type { FeatureExtractor } from './featurizers/extractor.js';
import { decodeImage, type SquarePixels } from './featurizers/image-decode.js';
import { TEXT_DIM, featurizeText } from './featurizers/text.js';
import { isSparse, type SparseVector, type Vector } from './featurizers/vector.js';
import { nextTask, ServingHead } from './head.js';
import { trainCalibrated } from './calibrate.js';
import { nearestVote } from './calibration.js';
import { ExampleMemory, NEAR_DUPLICATE } from './memory.js';
import { HELPER_MIN_BATCH, HELPER_MIN_EXAMPLES, LookupHelper, type HelperAnswer } from './lookup-helper.js';
import { rankForReview } from './review.js';
import { bestPerClass, Similarity } from './similarity.js';
import { byTime, inputView, loggedInput, toLogEntry } from './audit.js';
import { encodeBundle, parseBundle } from './bundle.js';
import { inputId } from './input-id.js';
import { computeQuality } from './quality.js';
import { leastInformative, rankQueue } from './queue.js';
import { TabCoordination, type TabChange } from './coordination.js';
import {
  IndexedDbStore,
  MemoryStore,
  StorageUnavailableError,
  type ExampleRecord,
  type LoadedModel,
  type LogRecord,
  type ModelMeta,
  type ModelStore,
  type QueueRecord,
  type StoredInput,
  type WeightsRecord,
} from './storage.js';

/** The image featurizer (and its convolution weights) loads only for image models. */
const imageFeaturizer = () => import('./featurizers/image.js');

/** Predictions remembered so a later `label(…, { predictionId })` can log what the person was shown. */
const RECENT_PREDICTIONS = 10_000;
/**
 * The nearest-neighbour vote (see voteWeight) while there are at most this many labels: it gains most with few
 * labels (SpamAssassin: +3.6 points at 20, +0.2 at 800) and costs a scan of every label per prediction.
 */
const VOTE_MAX_EXAMPLES = 1000;
/** Texts per block when a batch is shared with the lookup helper (see score): ~50 ms of lookups at 10,000 stored. */
const SHARED_BLOCK = 250;
/** The vote's weight before there are enough labels to fit it: 0.5 gave 87.4 % against 83.8 % for the head alone on SpamAssassin at 20 labels. */
const DEFAULT_VOTE_WEIGHT = 0.5;

class AbortError extends Error {
  override name = 'AbortError';
}

/** A prediction answered but not yet written: the log and queue writes happen after the answer, in batches. */
interface PendingPrediction {
  prediction: RawPrediction;
  input: StoredInput;
  vector: Vector;
  shown: boolean;
  queue: boolean;
  threshold: number;
}

interface QueueEntry {
  record: QueueRecord;
  /** Featurised once, then reused by every re-ranking. */
  vector?: Vector;
  /** Class probabilities and the model state they came from: re-predicted only when that state changed. */
  probs?: Float64Array;
  stamp?: string;
}

/**
 * Predictions queue themselves up to this many pending items; past it the least uncertain pending item makes room
 * (explicit `enqueue` is not limited). Every label re-ranks the queue, so its size is what a review step costs.
 */
export const QUEUE_AUTO_LIMIT = 10_000;

/** What makes two log entries the same event, whichever database they were written in. */
function logKey(entry: LogEntry): string {
  const { id: _id, ...rest } = entry;
  return JSON.stringify(rest);
}

/** How often an open model with a retention period deletes what has expired since it opened. */
const RETENTION_SWEEP_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** At most this many 'training-progress' events a second: enough for a progress bar, not a flood of messages. */
const PROGRESS_EVENT_MS = 100;

function stored(example: ExampleRecord): StoredLabel {
  return { label: example.label, time: example.time, ...(example.annotator !== undefined ? { annotator: example.annotator } : {}) };
}

/** One model in the worker: its labels, instant memory, trained head, store and training queue. */
class Model {
  readonly key: string;
  /** Each open handle's background-training delay: training runs after the shortest positive one. */
  readonly handles = new Map<string, number>();
  /** Each open handle's keepInputs: raw inputs are stored only while every handle allows it (privacy wins). */
  readonly keepInputsByHandle = new Map<string, boolean>();
  meta: ModelMeta;
  head: ServingHead | null = null;
  headStats: { mean: Float32Array; std: Float32Array } | null = null;
  modelVersion = 0;
  readonly memory: ExampleMemory;
  readonly similarity: Similarity;
  /** A site-hosted frozen model that featurizes images instead of the built-in scattering transform. */
  private extractor: FeatureExtractor | null = null;
  /** The saved head as trained; re-expanded when labels are added after it. */
  private weights: WeightsRecord | null = null;
  calibration: Stats['calibration'] = null;
  private readonly labelsById = new Map<string, { label: string; annotator?: string; time: number }>();
  private liveStats: RunningStats | null = null;
  private seq = 0;
  private trainChain: Promise<unknown> = Promise.resolve();
  /** Trainings asked for that have not started yet, by run id: cancelling one aborts its wait. */
  private readonly waitingRuns = new Map<string, AbortController>();
  private training: { runId: string; cancelled: Error | null } | null = null;
  private autoTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by reset(): a training that started before it must not install its result. */
  private epoch = 0;
  private examplesAtLastTrain = -1;
  /** Predictions remembered so a later `label(…, { predictionId })` can log what the person was shown. */
  private readonly recent = new Map<string, RawPrediction>();
  /** The review queue as stored, kept here so ranking needs no read. */
  private readonly queued = new Map<string, QueueEntry>();
  private pending: PendingPrediction[] = [];
  /** Bumped whenever the memory of labels changes: with the model version it says whether a prediction is stale. */
  private memoryChanges = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Other tabs of the origin using this stored model (null for memory models). */
  coordination: TabCoordination | null = null;
  /** Each open handle's retention period in days (absent: keep forever); the shortest wins. */
  readonly retentionByHandle = new Map<string, number>();
  private retentionTimer: ReturnType<typeof setInterval> | undefined;
  /** Changes read back from other tabs, one at a time. */
  private syncing: Promise<void> = Promise.resolve();
  /** A second worker for large text batches (lookup-helper.ts); once failed, it stays so and is not used. */
  private lookups: LookupHelper | null = null;

  constructor(
    readonly spec: ModelSpec,
    readonly store: ModelStore,
    private readonly emit: (event: EngineEvent) => void,
  ) {
    this.key = modelKey(spec);
    this.meta = { name: spec.name, labels: [...spec.labels], input: spec.input, featureDim: null, maxVersion: 0, createdAt: Date.now() };
    this.similarity = new Similarity(
      spec.input === 'features' ? 'gaussian' : 'cosine',
      () => this.inputDim(),
      () => this.liveStats?.snapshot().std ?? null,
    );
    this.memory = new ExampleMemory(this.similarity);
  }

  get labels(): string[] {
    return this.meta.labels;
  }

  get isTraining(): boolean {
    return this.training !== null;
  }

  get keepInputs(): boolean {
    return [...this.keepInputsByHandle.values()].every(Boolean);
  }

  inputDim(): number {
    return this.spec.input === 'text' ? TEXT_DIM : (this.meta.featureDim ?? 0);
  }

  /** Names how inputs become vectors: a model trained on one featurizer means nothing with another. */
  private async featurizerId(): Promise<string> {
    if (this.spec.input === 'text') return 'hashed-ngrams-v1';
    if (this.spec.input === 'features') return 'raw-rows';
    return this.extractor ? `extractor:${this.extractor.url}` : `scattering-${(await imageFeaturizer()).IMAGE_SIZE}`;
  }

  async load(): Promise<void> {
    const extractor = this.spec.featureExtractor;
    if (extractor) {
      const { loadFeatureExtractor } = await import('./featurizers/extractor.js');
      this.extractor = await loadFeatureExtractor(extractor.url, {
        ...(extractor.allowedOrigins ? { allowedOrigins: extractor.allowedOrigins } : {}),
        ...(extractor.inputRange ? { inputRange: extractor.inputRange } : {}),
      });
    }
    const featurizer = await this.featurizerId();
    this.meta.featurizer = featurizer;
    const { meta, examples, weights, queue } = await this.store.load();
    if (meta?.featurizer !== undefined && meta.featurizer !== featurizer) {
      throw new TypeError(
        `Model "${this.spec.name}" was built with the featurizer '${meta.featurizer}', not '${featurizer}': its labels and ` +
          'weights would mean nothing. Open it with the same featureExtractor, use another name, or reset() it.',
      );
    }
    if (meta) {
      if (meta.input !== this.spec.input) {
        throw new TypeError(
          `Model "${this.spec.name}" is stored for input '${meta.input}', not '${this.spec.input}'. ` +
            'Use the same input kind, another name, or reset() the stored model.',
        );
      }
      const missing = meta.labels.filter((label) => !this.spec.labels.includes(label));
      if (missing.length > 0) {
        throw new RangeError(
          `Model "${this.spec.name}" is stored with the labels ${JSON.stringify(meta.labels)}; ${JSON.stringify(missing)} ` +
            'would be lost. Labels can be added, not removed: pass all of them, use another name, or reset() the model.',
        );
      }
      this.meta = { ...meta, featurizer, labels: [...meta.labels, ...this.spec.labels.filter((l) => !meta.labels.includes(l))] };
      if (this.meta.labels.length !== meta.labels.length || meta.featurizer === undefined) this.meta = await this.store.saveMeta(this.meta);
    } else {
      this.meta = await this.store.saveMeta(this.meta);
    }
    await this.hydrate({ meta: this.meta, examples, weights, queue });
  }

  /**
   * Fills memory, head and queue from stored records. Vectors are computed first and the state swapped in without
   * an await, so a prediction never sees a half-filled memory.
   */
  private async hydrate({ examples, weights, queue }: LoadedModel): Promise<void> {
    const withInput = examples.filter((e) => e.input !== undefined);
    const computed = await this.vectorize(withInput.map((e) => e.input!));
    const vectorOf = new Map(withInput.map((e, i) => [e.id, computed[i]!]));
    this.memory.clear();
    this.memoryChanges += 1;
    this.labelsById.clear();
    this.liveStats = null;
    for (const example of examples) {
      const vector = example.vector ?? vectorOf.get(example.id);
      if (vector) this.remember(example, vector);
    }
    if (weights) this.installWeights(weights);
    this.queued.clear();
    for (const record of queue) this.queued.set(record.id, record.vector ? { record, vector: record.vector } : { record });
    this.startLookupsWhenLarge();
  }

  /** A text memory large enough for lookups to dominate a batch gets its helper, if the device has a core for it. */
  private startLookupsWhenLarge(): void {
    if (this.lookups || this.spec.input !== 'text' || this.memory.size < HELPER_MIN_EXAMPLES) return;
    if (typeof Worker === 'undefined' || (navigator.hardwareConcurrency ?? 1) < 2) return;
    try {
      this.lookups = new LookupHelper(this.memory);
    } catch (error) {
      console.warn('hitl-classifier: could not start the lookup helper; large batches use one core', error);
    }
  }

  /** Labels given to open() after the model exists can only extend it. */
  async extendLabels(labels: string[]): Promise<void> {
    const missing = this.meta.labels.filter((label) => !labels.includes(label));
    if (missing.length > 0) {
      throw new RangeError(
        `Model "${this.spec.name}" already has the labels ${JSON.stringify(this.meta.labels)}; ${JSON.stringify(missing)} ` +
          'would be lost. Labels can be added, not removed: pass all of them, use another name, or reset() the model.',
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
    } else if (this.weights) {
      this.installWeights(this.weights);
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

  /** Puts a stored example into the memory; `isNew` is false when it relabels an input already counted in the stats. */
  private remember(example: ExampleRecord, vector: Vector, isNew = true): void {
    const target = this.meta.labels.indexOf(example.label);
    if (target < 0) return;
    this.memoryChanges += 1;
    this.memory.upsert(example.id, target, vector, example.seq);
    this.labelsById.set(example.id, stored(example));
    this.seq = Math.max(this.seq, example.seq + 1);
    if (this.spec.input === 'features' && isNew) {
      this.liveStats ??= new RunningStats((vector as Float32Array).length);
      this.liveStats.add(vector as Float32Array);
    }
  }

  /** Back to no trained model (a reset, here or in another tab): the memory alone answers until the next training. */
  private dropHead(): void {
    this.head?.dispose();
    this.head = null;
    this.headStats = null;
    this.weights = null;
    this.calibration = null;
    this.modelVersion = 0;
    this.examplesAtLastTrain = -1;
  }

  private installWeights(record: WeightsRecord): void {
    const labels = this.meta.labels;
    const classes = labels.length;
    let { weights, bias } = record;
    // Columns are matched by label, not position: the head may predate labels added since, and must never serve
    // one label's column under another's name.
    const source = labels.map((label) => record.labels.indexOf(label));
    if (source.length !== record.labels.length || source.some((r, c) => r !== c)) {
      // Labels added after this head was trained: their columns start at zero with a low bias until the next training.
      const from = record.labels.length;
      const expanded = new Float32Array(record.inputDim * classes);
      for (let a = 0; a < record.inputDim; a++) {
        for (let c = 0; c < classes; c++) if (source[c]! >= 0) expanded[a * classes + c] = weights[a * from + source[c]!]!;
      }
      const minBias = Math.min(...bias);
      bias = Float32Array.from(source, (r) => (r >= 0 ? bias[r]! : minBias - 4));
      weights = expanded;
    }
    this.weights = record;
    this.calibration = record.calibration ?? null;
    this.head?.dispose();
    this.head = new ServingHead({ inputDim: record.inputDim, labels: this.meta.labels, weights, bias });
    this.headStats = record.mean && record.std ? { mean: record.mean, std: record.std } : null;
    this.modelVersion = record.version;
  }

  /** What is stored and hashed for an input: the text, the checked row, or the decoded, resized picture. */
  async canonical(input: WireInput): Promise<StoredInput> {
    switch (this.spec.input) {
      case 'text':
        if (typeof input !== 'string') throw new TypeError('Expected a string for a text model.');
        return input;
      case 'features': {
        if (!(input instanceof Float32Array)) throw new TypeError('Expected a Float32Array for a features model.');
        const dim = this.meta.featureDim;
        if (dim !== null && input.length !== dim) {
          throw new RangeError(`Expected a row of ${dim} numbers (this model's feature length), got ${input.length}.`);
        }
        return input;
      }
      case 'image': {
        if (typeof input === 'string' || input instanceof Float32Array) throw new TypeError('Expected an image for an image model.');
        const size = this.extractor ? this.extractor.inputSize : (await imageFeaturizer()).IMAGE_SIZE;
        return decodeImage(input, size);
      }
    }
  }

  async canonicalAll(inputs: WireInput[]): Promise<StoredInput[]> {
    return Promise.all(inputs.map((input) => this.canonical(input)));
  }

  /** Text → hashed sparse vector; numeric rows as they are; pictures → convolutional features, in one batch. */
  async vectorize(inputs: readonly StoredInput[]): Promise<Vector[]> {
    if (this.spec.input === 'image') {
      if (inputs.length === 0) return [];
      if (this.extractor) return this.extractor.featurize(inputs as SquarePixels[]);
      const { featurizeImages } = await imageFeaturizer();
      return featurizeImages(inputs as SquarePixels[]);
    }
    return inputs.map((input) => (typeof input === 'string' ? featurizeText(input) : (input as Float32Array)));
  }

  /**
   * Class probabilities per input: the trained head, blended with the instant memory near labelled examples.
   * `found` holds near-duplicate lookups score() already made with the near-duplicate floor (here or in the lookup
   * helper), used while the model still looks them up with that floor.
   */
  async probabilities(vectors: readonly Vector[], found?: HelperAnswer['nearest']): Promise<{ probs: Float64Array[]; hasModel: boolean }> {
    const classes = this.meta.labels.length;
    let headProbs: Float32Array | null = null;
    if (this.head) {
      const stats = this.headStats;
      const rows = stats ? vectors.map((v) => standardize(v as Float32Array, stats.mean, stats.std)) : vectors;
      headProbs = await this.head.predict(rows);
    }
    const hasModel = this.memory.size > 0 || headProbs !== null;
    const voteWeight = this.voteWeight();
    const blend = (vector: Vector, r: number): Float64Array => {
      if (!hasModel) return new Float64Array(classes).fill(1 / classes);
      const near0 = NEAR_DUPLICATE[this.spec.input];
      // With a head and no vote only near-duplicates count, so the memory need not score examples below the bar.
      const floored = headProbs !== null && voteWeight === 0;
      const { perClass, top } = (floored && found?.[r]) || this.memory.nearest(vector, classes, floored ? near0 : undefined);
      if (!headProbs) return ExampleMemory.distribution(perClass, true);
      let head = Float64Array.from(headProbs.subarray(r * classes, (r + 1) * classes));
      if (voteWeight > 0) {
        const vote = nearestVote(perClass);
        head = head.map((p, c) => (1 - voteWeight) * p + voteWeight * vote[c]!);
      }
      // Near-duplicates of a labelled example follow the human label; elsewhere the head generalises.
      const alpha = top > near0 ? Math.min(1, ((top - near0) / (1 - near0)) ** 2) : 0;
      if (alpha === 0) return head;
      const near = ExampleMemory.distribution(perClass, false, near0);
      return head.map((p, c) => (1 - alpha) * p + alpha * near[c]!);
    };
    // The memory scan grows with the labels (seconds for a large batch over thousands of them): yield now and
    // then so pings are answered and a busy worker is never mistaken for a hung one.
    const probs: Float64Array[] = [];
    let since = performance.now();
    for (let r = 0; r < vectors.length; r++) {
      probs.push(blend(vectors[r]!, r));
      if (performance.now() - since > 50) {
        // A message-channel turn: setTimeout(0) from within a timer is clamped to 4 ms, ~8 % of a long batch.
        await nextTask();
        since = performance.now();
      }
    }
    return { probs, hasModel };
  }

  /**
   * Vectors and class probabilities for a batch. A large text batch over a large memory is shared with the lookup
   * helper, block by block from both ends: this worker featurizes and looks up from the front, the helper from the
   * back, until they meet, so each does what its speed allows (this worker also runs the head, blends and answers
   * for the whole batch). Blocks the helper fails are done here.
   */
  private async score(canonical: readonly StoredInput[]): Promise<{ vectors: Vector[]; probs: Float64Array[]; hasModel: boolean }> {
    const helper = this.lookups;
    if (!helper?.usable || canonical.length < HELPER_MIN_BATCH || !this.head || this.voteWeight() !== 0) {
      const vectors = await this.vectorize(canonical);
      return { vectors, ...(await this.probabilities(vectors)) };
    }
    const classes = this.meta.labels.length;
    const floor = NEAR_DUPLICATE.text;
    const n = canonical.length;
    const vectors = new Array<Vector>(n);
    const found = new Array<{ perClass: Float64Array; top: number }>(n);
    const local = (start: number, end: number) => {
      for (let i = start; i < end; i++) {
        const vector = featurizeText(canonical[i] as string);
        vectors[i] = vector;
        found[i] = this.memory.nearest(vector, classes, floor);
      }
    };
    const block = Math.max(HELPER_MIN_BATCH, Math.min(SHARED_BLOCK, Math.ceil(n / 4)));
    let front = 0;
    let back = n;
    const failed: [number, number][] = [];
    // Two requests in flight, so the helper never waits for this worker between blocks.
    const feedHelper = async (): Promise<void> => {
      while (back > front) {
        const end = back;
        const start = Math.max(front, end - block);
        back = start;
        try {
          const answer = await helper.lookup(canonical.slice(start, end) as string[], classes, floor);
          answer.vectors.forEach((vector, j) => (vectors[start + j] = vector));
          answer.nearest.forEach((near, j) => (found[start + j] = near));
        } catch (error) {
          if (failed.length === 0) console.warn('hitl-classifier: the lookup helper failed; this batch is finished on one core', error);
          failed.push([start, end]);
          return;
        }
      }
    };
    // The helper's first block, then this worker's, then the helper's second: each side starts with one.
    const fed = [feedHelper()];
    let start = front;
    front = Math.min(back, start + block);
    fed.push(feedHelper());
    for (;;) {
      local(start, front);
      // Lets the helper's answers (and pings) in between blocks.
      await nextTask();
      if (back <= front) break;
      start = front;
      front = Math.min(back, start + block);
    }
    await Promise.all(fed);
    for (const [start, end] of failed) {
      local(start, end);
      await nextTask();
    }
    return { vectors, ...(await this.probabilities(vectors, found)) };
  }

  /**
   * How much the nearest-neighbour vote weighs next to the head: what the last training fitted on held-out labels
   * (0 for heads saved before the vote existed, whose temperature was fitted without it), or DEFAULT_VOTE_WEIGHT
   * while there are too few labels to fit it; 0 past VOTE_MAX_EXAMPLES, where the vote costs a scan of every label.
   */
  private voteWeight(): number {
    if (!this.head || this.memory.size > VOTE_MAX_EXAMPLES) return 0;
    const fitted = this.weights?.calibration;
    if (fitted) return fitted.voteWeight ?? 0;
    return DEFAULT_VOTE_WEIGHT;
  }

  /** Scores → predictions with their label, confidence, id and the version that answered. */
  private toPredictions(probs: readonly Float64Array[], hasModel: boolean): RawPrediction[] {
    const labels = this.meta.labels;
    return probs.map((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      const scores: Record<string, number> = {};
      let best = 0;
      labels.forEach((label, c) => {
        scores[label] = row[c]! / sum;
        if (row[c]! > row[best]!) best = c;
      });
      const top = hasModel ? { label: labels[best]!, confidence: scores[labels[best]!]! } : { label: null, confidence: 0 };
      return { id: crypto.randomUUID(), ...top, scores, modelVersion: this.modelVersion };
    });
  }

  private rememberPrediction(prediction: RawPrediction): void {
    this.recent.set(prediction.id, prediction);
    if (this.recent.size > RECENT_PREDICTIONS) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Predictions in input order. What `options` asks to log or queue is written after the answer, batched. */
  async predict(inputs: WireInput[], options?: PredictOptions): Promise<RawPrediction[]> {
    const canonical = await this.canonicalAll(inputs);
    const { vectors, probs, hasModel } = await this.score(canonical);
    const predictions = this.toPredictions(probs, hasModel);
    for (const prediction of predictions) this.rememberPrediction(prediction);
    if (options && (options.shown || options.queue)) {
      predictions.forEach((prediction, i) => {
        const queue = options.queue && (prediction.label === null || prediction.confidence < options.threshold);
        if (options.shown || queue) {
          this.pending.push({ prediction, input: canonical[i]!, vector: vectors[i]!, shown: options.shown, queue, threshold: options.threshold });
        }
      });
      // A macrotask later: the answer is posted first, and one transaction carries every prediction until then.
      this.flushTimer ??= setTimeout(() => void this.flush(), 0);
    }
    return predictions;
  }

  /** Writes pending predict-path records; every read of the log or queue awaits this first, so reads see them. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const items = this.pending.splice(0);
    if (items.length === 0) return this.flushing;
    const epoch = this.epoch;
    const run = this.flushing.then(async () => {
      const ids = await Promise.all(items.map((item) => inputId(this.spec.input, item.input)));
      if (this.epoch !== epoch) return; // reset since: these predictions belong to a model that is gone
      const log: LogRecord[] = [];
      const queue: QueueRecord[] = [];
      let added = false;
      items.forEach((item, i) => {
        const id = ids[i]!;
        const { prediction } = item;
        if (item.shown) {
          const record: LogRecord = {
            kind: 'prediction',
            time: Date.now(),
            exampleId: id,
            predictionId: prediction.id,
            predicted: { label: prediction.label, confidence: prediction.confidence, modelVersion: prediction.modelVersion },
            modelVersion: prediction.modelVersion,
          };
          const input = this.logInput(item.input);
          if (input !== undefined) record.input = input;
          log.push(record);
        }
        // An input a person already labelled is decided; predicting it again does not make it pending.
        if (item.queue && !this.labelsById.has(id)) {
          const existing = this.queued.get(id);
          const record: QueueRecord = existing
            ? { ...existing.record, prediction }
            : { id, prediction, addedAt: Date.now(), skipped: 0, ...this.keptInput(item.input, item.vector) };
          added ||= !existing;
          this.queued.set(id, { record, vector: item.vector });
          queue.push(record);
        }
      });
      let evict: string[] = [];
      if (this.queued.size > QUEUE_AUTO_LIMIT) {
        const pending = [...this.queued.values()].map((e) => ({ id: e.record.id, probs: Object.values(e.record.prediction.scores) }));
        evict = leastInformative(pending, this.queued.size - QUEUE_AUTO_LIMIT, DEFAULT_REVIEW_STRATEGY);
      }
      for (const id of evict) this.queued.delete(id);
      const kept = evict.length > 0 ? queue.filter((record) => this.queued.has(record.id)) : queue;
      await this.store.record(log, kept, evict);
      if (added) this.emitQueueSize();
    });
    this.flushing = run.catch((error: unknown) => console.warn('hitl-classifier: could not write the prediction log or queue', error));
    return this.flushing;
  }

  /** What the log keeps: a picture's size always (never its pixels); text and rows only while inputs are kept. */
  private logInput(input: StoredInput): LogRecord['input'] {
    const isPicture = typeof input === 'object' && !(input instanceof Float32Array);
    return isPicture || this.keepInputs ? loggedInput(input) : undefined;
  }

  /** The input as stored, or only its vector when the model keeps no inputs. */
  private keptInput(input: StoredInput, vector: Vector): { input: StoredInput } | { vector: Vector } {
    return this.keepInputs ? { input } : { vector };
  }

  private emitQueueSize(): void {
    this.emit({ type: 'queue-changed', key: this.key, size: this.queued.size });
  }

  /** Indices into `pool`, most informative first. */
  async selectForReview(pool: WireInput[], k: number, strategy: ReviewStrategy): Promise<number[]> {
    const { vectors, probs } = await this.score(await this.canonicalAll(pool));
    return rankForReview(probs, vectors, k, strategy, this.similarity);
  }

  async label(input: WireInput, label: string, meta: LabelMeta): Promise<LabelResult> {
    this.checkLabel(label);
    const canonical = await this.canonical(input);
    const [vector] = (await this.vectorize([canonical])) as [Vector];
    return this.decide(await inputId(this.spec.input, canonical), canonical, vector, label, meta);
  }

  /** Labels a pending queue item by id: with `keepInputs: false` the page has no input to pass. */
  async labelQueued(itemId: string, label: string, meta: LabelMeta): Promise<LabelResult> {
    this.checkLabel(label);
    await this.flush();
    const entry = this.queued.get(itemId);
    if (!entry) throw new RangeError(`No pending queue item ${JSON.stringify(itemId)}: it was labelled already or never queued.`);
    const { input } = entry.record;
    const vector = entry.vector ?? entry.record.vector ?? ((await this.vectorize([input!])) as [Vector])[0];
    return this.decide(itemId, input, vector, label, meta);
  }

  private checkLabel(label: string): void {
    if (!this.meta.labels.includes(label)) {
      throw new RangeError(`Unknown label ${JSON.stringify(label)}: expected one of ${this.meta.labels.map((l) => JSON.stringify(l)).join(', ')}.`);
    }
  }

  /** What the person was shown before deciding: the prediction they name, else the queued one for this input. */
  private async shownBefore(id: string, predictionId: string | undefined): Promise<RawPrediction | LogRecord['predicted'] | undefined> {
    if (predictionId !== undefined) {
      const recent = this.recent.get(predictionId);
      if (recent) return recent;
      // After a reload the memory of recent predictions is gone, but a shown one is in the log.
      const logged = await this.store.findPrediction(predictionId);
      if (logged?.predicted) return logged.predicted;
    }
    return this.queued.get(id)?.record.prediction;
  }

  private async decide(id: string, canonical: StoredInput | undefined, vector: Vector, label: string, meta: LabelMeta): Promise<LabelResult> {
    await this.flush();
    let newMeta: ModelMeta | undefined;
    if (vector instanceof Float32Array && this.meta.featureDim === null) {
      newMeta = { ...this.meta, featureDim: vector.length };
    }
    const predicted = await this.shownBefore(id, meta.predictionId);
    const previous = this.labelsById.get(id)?.label;
    const decisionId = crypto.randomUUID();
    const example: ExampleRecord = { id, label, time: Date.now(), seq: this.seq, decisionId };
    if (canonical !== undefined && this.keepInputs) example.input = canonical;
    else example.vector = vector;
    if (meta.annotator !== undefined) example.annotator = meta.annotator;
    if (meta.predictionId !== undefined) example.predictionId = meta.predictionId;
    const action: DecisionAction | undefined =
      meta.action ?? (predicted && predicted.label !== null ? (predicted.label === label ? 'accept' : 'correct') : undefined);
    const log: LogRecord = {
      kind: 'label',
      time: example.time,
      exampleId: id,
      label,
      modelVersion: this.modelVersion,
      decisionId,
      ...(action !== undefined ? { action } : {}),
      ...(previous !== undefined ? { previousLabel: previous } : {}),
      ...(meta.annotator !== undefined ? { annotator: meta.annotator } : {}),
      ...(meta.predictionId !== undefined ? { predictionId: meta.predictionId } : {}),
      ...(predicted ? { predicted: { label: predicted.label, confidence: predicted.confidence, modelVersion: predicted.modelVersion } } : {}),
    };
    const logged = canonical === undefined ? undefined : this.logInput(canonical);
    if (logged !== undefined) log.input = logged;
    // Stored first: if the write fails, memory is untouched and the caller sees the error.
    await this.store.saveDecision(example, log, newMeta);
    if (newMeta) this.meta = newMeta;
    this.remember(example, vector, previous === undefined);
    this.startLookupsWhenLarge();
    const wasQueued = this.queued.delete(id);
    this.emit({ type: 'examples-changed', key: this.key, examples: this.memory.size });
    if (wasQueued) this.emitQueueSize();
    this.scheduleAutoTrain();
    return { decisionId, exampleId: id, replaced: previous !== undefined, examples: this.memory.size };
  }

  /** Reverts one decision: the example's previous label (or none), the queue item back; logged as an undo. */
  async undo(decisionId: string): Promise<UndoResult> {
    await this.flush();
    const outcome = await this.store.undo(decisionId, (decision, restored) => ({
      kind: 'undo',
      time: Date.now(),
      exampleId: decision.exampleId,
      decisionId,
      modelVersion: this.modelVersion,
      ...(restored ? { label: restored.label } : {}),
      ...(decision.label !== undefined ? { previousLabel: decision.label } : {}),
    }));
    const id = outcome.decision.exampleId;
    const restored = outcome.restored;
    if (restored) {
      const vector = restored.vector ?? ((await this.vectorize([restored.input!])) as [Vector])[0];
      this.remember(restored, vector, false);
    } else {
      this.memory.remove(id);
      this.memoryChanges += 1;
      this.labelsById.delete(id);
    }
    if (outcome.requeued) {
      const record = outcome.requeued;
      this.queued.set(id, record.vector ? { record, vector: record.vector } : { record });
      this.emitQueueSize();
    }
    this.emit({ type: 'examples-changed', key: this.key, examples: this.memory.size });
    this.scheduleAutoTrain();
    return { exampleId: id, restoredLabel: restored?.label ?? null, examples: this.memory.size };
  }

  /** Pending items, most informative first, each re-predicted by the current model. */
  async queue(limit: number): Promise<RawQueueItem[]> {
    await this.flush();
    const entries = [...this.queued.values()].sort((a, b) => a.record.addedAt - b.record.addedAt || (a.record.id < b.record.id ? -1 : 1));
    if (entries.length === 0) return [];
    const missing = entries.filter((e) => !e.vector);
    const computed = await this.vectorize(missing.map((e) => e.record.input!));
    missing.forEach((e, i) => (e.vector = computed[i]!));
    // Only items whose prediction is stale are predicted again: re-reading an unchanged queue costs a sort.
    const stamp = `${this.modelVersion}:${this.memoryChanges}:${this.meta.labels.length}`;
    const stale = entries.filter((e) => e.stamp !== stamp);
    if (stale.length > 0) {
      const { probs, hasModel } = await this.probabilities(stale.map((e) => e.vector!));
      const fresh = this.toPredictions(probs, hasModel);
      stale.forEach((e, i) => {
        e.probs = probs[i]!;
        e.stamp = stamp;
        const old = e.record.prediction;
        const now = fresh[i]!;
        // Same model, same answer: keep the prediction (and its id) the page may already be showing.
        if (old.modelVersion !== now.modelVersion || old.label !== now.label || Math.abs(old.confidence - now.confidence) > 1e-6) {
          e.record = { ...e.record, prediction: now };
          this.rememberPrediction(now);
        }
      });
    }
    const vectors = entries.map((e) => e.vector!);
    const probs = entries.map((e) => e.probs!);
    const { order, scores } = rankQueue(
      entries.map((e, i) => ({ probs: probs[i]!, vector: vectors[i]!, skipped: e.record.skipped })),
      DEFAULT_REVIEW_STRATEGY,
      this.similarity,
      limit,
    );
    return order.slice(0, limit).map((i) => {
      const { record } = entries[i]!;
      const item: RawQueueItem = {
        id: record.id,
        prediction: record.prediction,
        score: scores[i]!,
        addedAt: record.addedAt,
        skipped: record.skipped > 0,
      };
      if (record.input !== undefined) item.input = inputView(record.input);
      return item;
    });
  }

  /** Adds inputs to the queue (once each); resolves with the queue size. */
  async enqueue(inputs: WireInput[]): Promise<number> {
    await this.flush();
    const canonical = await this.canonicalAll(inputs);
    const { vectors, probs, hasModel } = await this.score(canonical);
    const ids = await Promise.all(canonical.map((input) => inputId(this.spec.input, input)));
    const predictions = this.toPredictions(probs, hasModel);
    const added: QueueRecord[] = [];
    const now = Date.now();
    ids.forEach((id, i) => {
      if (this.queued.has(id) || added.some((r) => r.id === id)) return;
      this.rememberPrediction(predictions[i]!);
      added.push({ id, prediction: predictions[i]!, addedAt: now, skipped: 0, ...this.keptInput(canonical[i]!, vectors[i]!) });
    });
    if (added.length > 0) {
      await this.store.putQueued(added);
      added.forEach((record) => this.queued.set(record.id, { record, vector: vectors[ids.indexOf(record.id)]! }));
      this.emitQueueSize();
    }
    return this.queued.size;
  }

  /** Moves an item behind every other (still pending). */
  async skip(itemId: string): Promise<void> {
    await this.flush();
    const entry = this.queued.get(itemId);
    if (!entry) throw new RangeError(`No pending queue item ${JSON.stringify(itemId)}: it was labelled already or never queued.`);
    const last = Math.max(0, ...[...this.queued.values()].map((e) => e.record.skipped));
    const record = { ...entry.record, skipped: last + 1 };
    await this.store.putQueued([record]);
    entry.record = record;
    this.emitQueueSize();
  }

  async quality(window: number, threshold: number): Promise<QualityReport> {
    await this.flush();
    return computeQuality(await this.store.readLog(), this.meta.labels, threshold, window);
  }

  /** Newest last; `since` in ms since the epoch; `limit` keeps the newest. */
  async auditLog(limit: number, since: number): Promise<LogEntry[]> {
    await this.flush();
    const records = (await this.store.readLog()).filter((r) => r.time >= since).sort(byTime);
    return records.slice(Math.max(0, records.length - limit)).map(toLogEntry);
  }

  async exportBundle(): Promise<Blob> {
    await this.flush();
    return encodeBundle(await this.store.dump(), this.meta);
  }

  /**
   * The served head as a standard TensorFlow.js layers model (workers/export-model.ts): the head alone, with its
   * temperature and any standardisation folded in; the metadata says what it takes and what serving adds to it.
   */
  async exportModel(): Promise<RawExportedModel> {
    if (!this.head) {
      throw new RangeError(
        `Model "${this.spec.name}" has no trained model to export yet: label examples of at least 2 labels and call train() (or let background training run) first.`,
      );
    }
    // Read together before any await: a training that finishes meanwhile must not mix two models in one export.
    const { params } = this.head;
    const standardization = this.headStats;
    const modelVersion = this.modelVersion;
    const temperature = this.calibration?.temperature ?? 1;
    const voteWeight = this.voteWeight();
    const { inputDim, labels } = params;
    const featurizer = this.meta.featurizer ?? (await this.featurizerId());
    let expects: string;
    if (this.spec.input === 'text') {
      expects = `The ${inputDim}-value hashed n-gram vector of a text (${featurizer}: featurizeText in workers/featurizers/text.ts, densified), not the text.`;
    } else if (this.spec.input === 'features') {
      expects = `A raw row of ${inputDim} numbers, in the columns and units the model was labelled with: the standardisation is folded into the layer.`;
    } else if (this.extractor) {
      expects = `The ${inputDim} outputs (average-pooled, L2-normalised) of the feature extractor ${this.extractor.url} for an image, not pixels: run that model first.`;
    } else {
      const size = (await imageFeaturizer()).IMAGE_SIZE;
      expects = `The ${inputDim} wavelet-scattering features of an image resized to ${size}×${size} (featurizeImages in workers/featurizers/image.ts), not pixels.`;
    }
    const metadata: ExportedModelMetadata = {
      format: 'hitl-classifier/head',
      formatVersion: 1,
      name: this.spec.name,
      modelVersion,
      labels: [...labels],
      input: this.spec.input,
      featurizer,
      inputDim,
      expects,
      standardization: standardization ? 'folded' : 'none',
      temperature,
      voteWeight,
      leftOut: [
        'The instant example memory: in the widget an input near a labelled example follows its human label at once; this model answers from its weights alone.',
        `The nearest-labelled-example vote the widget mixes into each answer (voteWeight ${voteWeight}; 0 past ${VOTE_MAX_EXAMPLES} labels).`,
        ...(this.spec.input === 'features' ? [] : [`The featurizer ${featurizer}: the model takes featurized rows (see expects).`]),
      ],
      exportedAt: new Date().toISOString(),
    };
    const { exportHead } = await import('./export-model.js');
    return { ...(await exportHead({ head: params, standardization, metadata })), metadata };
  }

  /** Validates the whole file, then applies it in one transaction: all of it or nothing. */
  async importBundle(data: Blob): Promise<ImportResult> {
    await this.flush();
    const parsed = await parseBundle(data, {
      input: this.spec.input,
      featurizer: await this.featurizerId(),
      labels: this.meta.labels,
      featureDim: this.meta.featureDim,
      textDim: TEXT_DIM,
      imageSize: this.spec.input === 'image' ? (this.extractor ? this.extractor.inputSize : (await imageFeaturizer()).IMAGE_SIZE) : null,
    });
    const epoch = this.epoch;
    // A model that keeps no inputs stores what it imports the same way: vectors, never the raw inputs.
    const strip = async <T extends { input?: StoredInput; vector?: Vector }>(records: T[]): Promise<T[]> => {
      if (this.keepInputs) return records;
      const raw = records.filter((r) => r.input !== undefined);
      const vectors = await this.vectorize(raw.map((r) => r.input!));
      return records.map((r) => {
        const i = raw.indexOf(r);
        if (i < 0) return r;
        const { input: _input, ...rest } = r;
        return { ...rest, vector: vectors[i]! } as T;
      });
    };
    const examples = (await strip(parsed.examples)).map((e, i) => ({ ...e, seq: this.seq + i }));
    const queue = (await strip(parsed.queue)).filter((q) => !examples.some((e) => e.id === q.id));
    const version = parsed.weights ? Math.max(parsed.weights.version, Math.max(this.meta.maxVersion, this.modelVersion) + 1) : this.modelVersion;
    const weights = parsed.weights ? { ...parsed.weights, version } : null;
    const meta: ModelMeta = {
      ...this.meta,
      labels: parsed.labels,
      featureDim: this.meta.featureDim ?? parsed.featureDim,
      maxVersion: Math.max(this.meta.maxVersion, version),
    };
    // Entries this log already holds (the same file imported twice, or a model's own export) are not added again,
    // so quality and drift never count one decision twice.
    const known = new Set((await this.store.readLog()).map((r) => logKey(toLogEntry(r))));
    const fresh = parsed.log.filter((r) => !known.has(logKey(toLogEntry(r))));
    const log: LogRecord[] = [
      ...fresh,
      {
        kind: 'import',
        time: Date.now(),
        exampleId: '',
        modelVersion: version,
        detail: `${examples.length} examples, ${fresh.length} log entries, ${queue.length} queue items${weights ? ' and weights' : ''} from model "${parsed.header.model}"`,
      },
    ];
    if (this.epoch !== epoch) throw new AbortError('The model was reset during the import; nothing was imported.');
    await this.store.applyImport({ meta, examples, queue, log, weights });
    const labelsAdded = meta.labels.length !== this.meta.labels.length;
    const loaded = await this.store.load();
    // What was stored, merged with whatever another tab added: the label order every tab uses.
    this.meta = { ...meta, labels: loaded.meta?.labels ?? meta.labels };
    await this.hydrate(loaded);
    if (labelsAdded) this.emit({ type: 'labels-changed', key: this.key, labels: [...this.meta.labels] });
    this.emit({ type: 'imported', key: this.key, examples: examples.length });
    this.emit({ type: 'examples-changed', key: this.key, examples: this.memory.size });
    if (weights) this.emit({ type: 'model-updated', key: this.key, modelVersion: this.modelVersion });
    this.emitQueueSize();
    if (!weights && examples.length > 0) this.scheduleAutoTrain();
    return { examples: examples.length, logEntries: fresh.length, modelVersion: this.modelVersion };
  }

  async getLabel(input: WireInput): Promise<StoredLabel | null> {
    return this.labelsById.get(await inputId(this.spec.input, await this.canonical(input))) ?? null;
  }

  private get autoTrainDelayMs(): number {
    const delays = [...this.handles.values()].filter((delay) => delay > 0);
    return delays.length > 0 ? Math.min(...delays) : 0;
  }

  private scheduleAutoTrain(): void {
    clearTimeout(this.autoTimer);
    if (this.autoTrainDelayMs <= 0) return;
    this.autoTimer = setTimeout(() => {
      if (this.memory.size === this.examplesAtLastTrain && !this.isTraining) return;
      this.train(`auto-${Date.now()}`).catch((error: unknown) => {
        // Background training is best effort: too few classes yet, or a reset, is not an error for anyone.
        if (!(error instanceof AbortError) && !(error instanceof RangeError)) console.warn('hitl-classifier: background training failed', error);
      });
    }, this.autoTrainDelayMs);
  }

  /** Full retrain on every stored label; runs one at a time per model, and predictions keep using the current head. */
  train(runId: string, onProgress?: (progress: TrainProgress) => void): Promise<TrainResult> {
    clearTimeout(this.autoTimer);
    // Every training, background ones included, reports progress to every page: a model panel shows the loss.
    let lastEvent = -Infinity;
    const progress = (p: TrainProgress) => {
      const now = performance.now();
      if (p.epoch === 1 || p.epoch >= p.epochs || now - lastEvent >= PROGRESS_EVENT_MS) {
        lastEvent = now;
        this.emit({ type: 'training-progress', key: this.key, epoch: p.epoch, epochs: p.epochs, loss: p.loss });
      }
      onProgress?.(p);
    };
    // Until it starts, a run waits behind this tab's trainings and for other tabs' lock; cancelling it there rejects
    // at once and it never runs (once running, trainNow checks state.cancelled between steps).
    const waiting = new AbortController();
    this.waitingRuns.set(runId, waiting);
    const start = () => {
      this.waitingRuns.delete(runId);
      waiting.signal.throwIfAborted();
      return this.trainNow(runId, progress);
    };
    const work = this.trainChain.then(() => {
      waiting.signal.throwIfAborted();
      return this.exclusive(start, waiting.signal);
    });
    this.trainChain = work.catch(() => undefined);
    const cancelled = new Promise<never>((_, reject) =>
      waiting.signal.addEventListener('abort', () => reject(waiting.signal.reason as Error), { once: true }),
    );
    return Promise.race([work, cancelled]).finally(() => this.waitingRuns.delete(runId));
  }

  /** The vote each held-out example would get from the examples the calibration head trained on (see calibrate.ts). */
  private heldOutVotes(vectors: readonly Vector[], targets: Int32Array, heldOut: readonly number[], trainedOn: Uint8Array): Float64Array {
    const classes = this.meta.labels.length;
    const out = new Float64Array(heldOut.length * classes);
    if (vectors.every(isSparse)) {
      const trained = vectors.filter((_, i) => trainedOn[i]) as SparseVector[];
      const trainedTargets = Int32Array.from(targets.filter((_, i) => trainedOn[i]));
      const best = bestPerClass(
        heldOut.map((i) => vectors[i] as SparseVector),
        trained,
        trainedTargets,
        classes,
        this.inputDim(),
      );
      best.forEach((perClass, h) => out.set(nearestVote(perClass), h * classes));
      return out;
    }
    const memory = new ExampleMemory(this.similarity);
    vectors.forEach((vector, i) => trainedOn[i] && memory.upsert(String(i), targets[i]!, vector, i));
    heldOut.forEach((i, h) => out.set(nearestVote(memory.nearest(vectors[i]!, classes).perClass), h * classes));
    return out;
  }

  private async trainNow(runId: string, onProgress?: (progress: TrainProgress) => void): Promise<TrainResult> {
    const started = performance.now();
    const epoch = this.epoch;
    const { vectors, targets } = this.memory.snapshot();
    const classes = this.meta.labels.length;
    const counts = this.memory.countsByTarget(classes);
    const present = counts.filter((c) => c > 0).length;
    if (present < 2) {
      throw new RangeError(
        `Training needs labelled examples of at least 2 labels; so far ${present === 0 ? 'there are none' : `only ${JSON.stringify(this.meta.labels[counts.findIndex((c) => c > 0)])} has any`}.`,
      );
    }
    const state = { runId, cancelled: null as Error | null };
    this.training = state;
    this.emit({ type: 'training', key: this.key, running: true });
    try {
      let rows: Vector[] = vectors;
      let stats: { mean: Float32Array; std: Float32Array } | null = null;
      // Numeric columns come in any units; image features are already on one scale, and standardising them
      // costs accuracy (2 points on MNIST at 800 labels, bench/image-experiment.ts).
      if (this.spec.input === 'features') {
        const running = new RunningStats(this.inputDim());
        for (const v of vectors) running.add(v as Float32Array);
        stats = running.snapshot();
        rows = vectors.map((v) => standardize(v as Float32Array, stats!.mean, stats!.std));
      }
      const shouldStop = () => state.cancelled ?? (this.epoch !== epoch ? new AbortError('The model was reset during training.') : null);
      const { head: trained, calibration } = await trainCalibrated(rows, targets, classes, this.inputDim(), {
        onEpoch: (e, epochs, loss) => onProgress?.({ epoch: e, epochs, loss }),
        shouldStop,
        ...(vectors.length <= VOTE_MAX_EXAMPLES ? { votes: (heldOut, trainedOn) => this.heldOutVotes(vectors, targets, heldOut, trainedOn) } : {}),
      });
      if (calibration) {
        // Dividing the logits by T is the same as dividing the weights and bias: serving needs no change.
        for (let i = 0; i < trained.weights.length; i++) trained.weights[i]! /= calibration.temperature;
        for (let i = 0; i < trained.bias.length; i++) trained.bias[i]! /= calibration.temperature;
      }
      if (this.epoch !== epoch) throw new AbortError('The model was reset during training.');
      const version = Math.max(this.meta.maxVersion, this.modelVersion) + 1;
      const record: WeightsRecord = {
        version,
        labels: [...this.meta.labels],
        inputDim: this.inputDim(),
        weights: trained.weights,
        bias: trained.bias,
        examples: vectors.length,
        savedAt: Date.now(),
        backend: activeBackend() ?? 'unknown',
        ...(stats ? { mean: stats.mean, std: stats.std } : {}),
        ...(calibration ? { calibration } : {}),
      };
      const meta = { ...this.meta, maxVersion: version };
      await this.store.saveWeights(record, meta);
      if (this.epoch !== epoch) throw new AbortError('The model was reset during training.');
      this.meta = meta;
      this.installWeights(record);
      this.examplesAtLastTrain = vectors.length;
      this.emit({ type: 'model-updated', key: this.key, modelVersion: version });
      return { modelVersion: version, examples: vectors.length, ms: Math.round(performance.now() - started) };
    } finally {
      if (this.training === state) this.training = null;
      this.emit({ type: 'training', key: this.key, running: false });
    }
  }

  /**
   * Runs `work` while no other tab trains or imports this model, after reading back what they saved: the
   * version this tab then saves is above every version any tab saved, and the labels they stored are included.
   */
  exclusive<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const coordination = this.coordination;
    if (!coordination) return work();
    return coordination.exclusive(async () => {
      await this.syncing;
      const { meta, weights } = await this.store.loadHead();
      this.adopt(meta, weights);
      return work();
    }, signal);
  }

  /** Another tab stored a change: read it back, so this tab predicts, trains and versions from the same data. */
  syncFromOtherTab(change: TabChange): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.syncNow(change))
      .catch((error: unknown) => console.warn('hitl-classifier: could not read back a change made in another tab', error));
    return this.syncing;
  }

  private async syncNow(change: TabChange): Promise<void> {
    if (change === 'model-updated') {
      const { meta, weights } = await this.store.loadHead();
      this.adopt(meta, weights);
      return;
    }
    await this.flush();
    const epoch = this.epoch;
    const loaded = await this.store.load();
    if (this.epoch !== epoch) return;
    if (change === 'reset') {
      // A training this tab runs from the examples that are gone must not save its result.
      this.epoch += 1;
      if (this.training) this.training.cancelled = new AbortError('The model was reset in another tab during training.');
      this.recent.clear();
    }
    const labelsBefore = this.meta.labels.length;
    const versionBefore = this.modelVersion;
    this.adoptMeta(loaded.meta);
    if (!loaded.weights && this.head) this.dropHead();
    await this.hydrate({ ...loaded, meta: this.meta });
    this.coordination?.quietly(() => {
      if (this.meta.labels.length !== labelsBefore) this.emit({ type: 'labels-changed', key: this.key, labels: [...this.meta.labels] });
      if (change === 'reset') this.emit({ type: 'reset', key: this.key });
      this.emit({ type: 'examples-changed', key: this.key, examples: this.memory.size });
      if (this.modelVersion !== versionBefore) this.emit({ type: 'model-updated', key: this.key, modelVersion: this.modelVersion });
      this.emitQueueSize();
    });
  }

  /** Takes the stored meta's labels and highest version, and the stored head when it is newer than this one. */
  private adopt(meta: ModelMeta | undefined, weights: WeightsRecord | undefined): void {
    const labelsBefore = this.meta.labels.length;
    this.adoptMeta(meta);
    const newer = weights !== undefined && weights.version > this.modelVersion;
    if (newer) {
      this.installWeights(weights);
      this.meta = { ...this.meta, maxVersion: Math.max(this.meta.maxVersion, weights.version) };
    }
    this.coordination?.quietly(() => {
      if (this.meta.labels.length !== labelsBefore) this.emit({ type: 'labels-changed', key: this.key, labels: [...this.meta.labels] });
      if (newer) this.emit({ type: 'model-updated', key: this.key, modelVersion: this.modelVersion });
    });
  }

  private adoptMeta(stored: ModelMeta | undefined): void {
    if (!stored) return;
    const added = stored.labels.filter((label) => !this.meta.labels.includes(label));
    this.meta = {
      ...this.meta,
      labels: [...this.meta.labels, ...added],
      featureDim: this.meta.featureDim ?? stored.featureDim,
      maxVersion: Math.max(this.meta.maxVersion, stored.maxVersion),
    };
    if (added.length > 0 && this.weights) this.installWeights(this.weights);
  }

  /** The shortest retention period of the open handles, in days, or null when none asks for one. */
  private get retentionDays(): number | null {
    const days = [...this.retentionByHandle.values()];
    return days.length > 0 ? Math.min(...days) : null;
  }

  /** Deletes labels, log entries and queue items older than the retention period, for real, in storage and here. */
  async purgeExpired(): Promise<void> {
    const days = this.retentionDays;
    clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
    if (days === null) return;
    this.retentionTimer = setInterval(() => void this.purgeExpired().catch(() => undefined), RETENTION_SWEEP_MS);
    await this.flush();
    const removed = await this.store.purgeBefore(Date.now() - days * DAY_MS);
    if (removed.examples === 0 && removed.queue === 0) return;
    await this.hydrate(await this.store.load());
    this.emit({ type: 'examples-changed', key: this.key, examples: this.memory.size });
    this.emitQueueSize();
  }

  cancelTrain(runId: string): void {
    if (this.training?.runId === runId) this.training.cancelled = new AbortError('Training was cancelled.');
    else this.waitingRuns.get(runId)?.abort(new AbortError('Training was cancelled before it started.'));
  }

  stats(): Omit<Stats, 'backend'> {
    const counts = this.memory.countsByTarget(this.meta.labels.length);
    const byLabel: Record<string, number> = {};
    this.meta.labels.forEach((label, c) => (byLabel[label] = counts[c]!));
    return { examples: this.memory.size, byLabel, modelVersion: this.modelVersion, training: this.isTraining, calibration: this.calibration };
  }

  async reset(): Promise<void> {
    this.epoch += 1;
    clearTimeout(this.autoTimer);
    if (this.training) this.training.cancelled = new AbortError('The model was reset during training.');
    const meta: ModelMeta = { ...this.meta, featureDim: null, maxVersion: Math.max(this.meta.maxVersion, this.modelVersion) };
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending = [];
    await this.flushing;
    await this.store.clear(meta);
    this.meta = meta;
    this.queued.clear();
    this.recent.clear();
    this.memory.clear();
    this.memoryChanges += 1;
    this.labelsById.clear();
    this.liveStats = null;
    this.dropHead();
    this.emit({ type: 'reset', key: this.key });
    this.emitQueueSize();
  }

  /** Writes what is pending, then releases everything: the last handle's close must not lose queued predictions. */
  async dispose(): Promise<void> {
    await this.flush();
    clearInterval(this.retentionTimer);
    this.coordination?.close();
    this.epoch += 1;
    clearTimeout(this.autoTimer);
    if (this.training) this.training.cancelled = new AbortError('The model was closed during training.');
    this.head?.dispose();
    this.head = null;
    this.extractor?.dispose();
    this.extractor = null;
    this.lookups?.dispose();
    this.store.close();
  }
}

/** The engine the worker exposes: every model of the page, on one TensorFlow.js backend. */
export class Engine implements EngineApi {
  private readonly models = new Map<string, Model>();
  private readonly opening = new Map<string, Promise<Model>>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();

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

  async open(spec: ModelSpec, options: OpenOptions): Promise<OpenResult> {
    // A page that stores nothing keeps the backend calibration in memory too.
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
    model.handles.set(handle, options.autoTrainDelayMs);
    model.keepInputsByHandle.set(handle, options.keepInputs !== false);
    if (options.retentionDays !== undefined) {
      model.retentionByHandle.set(handle, options.retentionDays);
      await model.purgeExpired();
    }
    const problem = this.storageProblems.get(key);
    return {
      key,
      handle,
      labels: [...model.labels],
      backend,
      modelVersion: model.modelVersion,
      examples: model.memory.size,
      persistent: spec.storage === 'indexeddb' && problem === undefined,
      ...(problem !== undefined ? { storageProblem: problem } : {}),
    };
  }

  /** Why a stored model lives in memory only on this page (IndexedDB refused), by model key. */
  private readonly storageProblems = new Map<string, string>();

  /**
   * A new Model on IndexedDB when the browser lets this origin use it, else in memory (said in `open`'s result);
   * stored models also coordinate with the other tabs of the origin.
   */
  private async create(spec: ModelSpec): Promise<Model> {
    const key = modelKey(spec);
    let store: ModelStore = new MemoryStore();
    let coordination: TabCoordination | null = null;
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
    // Messages from other tabs only arrive after this task, when `model` is set.
    if (store instanceof IndexedDbStore) coordination = new TabCoordination(spec.name, (change) => void model.syncFromOtherTab(change));
    const model: Model = new Model(spec, store, (event) => {
      this.emit(event);
      coordination?.announce(event);
    });
    model.coordination = coordination;
    try {
      await model.load();
    } catch (error) {
      coordination?.close();
      throw error;
    }
    return model;
  }

  private model(key: string): Model {
    const model = this.models.get(key);
    if (!model) throw new Error(`No open model "${key}": call createClassifier() first.`);
    return model;
  }

  async predict(key: string, inputs: WireInput[], options?: PredictOptions): Promise<RawPrediction[]> {
    return this.model(key).predict(inputs, options);
  }

  async label(key: string, input: WireInput, label: string, meta: LabelMeta): Promise<LabelResult> {
    return this.model(key).label(input, label, meta);
  }

  async labelQueued(key: string, itemId: string, label: string, meta: LabelMeta): Promise<LabelResult> {
    return this.model(key).labelQueued(itemId, label, meta);
  }

  async undo(key: string, decisionId: string): Promise<UndoResult> {
    return this.model(key).undo(decisionId);
  }

  async queue(key: string, limit: number): Promise<RawQueueItem[]> {
    return this.model(key).queue(limit);
  }

  async enqueue(key: string, inputs: WireInput[]): Promise<number> {
    return this.model(key).enqueue(inputs);
  }

  async skip(key: string, itemId: string): Promise<void> {
    return this.model(key).skip(itemId);
  }

  async quality(key: string, window: number, threshold: number): Promise<QualityReport> {
    return this.model(key).quality(window, threshold);
  }

  async auditLog(key: string, limit: number, since: number): Promise<LogEntry[]> {
    return this.model(key).auditLog(limit, since);
  }

  async exportBundle(key: string): Promise<Blob> {
    return this.model(key).exportBundle();
  }

  async importBundle(key: string, data: Blob): Promise<ImportResult> {
    const model = this.model(key);
    // Like training, an import may write weights: one tab at a time, above every version stored.
    return model.exclusive(() => model.importBundle(data));
  }

  async exportModel(key: string): Promise<RawExportedModel> {
    return this.model(key).exportModel();
  }

  async train(key: string, runId: string, onProgress?: (progress: TrainProgress) => void): Promise<TrainResult> {
    return this.model(key).train(runId, onProgress);
  }

  async cancelTrain(key: string, runId: string): Promise<void> {
    this.models.get(key)?.cancelTrain(runId);
  }

  async selectForReview(key: string, pool: WireInput[], k: number, strategy: ReviewStrategy): Promise<number[]> {
    return this.model(key).selectForReview(pool, k, strategy);
  }

  async addLabel(key: string, label: string): Promise<string[]> {
    return this.model(key).addLabel(label);
  }

  async stats(key: string): Promise<Stats> {
    return { ...this.model(key).stats(), backend: activeBackend() ?? 'cpu' };
  }

  async reset(key: string): Promise<void> {
    await this.model(key).reset();
  }

  async getLabel(key: string, input: WireInput): Promise<StoredLabel | null> {
    return this.model(key).getLabel(input);
  }

  async close(key: string, handle: string): Promise<void> {
    const model = this.models.get(key);
    if (!model) return;
    model.handles.delete(handle);
    model.keepInputsByHandle.delete(handle);
    model.retentionByHandle.delete(handle);
    if (model.handles.size === 0) {
      this.models.delete(key);
      await model.dispose();
    }
  }

  async memory(): Promise<{ tensors: number; bytes: number }> {
    const { numTensors, numBytes } = tf.memory();
    return { tensors: numTensors, bytes: numBytes };
  }
}

export type { BackendName };
