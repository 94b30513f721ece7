import {
  BACKEND_REQUESTS,
  INPUT_KINDS,
  STORAGE_KINDS,
  type BackendRequest,
  type FeatureExtractorSpec,
  type InputKind,
  type StorageKind,
  type TeachableMachineSpec,
  type TextEncoderSpec,
} from './protocol.js';
import { describe, oneOf, unknownKey, type EveryKey } from './checks.js';
import { DEFAULT_KEEP_VERSIONS } from './model-versions.js';

/** createClassifier's options: what a page passes to open a model. */
export interface ClassifierOptions {
  /** One model per (origin, name): every handle and element using this name shares it. */
  name: string;
  /**
   * At least two distinct, non-empty labels. Labels added later extend a stored model. With `teachableMachine` they
   * may be left out: the export's metadata.json gives them, and labels given here are added after them.
   */
  labels?: readonly string[];
  /** What the model classifies. Default `'text'`. */
  input?: InputKind;
  /** In (0, 1]; a prediction below it needs review. Default 0.8. */
  threshold?: number;
  /** Default `'auto'`: a real GPU through WebGPU, else WASM, WebGL, CPU. */
  backend?: BackendRequest;
  /** Default `'indexeddb'`; `'memory'` keeps nothing after the last handle closes or the page reloads. */
  storage?: StorageKind;
  /** Retrain in the background after new labels: `true` (default, after 1.5 s of quiet), `false`, or a delay in ms. */
  autoTrain?: boolean | number;
  /**
   * Image models only: transfer learning from a frozen TensorFlow.js layers or graph model the site hosts
   * (its model.json URL, resolved against the page). Same-origin unless `allowedOrigins` lists the model's origin.
   */
  featureExtractor?: string | FeatureExtractorSpec;
  /**
   * Text models only: a pretrained sentence encoder the site hosts (a TensorFlow.js graph model taking SentencePiece
   * ids, such as Universal Sentence Encoder lite, which `npx hitl-classifier copy-encoder` copies into a folder):
   * its model.json URL, resolved against the page. Its embeddings join the n-gram features, and each input's is
   * computed once and stored with the model. Same-origin unless `allowedOrigins` lists the model's origin.
   */
  textEncoder?: string | TextEncoderSpec;
  /**
   * Image models only: start from a Teachable Machine image export the site hosts (its folder, holding model.json,
   * weights.bin and metadata.json, or its model.json URL). Its backbone featurizes, its labels become the model's, and
   * its own head answers until a person's corrections train ours from it. Same-origin unless `allowedOrigins` lists
   * the export's origin.
   */
  teachableMachine?: string | TeachableMachineSpec;
  /**
   * Default true. False: store no raw input — examples keep their featurised vector (enough to retrain), the log
   * and the queue keep the input's hash. While any handle of a model says false, the model stores no inputs.
   */
  keepInputs?: boolean;
  /**
   * Keep labels, audit log entries and review-queue items for this many days, then delete them (in IndexedDB, for
   * real) when the model opens and hourly while it is open. Default: keep them until `reset()`. While several
   * handles of a model are open, the shortest period wins.
   */
  retentionDays?: number;
  /**
   * How many trained versions of the model to keep for `rollback()` (default 5; a whole number, 1 or more). The
   * served version is kept besides them. While several handles of a model are open, the largest number wins.
   */
  keepVersions?: number;
  /**
   * Let the model decide alone where the evidence says it may: the engine picks the threshold so that, with
   * probability at least `confidence`, at most `maxError` of the predictions it lets through are wrong (each in
   * (0, 1); `perClass: true` holds it among each predicted label's). Replaces `threshold`, which must then be left
   * out. Until spot checks give enough evidence, everything needs review (docs/review.md).
   */
  autoAccept?: { maxError: number; confidence: number; perClass?: boolean };
  /**
   * With `autoAccept`: the share of predictions sent to a person at random, as spot checks, once a threshold is
   * set (every prediction is one until then). In (0, 1]; default 0.05.
   */
  spotCheckRate?: number;
}

/** Every option createClassifier knows: an option added to ClassifierOptions but not here fails to compile. */
const KNOWN_OPTIONS: EveryKey<ClassifierOptions> = {
  name: true,
  labels: true,
  input: true,
  threshold: true,
  backend: true,
  storage: true,
  autoTrain: true,
  featureExtractor: true,
  textEncoder: true,
  teachableMachine: true,
  keepInputs: true,
  retentionDays: true,
  keepVersions: true,
  autoAccept: true,
  spotCheckRate: true,
};
const KNOWN_TEXT_ENCODER: EveryKey<TextEncoderSpec> = { url: true, vocabularyUrl: true, allowedOrigins: true };
const KNOWN_EXTRACTOR: EveryKey<FeatureExtractorSpec> = { url: true, allowedOrigins: true, inputRange: true, layer: true };
const KNOWN_TEACHABLE_MACHINE: EveryKey<TeachableMachineSpec> = { url: true, allowedOrigins: true };

