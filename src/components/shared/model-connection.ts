import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ClassifierChangeEvent, type Classifier, type ClassifierOptions } from '../../classifier.js';
import { HitlErrorEvent } from '../../events.js';
import {
  BACKEND_REQUESTS,
  INPUT_KINDS,
  STORAGE_KINDS,
  type BackendRequest,
  type EngineEvent,
  type InputKind,
  type StorageKind,
} from '../../protocol.js';
import { SETTING_CONFLICT, acquireClassifier, releaseClassifier } from '../../registry.js';

export type { ConnectionStrings } from './connection.strings.js';

/** The attributes every model-bound element reads; `input` and `textEncoder` where the element has them. */
export interface ModelAttributes {
  model: string;
  labels: string[];
  input?: InputKind | undefined;
  /** The model.json URL of a text encoder the element opens its model with. */
  textEncoder?: string | undefined;
  /** The folder (or model.json) URL of a Teachable Machine export the element opens its image model from. */
  teachableMachine?: string | undefined;
  storage: StorageKind;
  backend: BackendRequest;
  /** Model-wide options (createClassifier's); left undefined, the model's own setting stands. */
  featureExtractor?: string | undefined;
  autoTrain?: boolean | number | undefined;
  keepInputs?: boolean | undefined;
  retentionDays?: number | undefined;
  /** Trained versions kept for rollback; the model keeps the most any open handle asks for. */
  keepVersions?: number | undefined;
}

/** Model-wide options an element passes when it opens its model, those it sets only: another tag may have set them. */
type ModelWide = Pick<ClassifierOptions, 'featureExtractor' | 'autoTrain' | 'keepInputs' | 'retentionDays' | 'keepVersions'>;

/** An attribute that is `true`/`false` (empty is true); anything else is kept as written, for createClassifier to reject by name. */
function flag(value: string | null): unknown {
  return value === null ? undefined : value === '' || value === 'true' ? true : value === 'false' ? false : value;
}

/** The attributes whose change may mean another model, or another way to open it: the connection syncs on them. */
export const MODEL_ATTRIBUTES = [
  'model',
  'labels',
  'input',
  'storage',
  'backend',
  'textEncoder',
  'teachableMachine',
  'featureExtractor',
  'autoTrain',
  'keepInputs',
  'retentionDays',
  'keepVersions',
] as const;

/** `keep-inputs="false"`. */
export const flagConverter = { fromAttribute: flag };

/** `auto-train="false"`, `auto-train` (on) or `auto-train="3000"` (a delay in ms). */
export const autoTrainConverter = {
  fromAttribute: (value: string | null): unknown =>
    value !== null && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : flag(value),
};

/**
 * Why an element has no handle, kept unformatted so that new strings apply to a message already shown: `key` names
 * a string of the element (`ConnectionStrings`, or one of the element's own checks), `values` fill its placeholders.
 */
export interface ConnectionMessage {
  key: string;
  values: Record<string, string>;
}

export interface ConnectionOptions {
  /** A handle is held: the element may read and predict. */
  onConnected(classifier: Classifier): void;
  /** Every change of the model while the handle is held. */
  onEvent(event: EngineEvent): void;
  /** The text of a message in the element's current strings. */
  describe(message: ConnectionMessage): string;
  /** The element's model configuration changed (not a move in the DOM): what it showed for the previous one is void. */
  onConfigChange?(): void;
  /** The input kind, where the element decides it from what it shows rather than from an `input` attribute. */
  input?(): InputKind;
  /**
   * Without labels, joins the model another element opened (`joinOpenedModel`): null while none has, and `retry`
   * once one may have. Elements without it always open their model, so they need labels.
   */
  join?(name: string, storage: StorageKind, signal: AbortSignal, retry: () => void): Promise<Classifier | null>;
  /** The element's own attribute checks, after the shared ones: the first problem, or null. */
  check?(): ConnectionMessage | null;
  /** Options that do not make another model (the first opener's threshold wins), passed when this element opens it. */
  openOptions?(): Partial<ClassifierOptions>;
}

type Config =
  | { error: ConnectionMessage }
  | {
      name: string;
      storage: StorageKind;
      backend: BackendRequest;
      labels: string[] | null;
      input: InputKind | undefined;
      /** Part of the configuration: another encoder is another featurizer, so a change reopens the model. */
      textEncoder: string | undefined;
      /** Likewise: another export is another featurizer. With one, labels may be left out (its metadata names them). */
      teachableMachine: string | undefined;
      wide: ModelWide;
    };

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

