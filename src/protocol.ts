/**
 * Types shared by the page and the engine worker: the only module both sides import.
 * Everything here is plain data so it crosses `postMessage` unchanged.
 */

export const INPUT_KINDS = ['text', 'image', 'features'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export const BACKEND_REQUESTS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
export type BackendName = Exclude<BackendRequest, 'auto'>;

export const STORAGE_KINDS = ['indexeddb', 'memory'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

/**
 * How `selectForReview` ranks a pool: by the top probability, the gap between the top two, the entropy of
 * all scores, or `diverse` — uncertainty plus spread over the embedding, so a batch is not k near-copies.
 */
export const REVIEW_STRATEGIES = ['least-confidence', 'margin', 'entropy', 'diverse'] as const;
export type ReviewStrategy = (typeof REVIEW_STRATEGIES)[number];

/** What the worker needs to open (or create) one model. */
export interface ModelSpec {
  name: string;
  labels: string[];
  input: InputKind;
  storage: StorageKind;
  /** Image models only: a frozen TensorFlow.js model the site hosts, used as the feature extractor. */
  featureExtractor?: FeatureExtractorSpec;
}

/** A site-hosted feature extractor; `url` is absolute by the time it reaches the worker. */
export interface FeatureExtractorSpec {
  url: string;
  /** Origins other than the page's own that the site allows models to load from. */
  allowedOrigins?: string[];
  /** What pixel bytes 0…255 map onto; [0, 1] by default, [-1, 1] for MobileNet-style models. */
  inputRange?: [number, number];
}

/** A model is identified by its name and where it lives: a memory model never sees a stored one. */
export function modelKey(spec: Pick<ModelSpec, 'name' | 'storage'>): string {
  return `${spec.storage}:${spec.name}`;
}

/**
 * An image on its way to the worker. Blobs are decoded there; elements and canvases become ImageBitmaps on the
 * page (the only way to move their pixels), ImageData travels as its pixels. The worker resizes all of them.
 */
export type WireImage =
  | { image: 'bitmap'; bitmap: ImageBitmap }
  | { image: 'blob'; blob: Blob }
  | { image: 'pixels'; width: number; height: number; data: Uint8ClampedArray };

/** Inputs as they travel to the worker: text as is, numeric rows as Float32Array, images as a {@link WireImage}. */
export type WireInput = string | Float32Array | WireImage;

export interface Prediction {
  /** Unique id; pass it to `label()` so the log links the human decision to what was shown. */
  id: string;
  /** The most probable label, or null while the model has no labelled example. */
  label: string | null;
  /** Probability of `label` (0 when `label` is null). */
  confidence: number;
  /** A probability for every label; the values sum to 1. */
  scores: Record<string, number>;
  /** `confidence < threshold`, and always true without a model. */
  needsReview: boolean;
  /** Version of the trained model that answered; 0 before the first training. */
  modelVersion: number;
}

/** A prediction as the worker returns it: the handle adds `needsReview` from its own threshold. */
export type RawPrediction = Omit<Prediction, 'needsReview'>;

export interface LabelMeta {
  predictionId?: string;
  annotator?: string;
}

export interface LabelResult {
  /** Stable id of the stored example (a hash of the input): labelling the same input again replaces its label. */
  exampleId: string;
  /** True when this input already had a label and the new one replaced it. */
  replaced: boolean;
  examples: number;
}

/** A label a person gave, as stored. */
export interface StoredLabel {
  label: string;
  annotator?: string;
  /** When it was given, in ms since the epoch. */
  time: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  loss: number;
}

export interface TrainResult {
  modelVersion: number;
  examples: number;
  ms: number;
}

export interface Stats {
  examples: number;
  byLabel: Record<string, number>;
  modelVersion: number;
  backend: BackendName;
  /** True while a training run for this model is in progress. */
  training: boolean;
  /**
   * How well confidence matches accuracy on human labels the last training held out: the softmax temperature it
   * fitted and the expected calibration error before and after; null before a training with enough labels.
   */
  calibration: { temperature: number; heldOut: number; eceBefore: number; eceAfter: number } | null;
}

export interface OpenResult {
  key: string;
  /** Identifies this open() for close(): each handle's settings (such as autoTrain) count until it closes. */
  handle: string;
  labels: string[];
  backend: BackendName;
  modelVersion: number;
  examples: number;
}

/** Notifications the worker pushes to every page-side connection. */
export type EngineEvent =
  | { type: 'examples-changed'; key: string; examples: number }
  | { type: 'model-updated'; key: string; modelVersion: number }
  | { type: 'training'; key: string; running: boolean }
  | { type: 'reset'; key: string }
  | { type: 'labels-changed'; key: string; labels: string[] };

export interface OpenOptions {
  backend: BackendRequest;
  /** Retrain in the background this many ms after the last new label; 0 or less turns it off. */
  autoTrainDelayMs: number;
}

/** The engine worker's API, reached through Comlink. Methods take and return plain data only. */
export interface EngineApi {
  ping(): Promise<'pong'>;
  /** Registers a listener for engine events (a Comlink proxy on the page side). */
  subscribe(listener: (event: EngineEvent) => void): Promise<void>;
  open(spec: ModelSpec, options: OpenOptions): Promise<OpenResult>;
  predict(key: string, inputs: WireInput[]): Promise<RawPrediction[]>;
  label(key: string, input: WireInput, label: string, meta: LabelMeta): Promise<LabelResult>;
  train(key: string, runId: string, onProgress?: (progress: TrainProgress) => void): Promise<TrainResult>;
  cancelTrain(key: string, runId: string): Promise<void>;
  selectForReview(key: string, pool: WireInput[], k: number, strategy: ReviewStrategy): Promise<number[]>;
  /** Adds a class to a live model without losing the others; resolves with the new label list. */
  addLabel(key: string, label: string): Promise<string[]>;
  stats(key: string): Promise<Stats>;
  reset(key: string): Promise<void>;
  /** The human label stored for exactly this input, or null. */
  getLabel(key: string, input: WireInput): Promise<StoredLabel | null>;
  /** Releases one `open()`; the model's memory is freed when the last one is released. */
  close(key: string, handle: string): Promise<void>;
  /** Live TensorFlow.js tensors and bytes in the worker: for leak tests and benchmarks. */
  memory(): Promise<{ tensors: number; bytes: number }>;
}