/**
 * The first option createClassifier does not know, at the top or inside a spec object: where it is, its name and
 * the options known there (for `unknownOptionError`, which names the nearest). Null when every option is known.
 */
export function findUnknownOption(options: ClassifierOptions): [what: string, key: string, known: object] | null {
  if (options === null || typeof options !== 'object') return null;
  const places: [string, unknown, object][] = [
    ['createClassifier', options, KNOWN_OPTIONS],
    ['textEncoder', options.textEncoder, KNOWN_TEXT_ENCODER],
    ['featureExtractor', options.featureExtractor, KNOWN_EXTRACTOR],
    ['teachableMachine', options.teachableMachine, KNOWN_TEACHABLE_MACHINE],
  ];
  for (const [what, value, known] of places) {
    const key = value !== null && typeof value === 'object' ? unknownKey(value, known) : undefined;
    if (key !== undefined) return [what, key, known];
  }
  return null;
}

/** Background training's delay after the last label when `autoTrain` is true. */
const DEFAULT_AUTO_TRAIN_MS = 1500;

/** createClassifier's options checked, with their defaults filled in. */
export type ResolvedOptions = ReturnType<typeof resolveOptions>;

export function resolveOptions(options: ClassifierOptions) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`createClassifier expects an options object, got ${describe(options)}.`);
  }
  // A Teachable Machine export brings its own labels (metadata.json): then none need be given here.
  const {
    name,
    labels = options.teachableMachine === undefined ? undefined : [],
    input = 'text',
    threshold = 0.8,
    backend = 'auto',
    storage = 'indexeddb',
    autoTrain = true,
    keepInputs = true,
  } = options;
  if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${describe(name)}.`);
  if (name.trim() === '') throw new RangeError('name must not be empty.');
  if (!Array.isArray(labels)) throw new TypeError(`labels must be an array of strings, got ${describe(labels)}.`);
  labels.forEach((label: unknown, i) => {
    if (typeof label !== 'string') throw new TypeError(`labels[${i}] must be a string, got ${describe(label)}.`);
    if (label.trim() === '') throw new RangeError(`labels[${i}] must not be empty.`);
  });
  if (labels.length < 2 && options.teachableMachine === undefined) {
    throw new RangeError(`labels must hold at least 2 labels, got ${labels.length}.`);
  }
  const duplicate = labels.find((label, i) => labels.indexOf(label) !== i);
  if (duplicate !== undefined) throw new RangeError(`labels must be distinct; ${JSON.stringify(duplicate)} appears twice.`);
  oneOf('input', input, INPUT_KINDS);
  if (typeof threshold !== 'number') throw new TypeError(`threshold must be a number, got ${describe(threshold)}.`);
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${threshold}.`);
  oneOf('backend', backend, BACKEND_REQUESTS);
  oneOf('storage', storage, STORAGE_KINDS);
  let autoTrainDelayMs: number;
  if (typeof autoTrain === 'boolean') autoTrainDelayMs = autoTrain ? DEFAULT_AUTO_TRAIN_MS : 0;
  else if (typeof autoTrain === 'number' && Number.isFinite(autoTrain) && autoTrain >= 0) autoTrainDelayMs = autoTrain;
  else throw new TypeError(`autoTrain must be a boolean or a delay in ms ≥ 0, got ${describe(autoTrain)}.`);
  if (typeof keepInputs !== 'boolean') throw new TypeError(`keepInputs must be a boolean, got ${describe(keepInputs)}.`);
  const { retentionDays } = options;
  if (retentionDays !== undefined) {
    if (typeof retentionDays !== 'number') throw new TypeError(`retentionDays must be a number of days, got ${describe(retentionDays)}.`);
    if (!(Number.isFinite(retentionDays) && retentionDays > 0))
      throw new RangeError(`retentionDays must be a finite number of days above 0, got ${retentionDays}.`);
  }
  // Checked in the worker when the model opens (assertKeepVersions): the page's entry carries no check of its own.
  const { keepVersions = DEFAULT_KEEP_VERSIONS } = options;
  const featureExtractor = resolveExtractor(options.featureExtractor, input);
  const textEncoder = resolveTextEncoder(options.textEncoder, input);
  const teachableMachine = resolveTeachableMachine(options.teachableMachine, input, featureExtractor);
  return {
    name,
    labels: [...labels],
    input,
    threshold,
    backend,
    storage,
    autoTrainDelayMs,
    featureExtractor,
    textEncoder,
    teachableMachine,
    keepInputs,
    retentionDays,
    keepVersions,
  };
}

