import { CONNECTION_STRINGS, type ConnectionStrings } from '../shared/connection.strings.js';
import { DECISION_MESSAGES } from '../shared/messages.js';

/** Every string `<hitl-review-queue>` shows or announces; `{…}` are placeholders filled in where it is used. */
export interface HitlReviewQueueStrings extends ConnectionStrings {
  /** While the model and its queue load. */
  loading: string;
  /** The queue is empty. */
  empty: string;
  /** The progress line: `{reviewed}` decisions made here, `{left}` items pending. */
  progress: string;
  /** Accessible name of the progress bar. */
  progressLabel: string;
  /** Accessible name of the item under review. */
  itemLabel: string;
  /** Accessible name of an image item: `{width}`, `{height}` in pixels. */
  imageLabel: string;
  /** An item whose input is not stored (`keepInputs: false`); `{id}` is the start of its id. */
  notStored: string;
  /** The question about the prediction: `{label}` is the predicted label. */
  question: string;
  /** The question while the model has no labelled example. */
  noModelQuestion: string;
  /** The mark of a spot check (a prediction drawn at random to test auto-accept), and what it means. */
  spotCheck: string;
  spotCheckNote: string;
  /** After a rejection: `{label}` is the rejected label. */
  rejectedQuestion: string;
  /** Accessible name of the accept / reject / skip / undo group. */
  decideGroup: string;
  /** Accessible name of the group of label buttons. */
  labelsGroup: string;
  /** Accessible name of an item's text while it scrolls (a page capped its height), so the keyboard can reach it. */
  textRegion: string;
  accept: string;
  reject: string;
  skip: string;
  undo: string;
  /** The key hint line: `{a}`, `{enter}`, `{x}`, `{digits}`, `{s}` and `{backspace}` become the keys. */
  keys: string;
  /** `{reason}`: why the queue could not be read. */
  loadFailed: string;
  /** `{label}`, `{reason}`: a label that could not be stored. */
  labelFailed: string;
  /** `{reason}`: why the item could not be skipped. */
  skipFailed: string;
  /** `{reason}`: why the last decision could not be undone. */
  undoFailed: string;
  /** Accessible name of the group of view buttons. */
  viewsGroup: string;
  /** The button showing the review queue. */
  queueView: string;
  /** The button showing the labels the check doubts: `{count}` of them. */
  secondLookView: string;
  /** No label is flagged. */
  secondLookEmpty: string;
  /** A flagged label: `{label}` as given, `{suggested}` by the check. */
  secondLookQuestion: string;
  /** The same, when the label's annotator is known: `{annotator}`. */
  secondLookQuestionBy: string;
  /** Keeps the flagged label: `{label}`. */
  keepLabel: string;
  /** Changes it to the suggestion: `{label}`. */
  changeLabel: string;
  /** `{reason}`: why the flagged labels could not be read. */
  secondLookFailed: string;
  /** The button showing the conflicts between annotators: `{count}` unsettled. */
  conflictsView: string;
  /** No unsettled conflict. */
  conflictsEmpty: string;
  /** Accessible name of the list of conflicts. */
  conflictsList: string;
  /** Heading of one conflict: `{n}` of `{count}`. */
  conflictTitle: string;
  /** More conflicts than listed: `{shown}` of `{count}`. */
  conflictsMore: string;
  /** A conflict whose input is not stored (`keepInputs: false`): `{hash}` is the input's hash. */
  conflictNotStored: string;
  /** Accessible name of the list of the annotators' labels. */
  conflictLabels: string;
  /** One annotator's label: `{annotator}`, `{label}`, `{time}`. */
  conflictLabel: string;
  /** The same for decisions with no annotator named: `{label}`, `{time}`. */
  conflictLabelAnonymous: string;
  /** Accessible name of the group of buttons settling with a label given. */
  settleGroup: string;
  /** Settles the conflict with `{label}`. */
  settleAs: string;
  /** Accessible name of the group of the other labels, which settle it too. */
  settleOther: string;
  /** `{reason}`: why the conflicts could not be read. */
  conflictsFailed: string;
}

/** The English defaults; set `strings` on the element to replace any of them. */
export const HITL_REVIEW_QUEUE_STRINGS: Readonly<HitlReviewQueueStrings> = Object.freeze({
  ...CONNECTION_STRINGS,
  ...DECISION_MESSAGES,
  loading: 'Loading the review queue…',
  empty: 'Nothing to review: the queue is empty.',
  progress: '{reviewed} reviewed · {left} left',
  progressLabel: 'Review progress',
  itemLabel: 'Item to review',
  textRegion: 'Text to review',
  imageLabel: 'Image to review, {width}×{height} pixels',
  notStored: 'The input is not stored (the model keeps no inputs); item {id}.',
  noModelQuestion: 'No model yet. Which label is it?',
  spotCheck: 'Spot check',
  spotCheckNote: 'Drawn at random to test what the model decides alone: your answer is the evidence.',
  decideGroup: 'Decide',
  reject: 'Reject',
  skip: 'Skip',
  keys: '{a}/{enter} accept · {x} reject · {digits} label · {s} skip · {backspace} undo',
  loadFailed: 'Could not load the review queue: {reason}',
  skipFailed: 'Could not skip this item: {reason}',
  viewsGroup: 'What to review',
  queueView: 'Queue',
  secondLookView: 'Second look ({count})',
  secondLookEmpty: 'No label to look at again: the check doubts none of them.',
  secondLookQuestion: 'Labelled {label}; a model trained without it says {suggested}.',
  secondLookQuestionBy: 'Labelled {label} by {annotator}; a model trained without it says {suggested}.',
  keepLabel: 'Keep {label}',
  changeLabel: 'Change to {label}',
  secondLookFailed: 'Could not read the labels to look at again: {reason}',
  conflictsView: 'Conflicts ({count})',
  conflictsEmpty: 'No conflict to settle: the annotators agree, or every disagreement is settled.',
  conflictsList: 'Inputs annotators labelled differently',
  conflictTitle: 'Conflict {n} of {count}',
  conflictsMore: 'Showing {shown} of {count} conflicts; settling one brings the next.',
  conflictNotStored: 'The input is not stored (the model keeps no inputs); its hash is {hash}.',
  conflictLabels: 'Labels given',
  conflictLabel: '{annotator} said {label} ({time})',
  conflictLabelAnonymous: 'Someone unnamed said {label} ({time})',
  settleGroup: 'Settle with a label given',
  settleAs: 'Settle as {label}',
  settleOther: 'Settle as another label',
  conflictsFailed: 'Could not read the conflicts: {reason}',
});
