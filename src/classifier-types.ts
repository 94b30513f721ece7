/**
 * The classifier handle's public types and its change event: kept apart from the handle so that modules needing only
 * the types (the ranker, setting checks) do not read the handle's code to find them.
 */
import type { Classifier } from './classifier.js';
import type { ImageInput } from './image-input.js';
import type { EngineEvent, RawExportedModel, ReviewStrategy, TrainProgress } from './protocol.js';

/**
 * The strategy `selectForReview` and the review queue rank by when none is given. The engine decides it
 * (workers/engine/policy.ts, the best mean in `npm run bench:learning`); this names it for pages, and a test keeps
 * the two in step.
 */
export const DEFAULT_REVIEW_STRATEGY: ReviewStrategy = 'diverse';

/** A text, or a row of numbers for `input: 'features'`. */
export type ClassifierInput = string | ArrayLike<number> | ImageInput;

/** How `selectForReview` picks. */
export interface SelectForReviewOptions {
  /** What the ranked picks rank by; default {@link DEFAULT_REVIEW_STRATEGY}. */
  strategy?: ReviewStrategy;
  /**
   * The share of the batch drawn at random from the rest of the pool (inputs not labelled yet), after the ranked picks, rounded down (default
   * 0.1: one in ten of a batch of 10 or more, none in a smaller one; 0 for none, 1 for a random batch). Labels
   * chosen for uncertainty are harder than the inputs the model will answer: training calibrates confidence on the
   * labels nobody picked when there are 30 of them, and `stats().calibration.heldOutUnpicked` says when it did.
   */
  explore?: number;
}

/** What `predict` records besides answering. */
export interface PredictOptions {
  /** A prediction that needs review goes into the persistent review queue. Default: true for predict, false for predictBatch. */
  queue?: boolean;
  /** Log it in the audit log as a prediction a person saw. Default false. */
  shown?: boolean;
}

/** `exportModel()`'s result: TensorFlow.js layers-model files of the trained head. */
export interface ExportedModel extends RawExportedModel {
  /** [model.json, weights.bin]: ready to download, or to load with `tf.loadLayersModel(tf.io.browserFiles(files))`. */
  files: [File, File];
}

export interface TrainOptions {
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  /**
   * Retrain from zeros even where the engine would start from the served head (a text model past 2,000 labels
   * starts warm, and from zeros again each time the labels have grown by half).
   */
  fromZeros?: boolean;
}

/** Fired on a classifier handle when its model changes, whoever changed it (another handle, an element, training). */
export class ClassifierChangeEvent extends Event {
  constructor(readonly change: EngineEvent) {
    super('change');
  }
}

/** The events a classifier handle fires, for typed `addEventListener` calls. */
export interface ClassifierEventMap {
  change: ClassifierChangeEvent;
}

/** EventTarget with typed listeners: `clf.addEventListener('change', (e) => e.change.type)` compiles without a cast. */
export class ClassifierEventTarget extends EventTarget {
  override addEventListener<K extends keyof ClassifierEventMap>(
    type: K,
    listener: (this: Classifier, event: ClassifierEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof ClassifierEventMap>(
    type: K,
    listener: (this: Classifier, event: ClassifierEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }
}
