import { defineToolsOnDemand } from './components/define-on-demand.js';

export { createClassifier, Classifier, ClassifierChangeEvent } from './classifier.js';
export type { ClassifierOptions, ClassifierInput, TrainOptions, PredictOptions } from './classifier.js';
export type {
  Prediction,
  Stats,
  TrainResult,
  TrainProgress,
  LabelResult,
  LabelMeta,
  InputKind,
  BackendName,
  BackendRequest,
  StorageKind,
  StoredLabel,
  DecisionAction,
  QueueItem,
  UndoResult,
  LogEntry,
  QualityReport,
  DriftReport,
  ReliabilityBin,
  ImportResult,
} from './protocol.js';
export { HitlPredictionEvent, HitlLabelEvent, HitlReviewNeededEvent, HitlUndoEvent, HitlDriftEvent } from './events.js';
export { HitlClassifier } from './components/hitl-classifier/hitl-classifier.js';
export type { HitlClassifierMode, HitlClassifierState } from './components/hitl-classifier/hitl-classifier.js';
export type { HitlReviewQueue } from './components/hitl-review-queue/hitl-review-queue.js';
export type { HitlModelPanel } from './components/hitl-model-panel/hitl-model-panel.js';
export { defineHitlTools } from './components/define-on-demand.js';

// <hitl-classifier> is defined by importing this module; the queue and panel load when the page first uses them.
defineToolsOnDemand();
