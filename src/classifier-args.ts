/**
 * The classifier handle's argument checks, run on the page before anything crosses to the worker: a bad argument
 * rejects at once with an error naming it, and the handle's methods stay one line of checks and one call.
 */
import { describe, oneOf, wholeNumber } from './checks.js';
import {
  DECISION_ACTIONS,
  REVIEW_STRATEGIES,
  type AutoAcceptSettings,
  type LabelMeta,
  type Prediction,
  type PredictOptions as WirePredictOptions,
  type RawPrediction,
} from './protocol.js';
import type { PredictOptions, SelectForReviewOptions, TrainOptions } from './classifier-types.js';

/** Human decisions the quality report looks at, and the drift windows' size: the default `window`. */
const DEFAULT_QUALITY_WINDOW = 200;

/** Labelled examples an explanation lists by default, and at most. */
const DEFAULT_EXPLAIN_NEAREST = 5;
const MAX_EXPLAIN_NEAREST = 100;

/** `what options` must be an object; the name says which method was given something else. */
export function optionsObject(what: string, options: unknown): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`${what} options must be an object, got ${describe(options)}.`);
}

export function checkLabel(labels: readonly string[], label: unknown): asserts label is string {
  if (typeof label !== 'string') throw new TypeError(`label must be a string, got ${describe(label)}.`);
  if (!labels.includes(label)) {
    throw new RangeError(`Unknown label ${JSON.stringify(label)}: expected one of ${labels.map((l) => JSON.stringify(l)).join(', ')}.`);
  }
}

/** A new label's name: a non-empty string the model does not have yet. */
export function checkNewLabel(labels: readonly string[], label: unknown): asserts label is string {
  if (typeof label !== 'string') throw new TypeError(`label must be a string, got ${describe(label)}.`);
  if (label.trim() === '') throw new RangeError('label must not be empty.');
  if (labels.includes(label)) throw new RangeError(`The model already has the label ${JSON.stringify(label)}.`);
}

/** A decision's metadata with only the known keys, each checked: the worker stores what it is sent. */
export function labelMeta(labels: readonly string[], label: string, meta: LabelMeta): LabelMeta {
  checkLabel(labels, label);
  if (meta === null || typeof meta !== 'object') throw new TypeError(`label() options must be an object, got ${describe(meta)}.`);
  const clean: LabelMeta = {};
  if (meta.predictionId !== undefined) {
    if (typeof meta.predictionId !== 'string') throw new TypeError(`predictionId must be a string, got ${describe(meta.predictionId)}.`);
    clean.predictionId = meta.predictionId;
  }
  if (meta.annotator !== undefined) {
    if (typeof meta.annotator !== 'string') throw new TypeError(`annotator must be a string, got ${describe(meta.annotator)}.`);
    clean.annotator = meta.annotator;
  }
  if (meta.action !== undefined) {
    oneOf('action', meta.action, DECISION_ACTIONS);
    clean.action = meta.action;
  }
  // Checked in the worker (audit/human-time.ts), which stores it: the same error, and no bytes in the page's entry.
  if (meta.durationMs !== undefined) clean.durationMs = meta.durationMs;
  return clean;
}

/** What the worker should record with a prediction, or undefined when nothing. */
export function predictRecording(
  options: PredictOptions,
  queueByDefault: boolean,
  threshold: number,
  autoAccept: Readonly<AutoAcceptSettings> | null,
): WirePredictOptions | undefined {
  optionsObject('predict', options);
  const { queue = queueByDefault, shown = false } = options;
  if (typeof queue !== 'boolean') throw new TypeError(`queue must be a boolean, got ${describe(queue)}.`);
  if (typeof shown !== 'boolean') throw new TypeError(`shown must be a boolean, got ${describe(shown)}.`);
  // With auto-accept the engine decides what needs review, so it always hears the settings.
  if (autoAccept) return { queue, shown, threshold, autoAccept: { ...autoAccept } };
  // Nothing to record: the worker skips even the bookkeeping (predictBatch throughput).
  return queue || shown ? { queue, shown, threshold } : undefined;
}

/** The engine's `review` verdict where it gave one (auto-accept), else this handle's threshold decides. */
export function withReview(raw: RawPrediction, threshold: number): Prediction {
  const { review, ...prediction } = raw;
  return { ...prediction, needsReview: review ?? (raw.label === null || raw.confidence < threshold) };
}

export function limitOption(what: string, options: { limit?: number }): number {
  optionsObject(what, options);
  const { limit = Number.MAX_SAFE_INTEGER } = options;
  wholeNumber('limit', limit);
  return limit;
}

export function qualityWindow(options: { window?: number }): number {
  optionsObject('quality', options);
  const { window = DEFAULT_QUALITY_WINDOW } = options;
  wholeNumber('window', window);
  if (window < 1) throw new RangeError(`window must be at least 1, got ${window}.`);
  return window;
}

export function auditLogArgs(options: { limit?: number; since?: number }): { limit: number; since: number } {
  optionsObject('auditLog', options);
  const { limit = Number.MAX_SAFE_INTEGER, since = 0 } = options;
  wholeNumber('limit', limit);
  if (typeof since !== 'number' || Number.isNaN(since)) throw new TypeError(`since must be a time in ms, got ${describe(since)}.`);
  return { limit, since };
}

export function explainArgs(labels: readonly string[], options: { label?: string; k?: number }): { label: string | null; k: number } {
  optionsObject('explain', options);
  const { label, k = DEFAULT_EXPLAIN_NEAREST } = options;
  if (label !== undefined) checkLabel(labels, label);
  wholeNumber('k', k);
  if (k > MAX_EXPLAIN_NEAREST) throw new RangeError(`k must be at most ${MAX_EXPLAIN_NEAREST}, got ${k}.`);
  return { label: label ?? null, k };
}

export function trainArgs(options: TrainOptions): Required<Pick<TrainOptions, 'fromZeros'>> & Omit<TrainOptions, 'fromZeros'> {
  const { signal, onProgress, fromZeros = false } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new TypeError(`onProgress must be a function, got ${describe(onProgress)}.`);
  }
  if (typeof fromZeros !== 'boolean') throw new TypeError(`fromZeros must be a boolean, got ${describe(fromZeros)}.`);
  return { signal, onProgress, fromZeros };
}

export function selectForReviewArgs(pool: unknown, k: unknown, options: SelectForReviewOptions): SelectForReviewOptions {
  optionsObject('selectForReview', options);
  const { strategy, explore } = options;
  if (strategy !== undefined) oneOf('strategy', strategy, REVIEW_STRATEGIES);
  if (explore !== undefined && (typeof explore !== 'number' || !(explore >= 0 && explore <= 1))) {
    throw new RangeError(`explore must be a share of the batch from 0 to 1, got ${describe(explore)}.`);
  }
  if (!Array.isArray(pool)) throw new TypeError(`selectForReview expects an array as pool, got ${describe(pool)}.`);
  if (typeof k !== 'number') throw new TypeError(`k must be a number, got ${describe(k)}.`);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a whole number ≥ 0, got ${k}.`);
  return { strategy, explore };
}
