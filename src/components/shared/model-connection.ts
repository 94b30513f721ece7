import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ClassifierChangeEvent, type Classifier } from '../../classifier.js';
import {
  BACKEND_REQUESTS,
  INPUT_KINDS,
  STORAGE_KINDS,
  modelKey,
  type BackendRequest,
  type EngineEvent,
  type InputKind,
  type StorageKind,
} from '../../protocol.js';
import { acquireClassifier, joinClassifier, onModelOpened, releaseClassifier } from '../../registry.js';
import { format } from './strings.js';

/** The messages a model-bound element shows about its attributes and its model; `{…}` are placeholders. */
export interface ConnectionStrings {
  /** No `model` attribute. */
  missingModel: string;
  /** `storage` is not one of `{options}`; `{value}` is what was given. */
  badStorage: string;
  /** `backend` is not one of `{options}`; `{value}` is what was given. */
  badBackend: string;
  /** `input` is not one of `{options}`; `{value}` is what was given. */
  badInput: string;
  /** Only one label, `{label}`. */
  tooFewLabels: string;
  /** `{label}` appears twice in `labels`. */
  duplicateLabel: string;
  /** Nobody on the page opened the model `{model}` yet. */
  waiting: string;
  /** The model `{model}` takes `{actual}` input, not `{expected}`. */
  wrongInput: string;
  /** Opening the model `{model}` failed with `{reason}`. */
  openFailed: string;
}

export const CONNECTION_STRINGS: ConnectionStrings = {
  missingModel: 'Set the model attribute to the name of the model, for example model="tickets".',
  badStorage: 'Set storage to one of {options} (got "{value}").',
  badBackend: 'Set backend to one of {options} (got "{value}").',
  badInput: 'Set input to one of {options} (got "{value}").',
  tooFewLabels: 'Set labels to at least 2 comma-separated labels, or leave it out to join the open model (got only "{label}").',
  duplicateLabel: 'Each label must appear once in labels, but "{label}" appears twice.',
  waiting: 'Waiting for the model "{model}" to open: set labels (and input) on this element to open it here.',
  wrongInput: 'The model "{model}" takes {actual} input, not {expected}.',
  openFailed: 'Could not open the model "{model}": {reason}',
};

/** The attributes every model-bound element reads. */
export interface ModelAttributes {
  model: string;
  labels: string[];
  input: InputKind | undefined;
  storage: StorageKind;
  backend: BackendRequest;
}

type Message = { key: keyof ConnectionStrings; values: Record<string, string> };

type Config =
  { error: Message } | { name: string; storage: StorageKind; backend: BackendRequest; labels: string[] | null; input: InputKind | undefined };

export const labelsConverter = {
  fromAttribute: (value: string | null): string[] => splitLabels(value ?? ''),
  toAttribute: (value: readonly string[]): string => value.join(','),
};