/** The message `key` when `value` is not one of `options`, else null. */
export function notOneOf(key: string, value: unknown, options: readonly string[]): ConnectionMessage | null {
  return options.includes(value as string) ? null : { key, values: { options: options.join(', '), value: String(value) } };
}

/** `url` resolved against the page as createClassifier resolves it; null without one, the text itself when it is no URL. */
function absoluteUrl(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    return new URL(url, document.baseURI).href;
  } catch {
    return url;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Holds a shared classifier handle for an element that names a model: opened with the element's `labels` and
 * `input` when it has them, else (with a `join` option) joined from another element that opened it on this page,
 * waiting for one to do so. What `hostConnected` acquires, `hostDisconnected` releases.
 */
export class ModelConnection implements ReactiveController {
  /** The shared handle, or null while connecting, waiting or in error. */
  classifier: Classifier | null = null;
  /** True when `message` is an error rather than a wait. */
  failed = false;
  /** The labels the attributes name (empty while they are wrong or name none). */
  labels: readonly string[] = [];

  readonly #host: ReactiveControllerHost & HTMLElement & ModelAttributes;
  readonly #options: ConnectionOptions;
  #message: ConnectionMessage | null = null;
  /** The configuration of the held (or pending) handle; null while disconnected. */
  #key: string | null = null;
  /** The configuration last read, kept while disconnected: a move in the DOM reads the same one again. */
  #lastKey: string | null = null;
  #abort = new AbortController();

  constructor(host: ReactiveControllerHost & HTMLElement & ModelAttributes, options: ConnectionOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** Why there is no handle: bad attributes, a failed open, or a model nobody opened yet (in the current strings). */
  get message(): string | null {
    return this.#message && this.#options.describe(this.#message);
  }

  /** Aborted when the handle (held or on its way) is let go: an answer that arrives after that is for another one. */
  get signal(): AbortSignal {
    return this.#abort.signal;
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
    if (key !== this.#lastKey) {
      this.#lastKey = key;
      this.#options.onConfigChange?.();
    }
    if ('error' in config) {
      this.labels = [];
      this.#set(null, config.error, true, new TypeError(this.#options.describe(config.error)));
      return;
    }
    const signal = this.#abort.signal;
    const { name, storage, backend, labels, input, textEncoder, teachableMachine, wide } = config;
    this.labels = labels ?? [];
    const opening = labels
      ? acquireClassifier({
          ...this.#options.openOptions?.(),
          name,
          storage,
          backend,
          labels,
          ...(input ? { input } : {}),
          ...(textEncoder ? { textEncoder } : {}),
          ...(teachableMachine ? { teachableMachine } : {}),
          ...wide,
        })
      : this.#options.join!(name, storage, signal, () => {
          this.#key = null;
          this.sync();
        });
    this.#set(null, null, false);
    opening.then(
      (classifier) => {
        if (signal.aborted) {
          if (classifier) releaseClassifier(classifier);
          return;
        }
        if (!classifier) {
          this.#set(null, { key: 'waiting', values: { model: name } }, false);
          return;
        }
        if (input && classifier.input !== input) {
          releaseClassifier(classifier);
          this.#fail({ key: 'wrongInput', values: { model: name, actual: classifier.input, expected: input } });
          return;
        }
        // A handle shared on this page was opened by the first element: one with another encoder cannot use it.
        const encoder = labels ? absoluteUrl(textEncoder) : undefined;
        if (labels && encoder !== (classifier.textEncoder?.url ?? null)) {
          releaseClassifier(classifier);
          const reason = `it is open on this page with textEncoder ${JSON.stringify(classifier.textEncoder?.url ?? null)}, not ${JSON.stringify(encoder)}`;
          this.#fail({ key: 'openFailed', values: { model: name, reason } });
          return;
        }
        const exported = labels ? absoluteUrl(teachableMachine) : undefined;
        if (labels && exported !== (classifier.teachableMachine?.url ?? null)) {
          releaseClassifier(classifier);
          const reason = `it is open on this page with teachableMachine ${JSON.stringify(classifier.teachableMachine?.url ?? null)}, not ${JSON.stringify(exported)}`;
          this.#fail({ key: 'openFailed', values: { model: name, reason } });
          return;
        }
        // An export names its own labels: the element offers the model's (the export's first, then the attribute's).
        if (teachableMachine) this.labels = classifier.labels;
        classifier.addEventListener('change', this.#onChange);
        classifier.addEventListener(SETTING_CONFLICT, this.#onConflict);
        this.#set(classifier, null, false);
        this.#options.onConnected(classifier);
      },
      (error: unknown) => {
        if (!signal.aborted) this.#set(null, { key: 'openFailed', values: { model: name, reason: messageOf(error) } }, true, error);
      },
    );
  }

  #readConfig(): Config {
    const host = this.#host;
    const name = typeof host.model === 'string' ? host.model.trim() : '';
    if (name === '') return { error: { key: 'missingModel', values: {} } };
    const storage = host.storage ?? 'indexeddb';
    const backend = host.backend ?? 'auto';
    const input = this.#options.input?.() ?? (host.input || undefined);
    const textEncoder = typeof host.textEncoder === 'string' && host.textEncoder.trim() !== '' ? host.textEncoder.trim() : undefined;
    const teachableMachine =
      typeof host.teachableMachine === 'string' && host.teachableMachine.trim() !== '' ? host.teachableMachine.trim() : undefined;
    const wide: ModelWide = {};
    for (const key of ['featureExtractor', 'autoTrain', 'keepInputs', 'retentionDays', 'keepVersions'] as const) {
      const value = host[key];
      if (value !== undefined && value !== null && value !== '') (wide as Record<string, unknown>)[key] = value;
    }
    const bad =
      notOneOf('badStorage', storage, STORAGE_KINDS) ??
      notOneOf('badBackend', backend, BACKEND_REQUESTS) ??
      (input === undefined ? null : notOneOf('badInput', input, INPUT_KINDS));
    if (bad) return { error: bad };
    const raw: unknown = host.labels;
    const labels = typeof raw === 'string' ? splitLabels(raw) : Array.isArray(raw) ? raw.map((l) => String(l).trim()).filter((l) => l !== '') : [];
    if (labels.length === 0 && this.#options.join && !teachableMachine)
      return { name, storage, backend, labels: null, input, textEncoder, teachableMachine, wide };
    if (labels.length < 2 && !teachableMachine) return { error: { key: 'tooFewLabels', values: labels.length === 0 ? {} : { label: labels[0]! } } };
    const duplicate = labels.find((label, i) => labels.indexOf(label) !== i);
    if (duplicate !== undefined) return { error: { key: 'duplicateLabel', values: { label: duplicate } } };
    const problem = this.#options.check?.();
    if (problem) return { error: problem };
    return { name, storage, backend, labels, input, textEncoder, teachableMachine, wide };
  }

  readonly #onChange = (event: Event): void => {
    if (!(event instanceof ClassifierChangeEvent)) return;
    const { change } = event;
    // Every element of the model tells its page: a page may show only some of them.
    if (change.type === 'storage-error') this.#host.dispatchEvent(new HitlErrorEvent('storage', new Error(change.message)));
    if (change.type === 'engine-restarted') this.#host.dispatchEvent(new HitlErrorEvent('engine', new Error(change.message)));
    this.#options.onEvent(change);
  };

  /**
   * Another element asked for another value of a model-wide option: this one shows the conflict too, if it set that
   * option itself (a tag that left it out is not part of the conflict), until its attributes change.
   */
  readonly #onConflict = (event: Event): void => {
    const { error, option } = (event as CustomEvent<{ error: Error; option: string }>).detail;
    const own: unknown = (this.#host as unknown as Record<string, unknown>)[option];
    if (own === undefined || own === null || own === '' || (option === 'backend' && own === 'auto')) return;
    this.#set(null, { key: 'openFailed', values: { model: this.#host.model, reason: error.message } }, true, error);
  };

  /** A handle that does not fit this element's attributes: shown as an open failure. */
  #fail(message: ConnectionMessage): void {
    this.#set(null, message, true, new TypeError(this.#options.describe(message)));
  }

  /** With `error`, the host fires `hitl-error` (phase `open`) after the current task's code, so a listener added just after the element is connected hears it. */
  #set(classifier: Classifier | null, message: ConnectionMessage | null, failed: boolean, error?: unknown): void {
    this.classifier = classifier;
    this.#message = message;
    this.failed = failed;
    this.#host.requestUpdate();
    if (error !== undefined) {
      const signal = this.#abort.signal;
      queueMicrotask(() => {
        if (!signal.aborted) this.#host.dispatchEvent(new HitlErrorEvent('open', error));
      });
    }
  }

  #drop(): void {
    this.#abort.abort();
    this.#abort = new AbortController();
    const classifier = this.classifier;
    this.classifier = null;
    if (!classifier) return;
    classifier.removeEventListener('change', this.#onChange);
    classifier.removeEventListener(SETTING_CONFLICT, this.#onConflict);
    releaseClassifier(classifier);
  }
}
