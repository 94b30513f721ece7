import * as tf from '@tensorflow/tfjs-core';
import {
  modelKey,
  type BackendName,
  type EngineApi,
  type EngineEvent,
  type InputKind,
  type LabelMeta,
  type LabelResult,
  type ModelSpec,
  type OpenOptions,
  type OpenResult,
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
import type { Vector } from './featurizers/vector.js';
import { ServingHead, trainHead } from './head.js';
import { calibrate } from './calibrate.js';
import { ExampleMemory, NEAR_DUPLICATE } from './memory.js';
import { rankForReview } from './review.js';
import { Similarity } from './similarity.js';
import {
  IndexedDbStore,
  MemoryStore,
  type ExampleRecord,
  type ModelMeta,
  type ModelStore,
  type StoredInput,
  type WeightsRecord,
} from './storage.js';

/** The image featurizer (and its convolution weights) loads only for image models. */
const imageFeaturizer = () => import('./featurizers/image.js');

/** Predictions remembered so a later `label(…, { predictionId })` can log what the person was shown. */
const RECENT_PREDICTIONS = 10_000;

class AbortError extends Error {
  override name = 'AbortError';
}

/** The id of an input: a hash of its canonical form, so the same text, row or picture is one example. */
async function inputId(kind: InputKind, input: StoredInput): Promise<string> {
  let bytes: Uint8Array<ArrayBuffer>;
  if (typeof input === 'string') {
    bytes = new TextEncoder().encode(`t:${input}`);
  } else {
    const raw = input instanceof Float32Array ? input : input.data;
    bytes = new Uint8Array(2 + raw.byteLength);
    bytes.set(new TextEncoder().encode(input instanceof Float32Array ? 'f:' : 'i:'));
    bytes.set(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), 2);
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `${kind[0]}-${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function stored(example: ExampleRecord): StoredLabel {
  return { label: example.label, time: example.time, ...(example.annotator !== undefined ? { annotator: example.annotator } : {}) };
}

/** One model in the worker: its labels, instant memory, trained head, store and training queue. */
class Model {
  readonly key: string;
  /** Each open handle's background-training delay: training runs after the shortest positive one. */
  readonly handles = new Map<string, number>();
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
  private training: { runId: string; cancelled: Error | null } | null = null;
  private autoTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by reset(): a training that started before it must not install its result. */
  private epoch = 0;
  private examplesAtLastTrain = -1;

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
    const { meta, examples, weights } = await this.store.load();
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
      if (this.meta.labels.length !== meta.labels.length || meta.featurizer === undefined) await this.store.saveMeta(this.meta);
    } else {
      await this.store.saveMeta(this.meta);
    }
    const vectors = await this.vectorize(examples.map((example) => example.input));
    examples.forEach((example, i) => this.remember(example, vectors[i]!));
    if (weights) this.installWeights(weights);
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
    const meta = { ...this.meta, labels: [...this.meta.labels, ...added] };
    await this.store.saveMeta(meta);
    this.meta = meta;
    if (this.weights) this.installWeights(this.weights);
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
    this.memory.upsert(example.id, target, vector, example.seq);
    this.labelsById.set(example.id, stored(example));
    this.seq = Math.max(this.seq, example.seq + 1);
    if (this.spec.input === 'features' && isNew) {
      this.liveStats ??= new RunningStats((vector as Float32Array).length);
      this.liveStats.add(vector as Float32Array);
    }
  }

  private installWeights(record: WeightsRecord): void {
    const classes = this.meta.labels.length;
    let { weights, bias } = record;
    if (record.labels.length !== classes) {
      // Labels added after this head was trained: their columns start at zero with a low bias until the next training.
      const expanded = new Float32Array(record.inputDim * classes);
      for (let r = 0; r < record.inputDim; r++) {
        for (let c = 0; c < record.labels.length; c++) expanded[r * classes + c] = weights[r * record.labels.length + c]!;
      }
      const minBias = Math.min(...bias);
      bias = Float32Array.from({ length: classes }, (_, c) => (c < record.labels.length ? bias[c]! : minBias - 4));
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

  /** Class probabilities per input: the trained head, blended with the instant memory near labelled examples. */
  async probabilities(vectors: readonly Vector[]): Promise<{ probs: Float64Array[]; hasModel: boolean }> {
    const classes = this.meta.labels.length;
    let headProbs: Float32Array | null = null;
    if (this.head) {
      const stats = this.headStats;
      const rows = stats ? vectors.map((v) => standardize(v as Float32Array, stats.mean, stats.std)) : vectors;
      headProbs = await this.head.predict(rows);
    }
    const hasModel = this.memory.size > 0 || headProbs !== null;
    const blend = (vector: Vector, r: number): Float64Array => {
      if (!hasModel) return new Float64Array(classes).fill(1 / classes);
      const { perClass, top } = this.memory.nearest(vector, classes);
      if (!headProbs) return ExampleMemory.distribution(perClass, true);
      const head = headProbs.subarray(r * classes, (r + 1) * classes);
      // Near-duplicates of a labelled example follow the human label; elsewhere the head generalises.
      const near0 = NEAR_DUPLICATE[this.spec.input];
      const alpha = top > near0 ? Math.min(1, ((top - near0) / (1 - near0)) ** 2) : 0;
      if (alpha === 0) return Float64Array.from(head);
      const near = ExampleMemory.distribution(perClass, false, near0);
      return Float64Array.from(head, (p, c) => (1 - alpha) * p + alpha * near[c]!);
    };
    // The memory scan grows with the labels (seconds for a large batch over thousands of them): yield now and
    // then so pings are answered and a busy worker is never mistaken for a hung one.
    const probs: Float64Array[] = [];
    let since = performance.now();
    for (let r = 0; r < vectors.length; r++) {
      probs.push(blend(vectors[r]!, r));
      if (performance.now() - since > 50) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        since = performance.now();
      }
    }
    return { probs, hasModel };
  }

  async predict(inputs: WireInput[]): Promise<{ label: string | null; confidence: number; scores: Record<string, number> }[]> {
    const labels = this.meta.labels;
    const { probs, hasModel } = await this.probabilities(await this.vectorize(await this.canonicalAll(inputs)));
    return probs.map((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      const scores: Record<string, number> = {};
      let best = 0;
      labels.forEach((label, c) => {
        scores[label] = row[c]! / sum;
        if (row[c]! > row[best]!) best = c;
      });
      return hasModel ? { label: labels[best]!, confidence: scores[labels[best]!]!, scores } : { label: null, confidence: 0, scores };
    });
  }

  /** Indices into `pool`, most informative first. */
  async selectForReview(pool: WireInput[], k: number, strategy: ReviewStrategy): Promise<number[]> {
    const vectors = await this.vectorize(await this.canonicalAll(pool));
    const { probs } = await this.probabilities(vectors);
    return rankForReview(probs, vectors, k, strategy, this.similarity);
  }

  async label(input: WireInput, label: string, meta: LabelMeta, predicted: RawPrediction | undefined): Promise<LabelResult> {
    const target = this.meta.labels.indexOf(label);
    if (target < 0) {
      throw new RangeError(`Unknown label ${JSON.stringify(label)}: expected one of ${this.meta.labels.map((l) => JSON.stringify(l)).join(', ')}.`);
    }
    const canonical = await this.canonical(input);
    const [vector] = (await this.vectorize([canonical])) as [Vector];
    const id = await inputId(this.spec.input, canonical);
    let newMeta: ModelMeta | undefined;
    if (vector instanceof Float32Array && this.meta.featureDim === null) {
      newMeta = { ...this.meta, featureDim: vector.length };
    }
    const previous = this.labelsById.get(id)?.label;
    const example: ExampleRecord = { id, input: canonical, label, time: Date.now(), seq: this.seq };
    if (meta.annotator !== undefined) example.annotator = meta.annotator;
    if (meta.predictionId !== undefined) example.predictionId = meta.predictionId;
    const log = {
      kind: 'label' as const,
      time: example.time,
      exampleId: id,
      label,
      modelVersion: this.modelVersion,
      ...(previous !== undefined ? { previousLabel: previous } : {}),
      ...(meta.annotator !== undefined ? { annotator: meta.annotator } : {}),
      ...(meta.predictionId !== undefined ? { predictionId: meta.predictionId } : {}),
      ...(predicted ? { predicted: { label: predicted.label, confidence: predicted.confidence, modelVersion: predicted.modelVersion } } : {}),
    };
    // Stored first: if the write fails, memory is untouched and the caller sees the error.
    await this.store.saveExample(example, log, newMeta);
    if (newMeta) this.meta = newMeta;
    this.remember(example, vector, previous === undefined);
    this.emit({ type: 'examples-changed', key: this.key, examples: this.memory.size });
    this.scheduleAutoTrain();
    return { exampleId: id, replaced: previous !== undefined, examples: this.memory.size };
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
    const run = this.trainChain.then(() => this.trainNow(runId, onProgress));
    this.trainChain = run.catch(() => undefined);
    return run;
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
      const calibration = await calibrate(rows, targets, classes, this.inputDim(), shouldStop);
      const trained = await trainHead({
        rows,
        targets,
        classes,
        inputDim: this.inputDim(),
        onEpoch: (e, epochs, loss) => onProgress?.({ epoch: e, epochs, loss }),
        shouldStop,
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

  cancelTrain(runId: string): void {
    if (this.training?.runId === runId) this.training.cancelled = new AbortError('Training was cancelled.');
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
    await this.store.clear(meta);
    this.meta = meta;
    this.memory.clear();
    this.labelsById.clear();
    this.liveStats = null;
    this.head?.dispose();
    this.head = null;
    this.headStats = null;
    this.weights = null;
    this.calibration = null;
    this.modelVersion = 0;
    this.examplesAtLastTrain = -1;
    this.emit({ type: 'reset', key: this.key });
  }

  dispose(): void {
    this.epoch += 1;
    clearTimeout(this.autoTimer);
    if (this.training) this.training.cancelled = new AbortError('The model was closed during training.');
    this.head?.dispose();
    this.head = null;
    this.extractor?.dispose();
    this.extractor = null;
    this.store.close();
  }
}

/** The engine the worker exposes: every model of the page, on one TensorFlow.js backend. */
export class Engine implements EngineApi {
  private readonly models = new Map<string, Model>();
  private readonly opening = new Map<string, Promise<Model>>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly recent = new Map<string, RawPrediction>();

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
    const backend = await useBackend(options.backend);
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
        const fresh = new Model(spec, spec.storage === 'memory' ? new MemoryStore() : new IndexedDbStore(spec.name), this.emit);
        pending = fresh.load().then(() => fresh);
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
    return { key, handle, labels: [...model.labels], backend, modelVersion: model.modelVersion, examples: model.memory.size };
  }

  private model(key: string): Model {
    const model = this.models.get(key);
    if (!model) throw new Error(`No open model "${key}": call createClassifier() first.`);
    return model;
  }

  async predict(key: string, inputs: WireInput[]): Promise<RawPrediction[]> {
    const model = this.model(key);
    const results = await model.predict(inputs);
    return results.map((result) => {
      const prediction: RawPrediction = { id: crypto.randomUUID(), ...result, modelVersion: model.modelVersion };
      this.recent.set(prediction.id, prediction);
      if (this.recent.size > RECENT_PREDICTIONS) this.recent.delete(this.recent.keys().next().value!);
      return prediction;
    });
  }

  async label(key: string, input: WireInput, label: string, meta: LabelMeta): Promise<LabelResult> {
    const predicted = meta.predictionId !== undefined ? this.recent.get(meta.predictionId) : undefined;
    return this.model(key).label(input, label, meta, predicted);
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
    if (model.handles.size === 0) {
      model.dispose();
      this.models.delete(key);
    }
  }

  async memory(): Promise<{ tensors: number; bytes: number }> {
    const { numTensors, numBytes } = tf.memory();
    return { tensors: numTensors, bytes: numBytes };
  }
}

export type { BackendName };