export function splitLabels(value: string): string[] {
  return value
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Holds a shared classifier handle for an element that names a model: opened with the element's `labels` and
 * `input` when it has them, else joined from another element (a `<hitl-classifier>`) that opened it on this page,
 * waiting for one to do so. What `hostConnected` acquires, `hostDisconnected` releases.
 */
export class ModelConnection implements ReactiveController {
  /** The shared handle, or null while connecting, waiting or in error. */
  classifier: Classifier | null = null;
  /** Why there is no handle: bad attributes, a failed open, or a model nobody opened yet (in the current strings). */
  get message(): string | null {
    return this.#message && format(this.#strings()[this.#message.key], this.#message.values);
  }
  /** True when `message` is an error rather than a wait. */
  failed = false;

  readonly #host: ReactiveControllerHost & HTMLElement & ModelAttributes;
  readonly #onEvent: (event: EngineEvent) => void;
  readonly #onConnected: (classifier: Classifier) => void;
  readonly #strings: () => ConnectionStrings;
  /** Kept unformatted, so new strings apply to a message already shown. */
  #message: Message | null = null;
  #key: string | null = null;
  #connection = 0;
  #stopWaiting: (() => void) | null = null;

  constructor(
    host: ReactiveControllerHost & HTMLElement & ModelAttributes,
    callbacks: { onEvent: (event: EngineEvent) => void; onConnected: (classifier: Classifier) => void; strings: () => ConnectionStrings },
  ) {
    this.#host = host;
    this.#onEvent = callbacks.onEvent;
    this.#onConnected = callbacks.onConnected;
    this.#strings = callbacks.strings;
    host.addController(this);
  }

  hostConnected(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.#drop();
    this.#key = null;
  }

  /** Call when the model attributes may have changed: a no-op unless they did. */
  sync(): void {
    if (!this.#host.isConnected) return;
    const config = this.#readConfig();
    const key = JSON.stringify(config);
    if (key === this.#key) return;
    this.#drop();
    this.#key = key;
    if ('error' in config) {
      this.#set(null, config.error, true);
      return;
    }
    const connection = this.#connection;
    const { name, storage, backend, labels, input } = config;
    const opening = labels ? acquireClassifier({ name, storage, backend, labels, ...(input ? { input } : {}) }) : joinClassifier(name, storage);
    this.#set(null, null, false);
    opening.then(
      (classifier) => {
        if (connection !== this.#connection) {
          if (classifier) releaseClassifier(classifier);
          return;
        }
        if (!classifier) {
          this.#set(null, { key: 'waiting', values: { model: name } }, false);
          this.#stopWaiting = onModelOpened((opened) => {
            if (opened !== modelKey({ name, storage }) || connection !== this.#connection) return;
            this.#key = null;
            this.sync();
          });
          return;
        }
        if (input && classifier.input !== input) {
          releaseClassifier(classifier);
          this.#set(null, { key: 'wrongInput', values: { model: name, actual: classifier.input, expected: input } }, true);
          return;
        }
        classifier.addEventListener('change', this.#onChange);
        this.#set(classifier, null, false);
        this.#onConnected(classifier);
      },
      (error: unknown) => {
        if (connection === this.#connection) this.#set(null, { key: 'openFailed', values: { model: name, reason: messageOf(error) } }, true);
      },
    );
  }

  #readConfig(): Config {
    const host = this.#host;
    const name = typeof host.model === 'string' ? host.model.trim() : '';
    if (name === '') return { error: { key: 'missingModel', values: {} } };
    const storage = host.storage ?? 'indexeddb';
    if (!STORAGE_KINDS.includes(storage))
      return { error: { key: 'badStorage', values: { options: STORAGE_KINDS.join(', '), value: String(storage) } } };
    const backend = host.backend ?? 'auto';
    if (!BACKEND_REQUESTS.includes(backend))
      return { error: { key: 'badBackend', values: { options: BACKEND_REQUESTS.join(', '), value: String(backend) } } };
    const input = host.input || undefined;
    if (input !== undefined && !INPUT_KINDS.includes(input))
      return { error: { key: 'badInput', values: { options: INPUT_KINDS.join(', '), value: String(input) } } };
    const raw: unknown = host.labels;
    const labels = typeof raw === 'string' ? splitLabels(raw) : Array.isArray(raw) ? raw.map((l) => String(l).trim()).filter((l) => l !== '') : [];
    if (labels.length === 0) return { name, storage, backend, labels: null, input };
    if (labels.length < 2) return { error: { key: 'tooFewLabels', values: { label: labels[0]! } } };
    const duplicate = labels.find((label, i) => labels.indexOf(label) !== i);
    if (duplicate !== undefined) return { error: { key: 'duplicateLabel', values: { label: duplicate } } };
    return { name, storage, backend, labels, input };
  }

  readonly #onChange = (event: Event): void => {
    if (event instanceof ClassifierChangeEvent) this.#onEvent(event.change);
  };

  #set(classifier: Classifier | null, message: Message | null, failed: boolean): void {
    this.classifier = classifier;
    this.#message = message;
    this.failed = failed;
    this.#host.requestUpdate();
  }

  #drop(): void {
    this.#connection += 1;
    this.#stopWaiting?.();
    this.#stopWaiting = null;
    const classifier = this.classifier;
    this.classifier = null;
    if (!classifier) return;
    classifier.removeEventListener('change', this.#onChange);
    releaseClassifier(classifier);
  }
}
