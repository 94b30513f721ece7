import { DECISION_MESSAGES, LOADING_MODEL, MODEL_MESSAGES } from '../shared/messages.js';

/** Every string `<hitl-classifier>` shows or announces; `{…}` are placeholders filled in where it is used. */
export interface HitlClassifierStrings {
  /** While the model opens. */
  loading: string;
  /** Before the first prediction of an input. */
  predicting: string;
  /** The model knows no label yet. */
  noModel: string;
  /** No content to classify (generic). */
  nothingToClassify: string;
  /** The content (or the `for` field) has no text. */
  noText: string;
  /** An `<img>` without a source. */
  noImage: string;
  /** `input="features"` without a complete row of numbers (`.features`, or every field of the `for` form). */
  noFeatures: string;
  /** A `<canvas>` of 0 pixels. */
  emptyCanvas: string;
  /** `for` names no element: `{id}`. */
  noTarget: string;
  /** A confident prediction: `{label}` and `{confidence}` become the label and the percentage. */
  predicted: string;
  /** A prediction that needs review: `{label}`. The confidence and the badge follow it. */
  question: string;
  /** The badge of a prediction below the threshold. */
  needsReview: string;
  /** Between the labels of a prediction set in the question ("Is it bug or feature?"). */
  or: string;
  /** After a rejection: `{label}` is the rejected label. */
  rejectedQuestion: string;
  /** The badge of a human label: `{annotator}`. */
  labelledBy: string;
  /** The badge of a human label without an annotator. */
  labelledByYou: string;
  /** Accessible name of the accept / choose-another group. */
  reviewGroup: string;
  /** Accessible name of the group of label buttons. */
  labelsGroup: string;
  accept: string;
  reject: string;
  undo: string;
  /** `{reason}`: predicting this text failed. */
  classifyTextFailed: string;
  /** `{reason}`: predicting this image failed. */
  classifyImageFailed: string;
  /** `{reason}`: predicting this row of numbers failed. */
  classifyFeaturesFailed: string;
  /** `{label}`, `{reason}`: storing a label failed. */
  labelFailed: string;
  /** `{reason}`: undoing failed. */
  undoFailed: string;
  /** `{model}`, `{reason}`: opening the model failed. */
  openFailed: string;
  /** The browser refused storage (a private mode, a blocked database): the model works but keeps nothing. */
  notKept: string;
  /** No `model` attribute. */
  missingModel: string;
  /** Fewer than 2 labels: `{got}` is `noLabels` or `oneLabel`. */
  tooFewLabels: string;
  noLabels: string;
  /** `{label}`: the only label given. */
  oneLabel: string;
  /** `{label}` appears twice. */
  duplicateLabel: string;
  /** `{value}`: a threshold outside (0, 1]. */
  badThreshold: string;
  /** `{options}`, `{value}`. */
  badBackend: string;
  /** `{options}`, `{value}`. */
  badStorage: string;
  /** `{options}`, `{value}`. */
  badMode: string;
  /** The button that opens the explanation (attribute `explain`), and the name of its panel. */
  why: string;
  /** While the explanation is worked out. */
  whyLoading: string;
  /** `{reason}`: explaining failed. */
  whyFailed: string;
  /** Above the highlighted text: `{label}`. */
  whyTextLegend: string;
  /** Read after a highlighted word that weighs for the label. */
  whyMarkFor: string;
  /** Read after a highlighted word that weighs against it. */
  whyMarkAgainst: string;
  /** `{label}`, `{words}`: the words that weigh most for the label. */
  whyFor: string;
  /** `{label}`, `{words}`: the words that weigh most against it. */
  whyAgainst: string;
  /** Above the picture with its heat map: `{label}`, `{size}` (patches per side). */
  whyPictureLegend: string;
  /** The picture's text alternative: `{label}`, `{cells}` (the strongest cells, each `whyCell`). */
  whyPictureFor: string;
  /** One grid cell of the picture: `{row}`, `{column}` (from 1, top left). */
  whyCell: string;
  /** Above the list of the most similar labelled examples. */
  whyNearest: string;
  /** No labelled example to list. */
  whyNoNearest: string;
  /** One similar example: `{label}`, `{similarity}`, `{time}`. */
  whyNearestItem: string;
  /** One similar example with its annotator: `{label}`, `{similarity}`, `{annotator}`, `{time}`. */
  whyNearestBy: string;
}

/**
 * The English defaults; set `strings` on the element to replace any of them. The classifier words the model and
 * label messages for its own case (it always opens its model, so it always needs labels).
 */
export const HITL_CLASSIFIER_STRINGS: Readonly<HitlClassifierStrings> = Object.freeze({
  ...MODEL_MESSAGES,
  ...DECISION_MESSAGES,
  loading: LOADING_MODEL,
  predicting: 'Predicting…',
  noModel: 'No model yet — pick a label to teach it',
  nothingToClassify: 'Nothing to classify',
  noText: 'No text to classify',
  noImage: 'No image to classify',
  noFeatures: 'No numbers to classify: fill in every field',
  emptyCanvas: 'The canvas is empty (0 pixels)',
  noTarget: 'No element with id "{id}" to classify',
  predicted: 'Predicted: {label} {confidence}',
  needsReview: 'Needs review',
  or: ' or ',
  labelledBy: 'Labelled by {annotator}',
  labelledByYou: 'Labelled by you',
  reviewGroup: 'Review the prediction',
  reject: 'Choose another',
  classifyTextFailed: 'Could not classify this text: {reason}',
  classifyImageFailed: 'Could not classify this image: {reason}',
  classifyFeaturesFailed: 'Could not classify these numbers: {reason}',
  notKept: 'Labels are not saved: this browser does not let the page store data, so they are lost when it closes.',
  missingModel: 'Set the model attribute to the name of the shared model, for example model="tickets".',
  tooFewLabels: 'Set labels to at least 2 comma-separated labels, for example labels="billing,bug,feature" (got {got}).',
  noLabels: 'none',
  oneLabel: 'only "{label}"',
  badThreshold: 'Set threshold to a number above 0 and at most 1, for example threshold="0.8" (got "{value}").',
  badMode: 'Set mode to one of {options} (got "{value}").',
  why: 'Why?',
  whyLoading: 'Working out why…',
  whyFailed: 'Could not explain this prediction: {reason}',
  whyTextLegend: 'Words marked + weigh for {label}, words marked − against it.',
  whyMarkFor: '(for)',
  whyMarkAgainst: '(against)',
  whyFor: 'Most for {label}: {words}',
  whyAgainst: 'Most against {label}: {words}',
  whyPictureLegend: 'The picture in {size} × {size} patches: shaded ones weigh for {label}, hatched ones against it.',
  whyPictureFor: 'Patches that weigh most for {label}: {cells}',
  whyCell: 'row {row}, column {column}',
  whyNearest: 'Most similar labelled examples',
  whyNoNearest: 'No labelled example yet.',
  whyNearestItem: '{label}: {similarity} similar, labelled {time}',
  whyNearestBy: '{label}: {similarity} similar, labelled by {annotator}, {time}',
});
