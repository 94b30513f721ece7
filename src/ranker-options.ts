import { describe, oneOf, unknownKey, type EveryKey } from './checks.js';
import { resolveExtractor, resolveTextEncoder } from './classifier-options.js';
import {
  BACKEND_REQUESTS,
  INPUT_KINDS,
  STORAGE_KINDS,
  type BackendRequest,
  type FeatureExtractorSpec,
  type InputKind,
  type StorageKind,
  type TextEncoderSpec,
} from './protocol.js';

/** createRanker's options: createClassifier's, less the labels and everything about them. */
export interface RankerOptions {
  /** One ranker per (origin, name); it lives in the database of that name, beside a classifier of the same name. */
  name: string;
  /** What is compared. Default `'text'`. */
  input?: InputKind;
  /** Default `'auto'`. */
  backend?: BackendRequest;
  /** Default `'indexeddb'`; `'memory'` keeps nothing after the last handle closes. */
  storage?: StorageKind;
  /**
   * Every comparison is learnt from at once; besides, after this quiet (default `true`: 1.5 s; `false` or 0: never)
   * the ranker retrains, choosing its regularisation by the model's evidence and refreshing `stats()`'s held-out figures.
   */
  autoTrain?: boolean | number;
  /** Text rankers only: a pretrained sentence encoder the site hosts, as for createClassifier. */
  textEncoder?: string | TextEncoderSpec;
  /** Image rankers only: a frozen model the site hosts as the feature extractor, as for createClassifier. */
  featureExtractor?: string | FeatureExtractorSpec;
  /** Default true. False: comparisons keep the items' vectors and hashes, never the raw inputs. */
  keepInputs?: boolean;
  /** Delete comparisons and log entries older than this many days, on open and hourly. */
  retentionDays?: number;
}

const KNOWN: EveryKey<RankerOptions> = {
  name: true,
  input: true,
  backend: true,
  storage: true,
  autoTrain: true,
  textEncoder: true,
  featureExtractor: true,
  keepInputs: true,
  retentionDays: true,
};

const DEFAULT_AUTO_TRAIN_MS = 1500;

/** Thrown by resolveRankerOptions for an option nobody knows; openRanker turns it into the full TypeError. */
export class UnknownRankerOption extends Error {
  constructor(
    readonly key: string,
    readonly known: object,
  ) {
    super(`createRanker has no option ${JSON.stringify(key)}.`);
  }
}

export type ResolvedRankerOptions = ReturnType<typeof resolveRankerOptions>;

/** createRanker's options checked, with their defaults: each error names the option and what was expected. */
export function resolveRankerOptions(options: RankerOptions) {
  if (options === null || typeof options !== 'object') throw new TypeError(`createRanker expects an options object, got ${describe(options)}.`);
  const unknown = unknownKey(options, KNOWN);
  // The message naming the nearest option loads only then (unknown-option.ts), as createClassifier's does.
  if (unknown !== undefined) throw new UnknownRankerOption(unknown, KNOWN);
  const { name, input = 'text', backend = 'auto', storage = 'indexeddb', autoTrain = true, keepInputs = true, retentionDays } = options;
  if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${describe(name)}.`);
  if (name.trim() === '') throw new RangeError('name must not be empty.');
  oneOf('input', input, INPUT_KINDS);
  oneOf('backend', backend, BACKEND_REQUESTS);
  oneOf('storage', storage, STORAGE_KINDS);
  let autoTrainDelayMs: number;
  if (typeof autoTrain === 'boolean') autoTrainDelayMs = autoTrain ? DEFAULT_AUTO_TRAIN_MS : 0;
  else if (typeof autoTrain === 'number' && Number.isFinite(autoTrain) && autoTrain >= 0) autoTrainDelayMs = autoTrain;
  else throw new TypeError(`autoTrain must be a boolean or a delay in ms ≥ 0, got ${describe(autoTrain)}.`);
  if (typeof keepInputs !== 'boolean') throw new TypeError(`keepInputs must be a boolean, got ${describe(keepInputs)}.`);
  if (retentionDays !== undefined) {
    if (typeof retentionDays !== 'number') throw new TypeError(`retentionDays must be a number of days, got ${describe(retentionDays)}.`);
    if (!(Number.isFinite(retentionDays) && retentionDays > 0))
      throw new RangeError(`retentionDays must be a finite number of days above 0, got ${retentionDays}.`);
  }
  return {
    name,
    input,
    backend,
    storage,
    autoTrainDelayMs,
    keepInputs,
    retentionDays,
    textEncoder: resolveTextEncoder(options.textEncoder, input),
    featureExtractor: resolveExtractor(options.featureExtractor, input),
  };
}
