/**
 * Default texts that more than one element shows, written once. Each element's strings file spreads the groups it
 * shows, so its public defaults keep their keys and a change of wording reaches every element.
 */

/** What can be wrong with the attributes naming a model, or with opening it. */
export const MODEL_MESSAGES = {
  badStorage: 'Set storage to one of {options} (got "{value}").',
  badBackend: 'Set backend to one of {options} (got "{value}").',
  duplicateLabel: 'Each label must appear once in labels, but "{label}" appears twice.',
  openFailed: 'Could not open the model "{model}": {reason}',
};

/** The question, the buttons and the failures of a decision (the classifier and the review queue). */
export const DECISION_MESSAGES = {
  question: 'Is this {label}?',
  rejectedQuestion: 'Not {label}. Which label is it?',
  labelsGroup: 'Choose the correct label',
  accept: 'Accept',
  undo: 'Undo',
  labelFailed: 'Could not save the label "{label}": {reason}',
  undoFailed: 'Could not undo the last decision: {reason}',
};

/** While the model opens (the classifier, the panel). */
export const LOADING_MODEL = 'Loading the model…';
