export { createClassifier, Classifier, ClassifierChangeEvent } from './classifier.js';
export type { ClassifierOptions, ClassifierInput, TrainOptions } from './classifier.js';
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
} from './protocol.js';
export { HitlPredictionEvent, HitlLabelEvent } from './events.js';
export { HitlClassifier } from './components/hitl-classifier/hitl-classifier.js';
