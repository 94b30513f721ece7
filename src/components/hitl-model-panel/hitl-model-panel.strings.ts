import { CONNECTION_STRINGS, type ConnectionStrings } from '../shared/connection.strings.js';
import { LOADING_MODEL } from '../shared/messages.js';
import { VERSIONS_STRINGS, type VersionsStrings } from './versions-view.strings.js';

/** Every string `<hitl-model-panel>` shows or announces; `{…}` are placeholders filled in where it is used. */
export interface HitlModelPanelStrings extends ConnectionStrings, VersionsStrings {
  /** Accessible name of the panel: `{model}`. */
  panelLabel: string;
  /** Before the first figures arrive. */
  loading: string;
  /** `{reason}`: why stats or quality could not be read. */
  readFailed: string;
  modelTerm: string;
  backendTerm: string;
  versionTerm: string;
  examplesTerm: string;
  /** What cross-validation on the model's own labels chose for its head (stats().featureChoice). */
  choiceTerm: string;
  /** `{choice}`, `{accuracy}`, `{examples}`: the choice, its out-of-fold accuracy and the labels it was made on. */
  choiceDetail: string;
  /** A text head reading the n-grams alone. */
  choiceNgrams: string;
  /** `{share}`: the n-grams joined with short character grams at that share. */
  choiceLetters: string;
  /** `{share}`: the n-grams joined with their words again at that share. */
  choiceWords: string;
  /** `{share}`: the n-grams joined with the counts of their short character grams at that share. */
  choiceCounts: string;
  /** `{share}`: the text encoder's embedding at that share of what the head reads. */
  choiceEncoder: string;
  /** The n-grams and the text encoder's embedding as the featurizer joined them. */
  choiceEncoderJoined: string;
  /** `{l2}`: a numeric or image head's L2 strength. */
  choicePenalty: string;
  /** `{view}`, `{l2}`: a text head's features (one of the phrases above) and the L2 strength chosen on them. */
  choiceViewPenalty: string;
  /** `{view}`: a text head's features, its L2 holding rare n-grams less firmly than common ones. */
  choiceViewRare: string;
  /** `{view}`, `{l2}`: the same, with the L2 strength the rare-gram prior scales when it is not the default. */
  choiceViewRarePenalty: string;
  /** The version before the first training. */
  versionNone: string;
  /** A trained version: `{version}`. */
  version: string;
  /** Heading of the drift warning. */
  driftTitle: string;
  /** `{score}`, `{threshold}`, `{recent}`, `{reference}`: the figures behind the drift warning. */
  driftDetail: string;
  countsTitle: string;
  /** Accessible name of the list of examples per label. */
  countsLabel: string;
  trainNow: string;
  cancelTraining: string;
  /** Accessible name of the training progress bar. */
  trainingProgress: string;
  /** `{epoch}`, `{epochs}`, `{loss}`. */
  epoch: string;
  training: string;
  notTrained: string;
  needsTwoClasses: string;
  /** `{version}`: the model version serving predictions. */
  serving: string;
  /** `{version}`, `{examples}`, `{seconds}`: a finished training run. */
  trained: string;
  cancelled: string;
  /** `{reason}`. */
  trainFailed: string;
  agreementTitle: string;
  noDecisions: string;
  /** `{rate}` (emphasised) of the last `{count}` decisions. */
  agreementFigure: string;
  /** Accessible name of the agreement chart: `{count}`, `{smoothing}`, `{rate}`. */
  agreementChart: string;
  /** A figure not known yet. */
  unknown: string;
  confusionTitle: string;
  confusionCaption: string;
  /** Heading and caption of the per-label precision / recall / F1 table. */
  perClassTitle: string;
  perClassCaption: string;
  /** Column headers of that table. */
  supportHeader: string;
  precisionHeader: string;
  recallHeader: string;
  f1Header: string;
  /** Heading of the check on the human labels. */
  labelCheckTitle: string;
  /** `{count}` labels it doubts, of `{examples}` checked. */
  suspiciousLabels: string;
  /** `{skipped}` older labels left out of the check. */
  labelCheckCapped: string;
  /** Heading and caption (`{folds}`) of the out-of-fold per-label table. */
  outOfFoldTitle: string;
  outOfFoldCaption: string;
  /** A label with fewer than 5 examples: `{label}`, `{count}`. */
  fewLabels: string;
  /** A label with far fewer examples than the median label: `{label}`, `{count}`. */
  rareLabel: string;
  /** The header of the column of human labels. */
  humanLabel: string;
  /** Placeholder for the confusion matrix and reliability diagram before any decision. */
  appearsLater: string;
  reliabilityTitle: string;
  /** Accessible name of the reliability diagram: `{bins}`, `{ece}`. */
  reliabilityChart: string;
  /** Tooltip of one bin: `{lo}`, `{hi}` (percent), `{count}`, `{accuracy}`. */
  reliabilityBin: string;
  /** Axis label at confidence 1. */
  confidenceAxis: string;
  reliabilityNote: string;
  /** `{ece}`: the expected calibration error. */
  ece: string;
  autoAcceptTitle: string;
  noPredictions: string;
  /** `{share}` (emphasised) of `{predictions}` shown predictions. */
  autoAccept: string;
  /** `{checked}`, `{correct}`: appended to `autoAccept` when people checked some. */
  autoAcceptChecked: string;
  dataTitle: string;
  export: string;
  import: string;
  reset: string;
  /** `{link}` to the file, `{size}`. */
  exported: string;
  /** `{reason}`. */
  exportFailed: string;
  /** `{examples}`, `{logEntries}`, `{file}`, `{version}`. */
  imported: string;
  /** `{file}`, `{reason}`. */
  importFailed: string;
  /** The reset question: `{model}`. */
  confirmReset: string;
  confirmResetDetail: string;
  confirmResetButton: string;
  cancel: string;
  resetDone: string;
  /** `{reason}`. */
  resetFailed: string;
  /** Auto-accept with a guarantee (a handle with `autoAccept`): heading, and the promise: `{maxError}`, `{confidence}`. */
  guaranteeTitle: string;
  autoAcceptPromise: string;
  /** A threshold serves: `{threshold}`, `{coverage}` let through, `{bound}` on the error, over `{evidence}` spot checks. */
  autoAcceptServing: string;
  /** Nothing let through yet: `{needed}` more spot checks, `{evidence}` so far; or held back by drift. */
  autoAcceptNeeded: string;
  autoAcceptSuspended: string;
  /** The risk–coverage plot's accessible description: `{points}`, each a `riskCoveragePoint`. */
  riskCoverageLabel: string;
  riskCoveragePoint: string;
  /** The cost of human time (quality().humanTime): heading, the terms of its figures, and what they rest on. */
  humanTimeTitle: string;
  decisionsMadeTerm: string;
  medianTimeTerm: string;
  /** `{seconds}` per decision, over `{timed}` timed decisions. */
  medianTime: string;
  autoAcceptedTerm: string;
  hoursSavedTerm: string;
  /** `{hours}`. */
  hours: string;
  /** `{count}` spot checks answered, `{hours}` of people's time. */
  spotCheckCost: string;
  spotCheckCostTerm: string;
  /** Accessible caption of the per-annotator table, and its headers. */
  perAnnotatorCaption: string;
  annotatorHeader: string;
  decisionsHeader: string;
  medianHeader: string;
  /** A median in the table: `{seconds}`. */
  secondsValue: string;
  /** An annotator-less decision's row. */
  noAnnotator: string;
  humanTimeNote: string;
}

