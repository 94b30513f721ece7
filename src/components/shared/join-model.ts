import type { Classifier } from '../../classifier.js';
import { modelKey, type StorageKind } from '../../protocol.js';
import { joinClassifier, onModelOpened } from '../../registry.js';

/**
 * How the review queue and the panel connect without labels: they join the model another element opened on this
 * page, and when none has yet, `retry` runs once one does (unless `signal` aborted first). Apart from
 * `ModelConnection` so that it loads with those elements, not with every page that shows a `<hitl-classifier>`.
 */
export async function joinOpenedModel(name: string, storage: StorageKind, signal: AbortSignal, retry: () => void): Promise<Classifier | null> {
  const classifier = await joinClassifier(name, storage);
  if (!classifier && !signal.aborted) {
    const stop = onModelOpened((opened) => {
      if (opened !== modelKey({ name, storage })) return;
      stop();
      retry();
    });
    signal.addEventListener('abort', stop, { once: true });
  }
  return classifier;
}
