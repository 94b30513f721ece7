/**
 * Opening a model on the engine worker: the same spec and options on the first open (createClassifier) and on the
 * reopen after a worker crash, so the two cannot drift apart.
 */
import { engine } from './engine-client.js';
import type { ClassifierOptions } from './classifier-options.js';
import type {
  AutoAcceptSettings,
  BackendName,
  BackendRequest,
  FeatureExtractorSpec,
  InputKind,
  ModelSpec,
  OpenOptions,
  StorageKind,
  TeachableMachineSpec,
  TextEncoderSpec,
} from './protocol.js';

export interface SpecParts {
  name: string;
  labels: string[];
  input: InputKind;
  storage: StorageKind;
  featureExtractor?: FeatureExtractorSpec | null | undefined;
  textEncoder?: TextEncoderSpec | null | undefined;
  teachableMachine?: TeachableMachineSpec | null | undefined;
}

export function modelSpec(parts: SpecParts): ModelSpec {
  const spec: ModelSpec = { name: parts.name, labels: parts.labels, input: parts.input, storage: parts.storage };
  if (parts.featureExtractor) spec.featureExtractor = parts.featureExtractor;
  if (parts.textEncoder) spec.textEncoder = parts.textEncoder;
  if (parts.teachableMachine) spec.teachableMachine = parts.teachableMachine;
  return spec;
}

export function openOptions(parts: {
  backend: BackendRequest;
  autoTrainDelayMs: number;
  keepInputs: boolean;
  retentionDays: number | null | undefined;
  keepVersions?: number | undefined;
}): OpenOptions {
  const options: OpenOptions = { backend: parts.backend, autoTrainDelayMs: parts.autoTrainDelayMs, keepInputs: parts.keepInputs };
  if (parts.keepVersions !== undefined) options.keepVersions = parts.keepVersions;
  if (parts.retentionDays !== null && parts.retentionDays !== undefined) options.retentionDays = parts.retentionDays;
  return options;
}

/** The generation is read before the call: a crash during the open leaves the handle on the old one, to reopen. */
export async function openOn(spec: ModelSpec, options: OpenOptions) {
  const connection = engine.current();
  const generation = engine.generation;
  const opened = await connection.call((api) => api.open(spec, options));
  return { ...opened, generation };
}

/** What a handle is built from: createClassifier's resolved options, auto-accept settled. */
export type ClassifierInit = Required<
  Omit<ClassifierOptions, 'autoTrain' | 'featureExtractor' | 'textEncoder' | 'teachableMachine' | 'retentionDays' | 'autoAccept' | 'spotCheckRate'>
> & {
  autoAccept?: AutoAcceptSettings | undefined;
  autoTrainDelayMs: number;
  teachableMachine?: TeachableMachineSpec | undefined;
  featureExtractor: FeatureExtractorSpec | undefined;
  textEncoder: TextEncoderSpec | undefined;
  retentionDays: number | undefined;
};

/** The worker's answer to an open, with the worker generation it came from. */
export interface OpenedModel {
  labels: string[];
  backend: BackendName;
  generation: number;
  handle: string;
  persistent: boolean;
  storageProblem?: string;
}
