// The page side of `npm run bench:soak` (scripts/bench-soak.mjs): one stored model, labelled and retrained through
// the public API in chunks the script asks for, with the engine's tensor count between them.
import { createClassifier, type Classifier } from '../src/classifier.js';
import { engine } from '../src/engine-client.js';

let clf: Classifier | null = null;

function handle(): Classifier {
  if (!clf) throw new Error('open() first');
  return clf;
}

const soak = {
  async open(name: string, labels: string[]) {
    clf = await createClassifier({ name, labels, autoTrain: false });
    return { ...(await clf.stats()), persistent: clf.persistent };
  },
  /** Labels every [text, label] in order, each awaited (each a durable write); resolves with the time taken. */
  async label(items: [string, string][]) {
    const started = performance.now();
    for (const [text, label] of items) await handle().label(text, label);
    return performance.now() - started;
  },
  async train() {
    const started = performance.now();
    const result = await handle().train();
    return { ...result, wallMs: performance.now() - started };
  },
  async memory() {
    // The serving tensors are made by the first prediction after a training: count with them in place.
    await handle().predict('a prediction so the new head serves', { queue: false });
    const stats = await handle().stats();
    const tensors = await engine.call((api) => api.memory());
    return { examples: stats.examples, modelVersion: stats.modelVersion, tensors: tensors.tensors, tensorBytes: tensors.bytes };
  },
  /** The stored label of each text, and the predicted label, after a reload. */
  async check(items: [string, string][]) {
    const stored = await Promise.all(items.map(([text]) => handle().getLabel(text)));
    const predicted = await handle().predictBatch(items.map(([text]) => text));
    return {
      storedRight: stored.filter((s, i) => s?.label === items[i]![1]).length,
      predictedRight: predicted.filter((p, i) => p.label === items[i]![1]).length,
    };
  },
};

declare global {
  interface Window {
    soak: typeof soak;
  }
}
window.soak = soak;
document.title = 'soak ready';
