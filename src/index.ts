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
export { HitlReviewQueue } from './components/hitl-review-queue/hitl-review-queue.js';
export { HitlModelPanel } from './components/hitl-model-panel/hitl-model-panel.js';
