import { defineToolsOnDemand } from './components/define-on-demand.js';

export { createClassifier, Classifier, ClassifierChangeEvent } from './classifier.js';
export { EngineCrashedError } from './engine-client.js';
export type { ClassifierOptions, ClassifierInput, TrainOptions, PredictOptions, SelectForReviewOptions } from './classifier.js';
export type { ClassifierEventMap } from './classifier.js';
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
  BatchDecisionEntry,
  LogVerification,
  AgreementReport,
  AgreementConflict,
  SuspiciousLabel,
  OutOfFoldReport,
  ClassFigures,
  ClassWarning,
  QualityReport,
  HumanTimeReport,
  DriftReport,
  ReliabilityBin,
  ImportResult,
  Explanation,
  ExplanationSpan,
  FeatureContribution,
  HeatMap,
  NearestExample,
  AutoAcceptSettings,
  AutoAcceptReport,
  RiskCoveragePoint,
} from './protocol.js';
export { HitlPredictionEvent, HitlLabelEvent, HitlReviewNeededEvent, HitlUndoEvent, HitlDriftEvent } from './events.js';
export { HitlErrorEvent, type HitlErrorPhase } from './events.js';
export { HitlClassifier, HITL_CLASSIFIER_STRINGS } from './components/hitl-classifier/hitl-classifier.js';
export type { HitlClassifierMode, HitlClassifierState, HitlClassifierStrings } from './components/hitl-classifier/hitl-classifier.js';
// Types only: a value export would pull the queue and panel into the entry (they load on first use).
export type { HitlReviewQueue, HitlReviewQueueStrings } from './components/hitl-review-queue/hitl-review-queue.js';
export type { HitlModelPanel, HitlModelPanelStrings } from './components/hitl-model-panel/hitl-model-panel.js';
export type { ConnectionStrings } from './components/shared/model-connection.js';
export { defineHitlTools } from './components/define-on-demand.js';
// Rankers (pairwise preferences): createRanker loads the ranker's code on its first call, and <hitl-compare> is
// defined when it first appears (or by defineHitlTools), so both cost the entry little more than their names.
export { createRanker } from './create-ranker.js';
export type { HitlCompareEvent } from './components/hitl-compare/compare-event.js';
export type { Ranker, RankerOptions, RankerChangeEvent } from './ranker.js';
export type {
  CompareOutcome,
  CompareMeta,
  CompareResult,
  RankScore,
  RankedItem,
  PairProbability,
  PairStrategy,
  RankerStats,
  RankerFeatures,
  RankerTrainResult,
  RankerUndoResult,
  RankerImportResult,
  RankerLogEntry,
  RankerChange,
  RankerLogKind,
} from './protocol.js';
export type { HitlCompare, HitlCompareStrings } from './components/hitl-compare/hitl-compare.js';
// The rest of the public surface, as types: option and input shapes, the exported model, label data, reports.
export type { ExportedModel } from './classifier.js';
export type { ImageInput } from './image-input.js';
export type { HitlKeys } from './components/shared/decision-keys.js';
export type {
  ReviewStrategy,
  FeatureExtractorSpec,
  TextEncoderSpec,
  TeachableMachineSpec,
  ExportedModelMetadata,
  FeatureChoice,
  LogKind,
  LabelChangeResult,
  LabelBatchResult,
  LabelFormat,
  LabelImportResult,
  LabelExport,
} from './protocol.js';

// Model versions: versions(), rollback() and pin().
export type { ModelVersion, TrainingMetrics, VersionChange } from './protocol.js';

// <hitl-classifier> is defined by importing this module; the queue and panel load when the page first uses them.
defineToolsOnDemand();