/** The English defaults; set `strings` on the element to replace any of them. */
export const HITL_MODEL_PANEL_STRINGS: Readonly<HitlModelPanelStrings> = Object.freeze({
  ...VERSIONS_STRINGS,
  ...CONNECTION_STRINGS,
  panelLabel: 'Model {model}',
  loading: LOADING_MODEL,
  readFailed: 'Could not read the model: {reason}',
  modelTerm: 'Model',
  backendTerm: 'Backend',
  versionTerm: 'Version',
  examplesTerm: 'Examples',
  choiceTerm: 'Chosen from the labels',
  choiceDetail: '{choice} ({accuracy} out of fold on {examples} labels)',
  choiceNgrams: 'word and character n-grams',
  choiceLetters: 'n-grams with short character grams at {share}',
  choiceWords: 'n-grams with their words at {share}',
  choiceCounts: 'n-grams with counts of short character grams at {share}',
  choiceEncoder: 'text encoder at {share} of the features',
  choiceEncoderJoined: 'n-grams and text encoder as joined',
  choicePenalty: 'L2 strength {l2}',
  choiceViewPenalty: '{view}, L2 strength {l2}',
  choiceViewRare: '{view}, rare n-grams weighed up',
  choiceViewRarePenalty: '{view}, rare n-grams weighed up, L2 strength {l2}',
  versionNone: 'none',
  version: 'v{version}',
  driftTitle: 'Drift: recent predictions differ from earlier ones',
  driftDetail: '(shift {score} > {threshold}, {recent} recent vs {reference} earlier)',
  countsTitle: 'Labels per class',
  countsLabel: 'Examples per label',
  trainNow: 'Train now',
  cancelTraining: 'Cancel training',
  trainingProgress: 'Training progress',
  epoch: 'Epoch {epoch} of {epochs} · loss {loss}',
  training: 'Training…',
  notTrained: 'Not trained yet.',
  needsTwoClasses: 'Training needs labels of at least 2 classes.',
  serving: 'Model v{version} serves predictions.',
  trained: 'Trained v{version} on {examples} examples in {seconds} s.',
  cancelled: 'Training cancelled; the previous model still answers.',
  trainFailed: 'Training failed: {reason}',
  agreementTitle: 'Agreement with people',
  noDecisions: 'No human decisions on shown predictions yet.',
  agreementFigure: '{rate} of the last {count} decisions agreed with the model',
  agreementChart: 'Agreement over the last {count} decisions, {smoothing}-decision moving average; overall {rate}',
  unknown: '–',
  confusionTitle: 'Confusion matrix',
  confusionCaption: 'Rows: the label people gave · columns: the label the model predicted',
  perClassTitle: 'Per label',
  perClassCaption: 'What the model showed against what people decided, over the same decisions',
  supportHeader: 'Given',
  precisionHeader: 'Precision',
  recallHeader: 'Recall',
  f1Header: 'F1',
  labelCheckTitle: 'Check on the labels',
  suspiciousLabels: '{count} of {examples} labels to look at again (the review queue’s second look)',
  labelCheckCapped: 'The {skipped} oldest labels were not checked.',
  outOfFoldTitle: 'Per label, out of fold',
  outOfFoldCaption: 'Each label predicted by a model trained without it ({folds} folds), against the label people gave',
  fewLabels: '{label}: only {count} labels; give it at least 5 so the model can learn it.',
  rareLabel: '{label}: {count} labels, far fewer than the other labels; its predictions are less reliable.',
  humanLabel: 'Human label',
  appearsLater: 'Appears after the first human decisions.',
  reliabilityTitle: 'Reliability',
  reliabilityChart: 'Reliability diagram: confidence against accuracy over {bins} bins; expected calibration error {ece}',
  reliabilityBin: '{lo}–{hi}%: {count} decisions, accuracy {accuracy}',
  confidenceAxis: 'confidence 1',
  reliabilityNote: "Bars: how often people agreed, per confidence bin (dots at the bin's mean confidence); on the diagonal the confidence is honest.",
  ece: 'Expected calibration error {ece}.',
  autoAcceptTitle: 'Auto-accept',
  noPredictions: 'No predictions shown yet.',
  autoAccept: '{share} of {predictions} shown predictions were at or above the threshold (auto-accepted)',
  autoAcceptChecked: '; people checked {checked} of them and {correct} were right',
  dataTitle: 'Data',
  export: 'Export',
  import: 'Import…',
  reset: 'Reset…',
  exported: 'Exported: {link} ({size})',
  exportFailed: 'Export failed: {reason}',
  imported: 'Imported {examples} examples and {logEntries} log entries from {file}; model v{version}.',
  importFailed: 'Import of {file} failed, nothing was changed: {reason}',
  confirmReset: 'Delete everything of the model "{model}"?',
  confirmResetDetail: 'Its labels, trained weights, review queue and audit log are deleted from this browser. This cannot be undone.',
  confirmResetButton: 'Delete everything',
  cancel: 'Cancel',
  resetDone: 'Deleted: the model starts over.',
  resetFailed: 'Reset failed: {reason}',
  guaranteeTitle: 'Auto-accept guarantee',
  autoAcceptPromise: 'At most {maxError} wrong among what is let through, with {confidence} confidence',
  autoAcceptServing: 'Lets through {coverage} of predictions at {threshold} or more; error at most {bound} ({evidence} spot checks)',
  autoAcceptNeeded: 'Everything goes to review: {needed} more spot checks needed ({evidence} so far)',
  autoAcceptSuspended: 'Held back by drift: {needed} fresh spot checks needed ({evidence} since it began)',
  riskCoverageLabel: 'Risk against coverage, by threshold: {points}',
  riskCoveragePoint: '{threshold}: {coverage} let through, error at most {bound}',
  humanTimeTitle: 'Human time',
  decisionsMadeTerm: 'Decisions made',
  medianTimeTerm: 'Median time per decision',
  medianTime: '{seconds} s ({timed} timed)',
  autoAcceptedTerm: 'Auto-accepted predictions',
  hoursSavedTerm: 'Estimated time saved',
  hours: '{hours} h',
  spotCheckCost: '{count} answered, {hours} h',
  spotCheckCostTerm: 'Spot checks',
  perAnnotatorCaption: 'Median time per decision, per annotator',
  annotatorHeader: 'Annotator',
  decisionsHeader: 'Decisions',
  medianHeader: 'Median',
  secondsValue: '{seconds} s',
  noAnnotator: '(none)',
  humanTimeNote:
    'Visible, active time from a prediction shown to the decision (an idle gap counts 30 s at most). Time saved: auto-accepted predictions × the median time; spot checks: answered × the median time.',
});