/** Both URLs resolved against the page, as the feature extractor's; the vocabulary's default is left to the worker. */
export function resolveTextEncoder(value: ClassifierOptions['textEncoder'], input: InputKind): TextEncoderSpec | undefined {
  if (value === undefined) return undefined;
  if (input !== 'text') throw new TypeError(`textEncoder is for input: 'text' only; this model's input is '${input}'.`);
  const spec = typeof value === 'string' ? { url: value } : value;
  if (spec === null || typeof spec !== 'object' || typeof spec.url !== 'string' || spec.url.trim() === '') {
    throw new TypeError(`textEncoder must be a model.json URL or { url, vocabularyUrl?, allowedOrigins? }, got ${describe(value)}.`);
  }
  const absolute = (what: string, url: string) => {
    try {
      return new URL(url, document.baseURI).href;
    } catch (error) {
      throw new TypeError(`${what} ${JSON.stringify(url)} is not a valid URL.`, { cause: error });
    }
  };
  const resolved: TextEncoderSpec = { url: absolute('textEncoder URL', spec.url) };
  if (spec.vocabularyUrl !== undefined) {
    if (typeof spec.vocabularyUrl !== 'string' || spec.vocabularyUrl.trim() === '') {
      throw new TypeError(`textEncoder.vocabularyUrl must be the URL of the encoder's vocab.json, got ${describe(spec.vocabularyUrl)}.`);
    }
    resolved.vocabularyUrl = absolute('textEncoder.vocabularyUrl', spec.vocabularyUrl);
  }
  if (spec.allowedOrigins !== undefined) {
    if (!Array.isArray(spec.allowedOrigins) || spec.allowedOrigins.some((o) => typeof o !== 'string')) {
      throw new TypeError(`textEncoder.allowedOrigins must be an array of origins, got ${describe(spec.allowedOrigins)}.`);
    }
    resolved.allowedOrigins = [...spec.allowedOrigins];
  }
  return resolved;
}

/** Resolves the model URL against the page: in the worker a relative URL would resolve against the worker script. */
export function resolveExtractor(value: ClassifierOptions['featureExtractor'], input: InputKind): FeatureExtractorSpec | undefined {
  if (value === undefined) return undefined;
  if (input !== 'image') throw new TypeError(`featureExtractor is for input: 'image' only; this model's input is '${input}'.`);
  const spec = typeof value === 'string' ? { url: value } : value;
  if (spec === null || typeof spec !== 'object' || typeof spec.url !== 'string' || spec.url.trim() === '') {
    throw new TypeError(`featureExtractor must be a model.json URL or { url, allowedOrigins?, inputRange?, layer? }, got ${describe(value)}.`);
  }
  let url: string;
  try {
    url = new URL(spec.url, document.baseURI).href;
  } catch (error) {
    throw new TypeError(`featureExtractor URL ${JSON.stringify(spec.url)} is not a valid URL.`, { cause: error });
  }
  const resolved: FeatureExtractorSpec = { url };
  if (spec.allowedOrigins !== undefined) {
    if (!Array.isArray(spec.allowedOrigins) || spec.allowedOrigins.some((o) => typeof o !== 'string')) {
      throw new TypeError(`featureExtractor.allowedOrigins must be an array of origins, got ${describe(spec.allowedOrigins)}.`);
    }
    resolved.allowedOrigins = [...spec.allowedOrigins];
  }
  if (spec.inputRange !== undefined) {
    const range = spec.inputRange as unknown;
    if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || range[0] === range[1]) {
      throw new RangeError(`featureExtractor.inputRange must be two different finite numbers such as [0, 1] or [-1, 1], got ${describe(range)}.`);
    }
    resolved.inputRange = [range[0] as number, range[1] as number];
  }
  if (spec.layer !== undefined) {
    if (typeof spec.layer !== 'string' || spec.layer.trim() === '') {
      throw new TypeError(`featureExtractor.layer must be the name of a layer of the model, got ${describe(spec.layer)}.`);
    }
    resolved.layer = spec.layer;
  }
  return resolved;
}

/** The export's URL resolved against the page, as the feature extractor's. */
export function resolveTeachableMachine(
  value: ClassifierOptions['teachableMachine'],
  input: InputKind,
  featureExtractor: FeatureExtractorSpec | undefined,
): TeachableMachineSpec | undefined {
  if (value === undefined) return undefined;
  if (input !== 'image') throw new TypeError(`teachableMachine is for input: 'image' only; this model's input is '${input}'.`);
  if (featureExtractor) throw new TypeError('Pass teachableMachine or featureExtractor, not both: the export brings its own feature extractor.');
  const spec = typeof value === 'string' ? { url: value } : value;
  if (spec === null || typeof spec !== 'object' || typeof spec.url !== 'string' || spec.url.trim() === '') {
    throw new TypeError(
      `teachableMachine must be the URL of a Teachable Machine export's folder or model.json, or { url, allowedOrigins? }, got ${describe(value)}.`,
    );
  }
  let url: string;
  try {
    url = new URL(spec.url, document.baseURI).href;
  } catch (error) {
    throw new TypeError(`teachableMachine URL ${JSON.stringify(spec.url)} is not a valid URL.`, { cause: error });
  }
  const resolved: TeachableMachineSpec = { url };
  if (spec.allowedOrigins !== undefined) {
    if (!Array.isArray(spec.allowedOrigins) || spec.allowedOrigins.some((o) => typeof o !== 'string')) {
      throw new TypeError(`teachableMachine.allowedOrigins must be an array of origins, got ${describe(spec.allowedOrigins)}.`);
    }
    resolved.allowedOrigins = [...spec.allowedOrigins];
  }
  return resolved;
}
