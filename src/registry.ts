import { createClassifier, type Classifier, type ClassifierOptions } from './classifier.js';
import { modelKey, type StorageKind } from './protocol.js';

/**
 * Long enough for an element moved in the DOM, or re-inserted by a framework a few tasks later, to re-acquire
 * its handle; short enough that a page which removed its last element frees the worker promptly. Closing the
 * last handle also drops a `storage: 'memory'` model, so a move must never close it.
 */
const RELEASE_DELAY_MS = 100;

interface Entry {
  readonly key: string;
  /** What the first acquirer asked for: the model-wide settings every later one must agree with. */
  readonly options: ClassifierOptions;
  readonly ready: Promise<Classifier>;
  refs: number;
  releaseTimer: ReturnType<typeof setTimeout> | undefined;
}

/** The entry new acquirers of a key join; an older entry lives on in `byHandle` until its users release it. */
const current = new Map<string, Entry>();
const byHandle = new WeakMap<Classifier, Entry>();
/** Keys of models as they are opened, for elements waiting to join one by name. */
const openings = new EventTarget();

/** Fired on a shared handle (`detail`: the TypeError and the option) when a later acquirer asked for other model-wide settings. */
export const SETTING_CONFLICT = 'setting-conflict';

/** Options of the whole model rather than of one handle (`threshold` is each element's own). */
export const MODEL_WIDE_OPTIONS = [
  'backend',
  'autoTrain',
  'keepInputs',
  'retentionDays',
  'featureExtractor',
  'textEncoder',
  'teachableMachine',
] as const;

/**
 * A handle on model `options.name` shared with every other acquirer of the same (storage, name): one
 * `createClassifier` call per model however many elements use it. The first acquirer's `threshold`,
 * `backend` and `autoTrain` win; callers apply their own threshold to what `predict` returns.
 * Each successful call must be paired with one `releaseClassifier`.
 */
export async function acquireClassifier(options: ClassifierOptions): Promise<Classifier> {
  const key = modelKey({ name: options.name, storage: options.storage ?? 'indexeddb' });
  const shared = current.get(key);
  if (shared) {
    hold(shared);
    let classifier: Classifier;
    try {
      classifier = await shared.ready;
    } catch (error) {
      drop(shared);
      throw error;
    }
    // The comparison loads only when this acquirer sets a model-wide option ('auto' is the backend of a tag without one).
    const sets = MODEL_WIDE_OPTIONS.some((key) => options[key] !== undefined && !(key === 'backend' && options[key] === 'auto'));
    const conflict = sets ? (await import('./setting-conflict.js')).settingConflict(shared.options, options) : null;
    if (conflict) {
      drop(shared);
      const error = new TypeError(
        `The model "${options.name}" is open on this page with ${conflict.text}; every element of a model must ask for the same, or leave it out.`,
      );
      // The elements already holding it show the conflict too: either side may be the one to fix.
      classifier.dispatchEvent(new CustomEvent(SETTING_CONFLICT, { detail: { error, option: conflict.option } }));
      throw error;
    }
    if (options.input !== undefined && classifier.input !== options.input) {
      drop(shared);
      throw new TypeError(
        `The model "${options.name}" is already open on this page for ${classifier.input} input, not ${options.input}; use another model name for ${options.input} input.`,
      );
    }
    const missing = (options.labels ?? []).filter((label) => !classifier.labels.includes(label));
    if (missing.length === 0) return classifier;
    // Opening with more labels extends the stored model; earlier users keep their handle until they release it.
    drop(shared);
    return open(key, { ...options, labels: [...classifier.labels, ...missing] });
  }
  return open(key, options);
}

/**
 * Joins a model that an element or `acquireClassifier` call on this page has opened, knowing only its name:
 * resolves with the shared handle (pair it with `releaseClassifier`), or null when none is open now.
 */
export async function joinClassifier(name: string, storage: StorageKind = 'indexeddb'): Promise<Classifier | null> {
  const shared = current.get(modelKey({ name, storage }));
  if (!shared) return null;
  hold(shared);
  try {
    return await shared.ready;
  } catch {
    drop(shared);
    return null;
  }
}

/** Calls `listener` with the model key each time a model is opened on this page; returns the unsubscribe. */
export function onModelOpened(listener: (key: string) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<string>).detail);
  openings.addEventListener('opened', handler);
  return () => openings.removeEventListener('opened', handler);
}

/** Gives back one `acquireClassifier`; the handle is closed shortly after its last holder releases it. */
export function releaseClassifier(classifier: Classifier): void {
  const entry = byHandle.get(classifier);
  if (!entry) throw new Error('releaseClassifier() got a classifier that acquireClassifier() did not hand out, or one already closed.');
  drop(entry);
}

function open(key: string, options: ClassifierOptions): Promise<Classifier> {
  const ready = createClassifier(options);
  const entry: Entry = { key, options, ready, refs: 1, releaseTimer: undefined };
  current.set(key, entry);
  ready.then(
    (classifier) => {
      byHandle.set(classifier, entry);
      openings.dispatchEvent(new CustomEvent('opened', { detail: key }));
    },
    () => {
      // A failed open must not stick: the next acquirer tries again.
      if (current.get(key) === entry) current.delete(key);
    },
  );
  return ready;
}

function hold(entry: Entry): void {
  entry.refs += 1;
  clearTimeout(entry.releaseTimer);
  entry.releaseTimer = undefined;
}

function drop(entry: Entry): void {
  entry.refs -= 1;
  if (entry.refs > 0 || entry.releaseTimer !== undefined) return;
  entry.releaseTimer = setTimeout(() => {
    entry.releaseTimer = undefined;
    if (entry.refs > 0) return;
    if (current.get(entry.key) === entry) current.delete(entry.key);
    entry.ready
      .then(
        (classifier) => {
          byHandle.delete(classifier);
          return classifier.close();
        },
        () => undefined,
      )
      .catch(() => undefined);
  }, RELEASE_DELAY_MS);
}
