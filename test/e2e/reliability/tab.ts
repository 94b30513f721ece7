// What the multi-tab test reaches in each tab: the public API, plus the page's engine for memory checks.
import { ClassifierChangeEvent, createClassifier, type Classifier } from '../../../src/index.js';
import type { EngineEvent } from '../../../src/protocol.js';

/** Every change event this tab's handle fired, with the time it arrived (one clock for every tab of the browser). */
const changes: { at: number; change: EngineEvent }[] = [];
let clf: Classifier | null = null;

const api = {
  async open(name: string, labels: string[]): Promise<{ persistent: boolean; examples: number; modelVersion: number }> {
    clf = await createClassifier({ name, labels, autoTrain: false });
    clf.addEventListener('change', (event) => changes.push({ at: Date.now(), change: (event as ClassifierChangeEvent).change }));
    const stats = await clf.stats();
    return { persistent: clf.persistent, examples: stats.examples, modelVersion: stats.modelVersion };
  },
  handle(): Classifier {
    if (!clf) throw new Error('open() first');
    return clf;
  },
  changes: () => changes.map(({ at, change }) => ({ at, ...change })),
  /** Reads the model's database as it is on disk, without the library. */
  async database(name: string): Promise<{
    version: number;
    examples: { id: string; input?: string; label: string }[];
    log: { exampleId: string; kind: string }[];
    weights: { version: number; weightsLength: number; inputDim: number; labels: string[] } | null;
    meta: { maxVersion: number; labels: string[] } | null;
  }> {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(`hitl-classifier:${name}`);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      const read = <T>(store: string, key?: string) =>
        new Promise<T>((resolve, reject) => {
          const request = key === undefined ? db.transaction(store).objectStore(store).getAll() : db.transaction(store).objectStore(store).get(key);
          request.onsuccess = () => resolve(request.result as T);
          request.onerror = () => reject(request.error);
        });
      const weights = await read<{ version: number; weights: Float32Array; inputDim: number; labels: string[] } | undefined>('weights', 'current');
      return {
        version: db.version,
        examples: await read('examples'),
        log: await read('log'),
        weights: weights
          ? { version: weights.version, weightsLength: weights.weights.length, inputDim: weights.inputDim, labels: weights.labels }
          : null,
        meta: (await read<{ maxVersion: number; labels: string[] } | undefined>('meta', 'model')) ?? null,
      };
    } finally {
      db.close();
    }
  },
};

declare global {
  interface Window {
    tab: typeof api;
  }
}
window.tab = api;
document.title = 'reliability tab ready';
