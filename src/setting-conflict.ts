import type { ClassifierOptions } from './classifier.js';
import type { MODEL_WIDE_OPTIONS } from './registry.js';

// Loaded by registry.ts only when an element sets a model-wide option on a model already open on the page.

/** The model-wide options' defaults (MODEL_WIDE_OPTIONS), for an opener that left one out. */
const DEFAULTS: Record<(typeof MODEL_WIDE_OPTIONS)[number], unknown> = {
  backend: 'auto',
  autoTrain: true,
  keepInputs: true,
  retentionDays: undefined,
  featureExtractor: undefined,
  textEncoder: undefined,
  teachableMachine: undefined,
};

/** A spec (a URL or `{ url, … }`) as JSON with its URL absolute, so that two spellings of one model compare equal. */
function comparable(value: unknown): string {
  const spec = typeof value === 'string' ? { url: value } : value;
  if (spec && typeof spec === 'object' && 'url' in spec && typeof spec.url === 'string') {
    try {
      return JSON.stringify({ ...spec, url: new URL(spec.url, document.baseURI).href });
    } catch {
      // Not a URL: createClassifier rejects it by name; compared as written.
    }
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** `backend "webgl", not "wasm"` where `later` asks for a model-wide setting other than the opener's; null when it agrees. */
export function settingConflict(first: ClassifierOptions, later: ClassifierOptions): { option: string; text: string } | null {
  for (const [key, fallback] of Object.entries(DEFAULTS) as [keyof ClassifierOptions, unknown][]) {
    const asked = later[key];
    // 'auto' is what an element without a backend attribute passes: it leaves the backend to the model.
    if (asked === undefined || (key === 'backend' && asked === 'auto')) continue;
    const opened = comparable(first[key] ?? fallback);
    if (opened !== comparable(asked)) return { option: key, text: `${key} ${opened}, not ${comparable(asked)}` };
  }
  return null;
}
